/**
 * One call: the "why" (registered / card shown / assigned), conversations, the timeline of AMI
 * stages with the planner's decisions, the REST commands with params and results, hook runs.
 */
import { html, type SafeHtml } from '../html.js';
import type { CallDetail, Verdict } from '../panel-port.js';
import { callStatus } from './components.js';
import { fmtClock, fmtDuration, fmtJson, fmtTime } from './format.js';
import { csrfField, layout, mayChange, type PageCtx } from './layout.js';
import { noteTextFor } from '../ui/texts/notes-ru.js';

function verdict(title: string, v: Verdict, note: (n: string) => string): SafeHtml {
  return html`<tr class="${v.ok ? 'ok' : 'no'}"><th>${title}</th><td><span class="badge ${v.ok ? 'ok' : 'muted'}">${v.ok ? '✓' : '✗'}</span> ${v.parts.map(note).join('; ')}</td></tr>`;
}

/** The part that changes while the call is live (re-fetched over SSE). */
export function callBody(ctx: PageCtx, d: CallDetail): SafeHtml {
  const { t } = ctx;
  const note = noteTextFor(t('app.lang'));
  const s = d.summary;
  const convs = s.conversations.map((v) => html`<tr><td>${v.extension}${v.mobile !== undefined ? html` <span class="muted">${t('detail.mobile', { n: v.mobile })}</span>` : html``}</td><td>${v.via}${v.queue ? html` (${v.queue})` : html``}</td><td>${v.stage}</td>
<td>${fmtClock(v.requestedAt)}</td><td>${v.acceptedAt !== undefined ? fmtClock(v.acceptedAt) : '—'}</td><td>${v.endedAt !== undefined ? fmtClock(v.endedAt) : '—'}</td><td>${v.dialStatus ?? ''}</td></tr>`);
  const timeline = d.timeline.map((e) => html`<tr><td>${fmtClock(e.at)}</td><td><code>${e.stage}</code></td>
<td>${e.notes.length ? html`<ul>${e.notes.map((n) => html`<li>${note(n)}</li>`)}</ul>` : html`—`}</td><td>${e.commands.map((c) => html`<code>${c}</code> `)}</td></tr>`);
  const commands = d.commands.map((c) => html`<tr class="cmd-${c.state}" data-command="${c.id}"><td>${c.id}</td><td><code>${c.step}</code></td><td><code>${c.method}</code></td>
<td><span class="badge state-${c.state}">${t(`outbox.state.${c.state}`)}</span></td><td>${c.attempts}</td>
<td><details><summary>${t('detail.keys', { n: Object.keys(c.params).length })}</summary><pre>${fmtJson(c.params)}</pre></details></td>
<td>${c.lastError ? html`<code class="err">${c.lastError.code}</code> ${c.lastError.message}` : c.result !== undefined ? html`<details><summary>${t('detail.resultShow')}</summary><pre>${fmtJson(c.result)}</pre></details>` : html``}
${c.state === 'dead' && mayChange(ctx) ? html`<form method="post" action="/outbox/${c.id}/retry" class="inline">${csrfField(ctx)}<input type="hidden" name="back" value="/calls/${s.callKey}"><button type="submit">${t('outbox.retry')}</button></form>` : html``}</td></tr>`);
  const hooks = d.hookRuns.map((r) => html`<tr><td>${fmtClock(r.at)}</td><td><code>${r.point}</code></td><td>${r.ok ? 'ok' : html`<code class="err">${r.code ?? 'failed'}</code>`}</td>
<td>${r.source}</td><td>${r.durationMs}</td><td>${r.changed.join(', ')}</td></tr>`);
  return html`
<section class="why"><h2>${t('detail.why')}</h2><table>${verdict(t('detail.whyRegistered'), d.explanation.registered, note)}${verdict(t('detail.whyShown'), d.explanation.shown, note)}${verdict(t('detail.whyAssigned'), d.explanation.assigned, note)}</table></section>
<section><dl class="facts"><dt>${t('call.direction')}</dt><dd>${s.direction}</dd><dt>${t('call.client')}</dt><dd>${s.clientNumber ?? '—'} ${d.clientName ?? ''}</dd>
<dt>${t('call.did')}</dt><dd>${s.did ?? ''} ${s.trunk ?? ''}</dd><dt>${t('call.started')}</dt><dd>${fmtTime(s.startedAt)}</dd>
<dt>${t('call.duration')}</dt><dd>${fmtDuration((s.endedAt ?? ctx.now) - s.startedAt)}</dd><dt>${t('call.status')}</dt><dd>${callStatus(ctx, d)} ${s.statusCode ?? ''} ${d.b24CallId ?? ''}</dd>
<dt>${t('call.cardVisibleTo')}</dt><dd>${d.cardVisibleTo.length ? d.cardVisibleTo.map((u) => `${u.name} (${u.id})`).join(', ') : t('call.nobody')}</dd></dl></section>
<section><h2>${t('call.conversations')}</h2><table><thead><tr><th>${t('detail.extension')}</th><th>${t('detail.via')}</th><th>${t('detail.state')}</th><th>${t('detail.requested')}</th><th>${t('detail.accepted')}</th><th>${t('detail.ended')}</th><th>${t('detail.dialStatus')}</th></tr></thead><tbody>${convs}</tbody></table></section>
<section><h2>${t('detail.timeline')}</h2><table id="timeline"><thead><tr><th>${t('detail.at')}</th><th>${t('detail.stage')}</th><th>${t('detail.notes')}</th><th>${t('detail.commands')}</th></tr></thead><tbody>${timeline}</tbody></table></section>
<section><h2>${t('detail.rest')}</h2>${d.commands.length ? html`<table id="commands"><thead><tr><th>#</th><th>${t('detail.step')}</th><th>${t('detail.method')}</th><th>${t('detail.state')}</th><th>${t('detail.attempts')}</th><th>${t('detail.params')}</th><th>${t('detail.result')}</th></tr></thead><tbody>${commands}</tbody></table>` : html`<p class="empty">${t('detail.noCommands')}</p>`}</section>
<section><h2>${t('detail.hookRuns')}</h2>${d.hookRuns.length ? html`<table><tbody>${hooks}</tbody></table>` : html`<p class="empty">${t('detail.noHookRuns')}</p>`}</section>`;
}

export function callDetailPage(ctx: PageCtx, d: CallDetail): SafeHtml {
  const key = d.summary.callKey;
  return layout(ctx, 'calls', ctx.t('detail.title', { key }), html`<div id="call-body" data-fragment="/fragments/call/${encodeURIComponent(key)}" data-live="${d.live ? 'call outbox' : 'outbox'}">${callBody(ctx, d)}</div>`);
}
