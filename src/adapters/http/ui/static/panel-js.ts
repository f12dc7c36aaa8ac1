/**
 * The panel's only script (served as /static/panel.js): live updates over SSE. On an event it
 * re-fetches the server-rendered fragments that listen to that event type (`data-live`), so all
 * escaping stays on the server. EventSource reconnects by itself. Kept as a string so the build
 * needs no bundler and tsconfig needs no DOM lib.
 */
export const PANEL_JS = String.raw`(() => {
  'use strict';
  const pending = new Map();
  function refresh(el) {
    if (pending.has(el)) return;
    pending.set(el, setTimeout(() => {
      pending.delete(el);
      fetch(el.dataset.fragment, { credentials: 'same-origin', headers: { 'x-fragment': '1' } })
        .then((r) => (r.ok ? r.text() : null))
        .then((text) => {
          if (text === null) return;
          el.innerHTML = text;
          el.dataset.updated = String(Date.now());
        })
        .catch(() => {});
    }, 80));
  }
  function onEvent(type) {
    document.querySelectorAll('[data-live]').forEach((el) => {
      if (el.dataset.live.split(' ').includes(type)) refresh(el);
    });
  }
  if (!document.querySelector('[data-live]') || !window.EventSource) return;
  const es = new EventSource('/events');
  ['call', 'outbox', 'health'].forEach((type) => es.addEventListener(type, () => onEvent(type)));
  es.addEventListener('open', () => document.body.setAttribute('data-sse', 'open'));
  es.addEventListener('error', () => document.body.setAttribute('data-sse', 'error'));
})();
`;
