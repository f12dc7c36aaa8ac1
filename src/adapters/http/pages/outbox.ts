/** Outbox by state; dead commands can be retried or discarded by hand. */
import { html, type SafeHtml } from '../html.js';
import { COMMAND_STATES, type CommandState, type OutboxCommand } from '../../../outbox/command.js';
import { fmtJson, fmtTime } from './format.js';
import { csrfField, flash, layout, mayChange, type PageCtx } from './layout.js';

export function outboxPage(ctx: PageCtx, state: CommandState, rows: readonly OutboxCommand[], message?: string): SafeHtml {
  const { t } = ctx;
  const tabs = COMMAND_STATES.map((s) => html`<a href="/outbox?state=${s}"${s === state ? html` class="active"` : html``}>${t(`outbox.state.${s}`)}</a>`);
  const actions = (c: OutboxCommand): SafeHtml => !mayChange(ctx) ? html`` : html`
${c.state === 'dead' ? html`<form method="post" action="/outbox/${c.id}/retry" class="inline">${csrfField(ctx)}<button type="submit" data-retry="${c.id}">${t('outbox.retry')}</button></form>` : html``}
${c.state === 'dead' || c.state === 'pending' ? html`<form method="post" action="/outbox/${c.id}/discard" class="inline">${csrfField(ctx)}<button type="submit" class="secondary">${t('outbox.discard')}</button></form>` : html``}`;
  const body = rows.map((c) => html`<tr data-command="${c.id}"><td>${c.id}</td><td><a href="/calls/${encodeURIComponent(c.callKey)}">${c.callKey}</a></td>
<td><code>${c.step}</code></td><td><code>${c.method}</code></td><td>${c.attempts}</td><td>${fmtTime(c.updatedAt)}</td>
<td>${c.lastError ? html`<code class="err">${c.lastError.code}</code> ${c.lastError.message}` : html``}<details><summary>params</summary><pre>${fmtJson(c.params)}</pre></details></td>
<td>${actions(c)}</td></tr>`);
  return layout(ctx, 'outbox', t('outbox.title'), html`${flash(message)}<nav class="tabs">${tabs}</nav>
${rows.length ? html`<table id="outbox"><thead><tr><th>#</th><th>${t('call.key')}</th><th>step</th><th>${t('detail.method')}</th><th>${t('detail.attempts')}</th><th>${t('detail.at')}</th><th>${t('outbox.error')}</th><th></th></tr></thead><tbody>${body}</tbody></table>`
    : html`<p class="empty">${t('outbox.none')}</p>`}`);
}
