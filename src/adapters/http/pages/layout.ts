/** Page frame: head, navigation, flash message. Everything interpolated is escaped by `html`. */
import { html, type SafeHtml } from '../html.js';
import type { Role } from '../roles.js';
import type { TFunction, TextKey } from '../ui/texts/index.js';

export interface PageCtx {
  readonly t: TFunction;
  readonly csrf: string;
  readonly user: string;
  /** Viewers get no forms that change anything (the server refuses them anyway). */
  readonly role: Role;
  readonly now: number;
}

export type NavKey = 'dashboard' | 'calls' | 'outbox' | 'settings' | 'hooks' | 'charts' | 'audit';

const NAV: readonly { key: NavKey; href: string; text: TextKey }[] = [
  { key: 'dashboard', href: '/', text: 'nav.dashboard' },
  { key: 'calls', href: '/calls', text: 'nav.calls' },
  { key: 'outbox', href: '/outbox', text: 'nav.outbox' },
  { key: 'settings', href: '/settings', text: 'nav.settings' },
  { key: 'hooks', href: '/hooks', text: 'nav.hooks' },
  { key: 'charts', href: '/charts', text: 'nav.charts' },
  { key: 'audit', href: '/audit', text: 'nav.audit' },
];

/** May this page show forms that change things? */
export function mayChange(ctx: PageCtx): boolean {
  return ctx.role === 'admin';
}

export function csrfField(ctx: PageCtx): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;
}

export function flash(message: string | undefined, kind: 'ok' | 'error' = 'ok'): SafeHtml {
  return message ? html`<p class="flash ${kind}" role="status">${message}</p>` : html``;
}

export function document(title: string, body: SafeHtml, head: SafeHtml = html``, lang = 'en'): SafeHtml {
  return html`<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><link rel="stylesheet" href="/static/panel.css">${head}</head>
<body>${body}</body></html>`;
}

export function layout(ctx: PageCtx, active: NavKey, title: string, main: SafeHtml): SafeHtml {
  const { t } = ctx;
  const nav = NAV.map((n) => html`<a href="${n.href}"${n.key === active ? html` class="active" aria-current="page"` : html``}>${t(n.text)}</a>`);
  return document(`${title} · ${t('app.title')}`, html`<header><strong class="brand">${t('app.title')}</strong><nav>${nav}</nav>
<form method="post" action="/logout" class="logout">${csrfField(ctx)}<span>${ctx.user}</span> <small class="role" data-role="${ctx.role}">${t(`role.${ctx.role}`)}</small> <button type="submit">${t('nav.logout')}</button></form></header>
<main><h1>${title}</h1>${main}</main>`, html`<meta name="csrf-token" content="${ctx.csrf}"><script src="/static/panel.js" defer></script>`, t('app.lang'));
}
