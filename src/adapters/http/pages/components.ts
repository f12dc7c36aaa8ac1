/** Fragments shared by several pages and re-fetched live by panel.js (ids are stable). */
import { html, type SafeHtml } from '../html.js';
import type { CallView, HealthView, HookPointStats } from '../panel-port.js';
import type { LimiterStats } from '../../bitrix/limiter.js';
import { fmtDuration, fmtTime } from './format.js';
import type { PageCtx } from './layout.js';
import { gateReasonRu } from '../ui/texts/notes-ru-terms.js';

type Level = 'ok' | 'warn' | 'bad';

function tile(level: Level, title: string, text: string): SafeHtml {
  return html`<div class="tile ${level}" data-level="${level}"><h3>${title}</h3><p>${text}</p></div>`;
}

export function healthTiles(ctx: PageCtx, h: HealthView): SafeHtml {
  const { t } = ctx;
  const ami = h.ami.connected
    ? tile('ok', t('health.ami'), t('health.amiUp', { since: fmtTime(h.ami.since), reconnects: h.ami.reconnects }))
    : tile('bad', t('health.ami'), t('health.amiDown', { reconnects: h.ami.reconnects }));
  const b24 = h.bitrix.ok
    ? tile('ok', t('health.bitrix'), t('health.bitrixOk', { authMode: h.bitrix.authMode }))
    : tile('bad', t('health.bitrix'), t('health.bitrixDown', { authMode: h.bitrix.authMode, error: h.bitrix.lastError ?? '' }));
  const o = h.outbox;
  const level: Level = o.dead > 0 || o.oldestAgeMs > 300_000 ? 'bad' : o.depth > 20 || o.oldestAgeMs > 30_000 ? 'warn' : 'ok';
  const box = tile(level, t('health.outbox'), t('health.outboxState', { depth: o.depth, age: fmtDuration(o.oldestAgeMs), dead: o.dead }));
  return html`<div class="tiles">${ami}${b24}${box}</div>`;
}

export function callStatus(ctx: PageCtx, c: CallView): SafeHtml {
  if (c.registered) return html`<span class="badge ok">${ctx.t('call.registered')}</span>`;
  if (c.skipped !== undefined) {
    const why = ctx.t('app.lang') === 'ru' ? gateReasonRu(c.skipped) ?? c.skipped : c.skipped;
    return html`<span class="badge muted" title="${why}">${ctx.t('call.notRegistered')}</span>`;
  }
  return html`<span class="badge warn">${ctx.t('call.pending')}</span>`;
}

function client(c: CallView): SafeHtml {
  const number = c.summary.clientNumber ?? c.summary.callerExtension ?? '—';
  return c.clientName ? html`${number} <small>${c.clientName}</small>` : html`${number}`;
}

function conversations(ctx: PageCtx, c: CallView): SafeHtml {
  // FMC: a conversation on an employee's mobile says so (the number in its tooltip).
  return html`${c.summary.conversations.map((v) => html`<span class="conv ${v.stage}" title="${v.stage}${v.mobile !== undefined ? ` · ${v.mobile}` : ''}">${v.extension}${v.mobile !== undefined ? html` <small>${ctx.t('live.mobile')}</small>` : html``}</span> `)}`;
}

export function liveCallsTable(ctx: PageCtx, calls: readonly CallView[]): SafeHtml {
  const { t } = ctx;
  if (calls.length === 0) return html`<p class="empty">${t('live.none')}</p>`;
  const rows = calls.map((c) => html`<tr data-call="${c.summary.callKey}">
<td><a href="/calls/${encodeURIComponent(c.summary.callKey)}">${c.summary.callKey}</a></td><td>${c.summary.direction}</td><td>${client(c)}</td>
<td>${conversations(ctx, c)}</td><td>${c.cardVisibleTo.length ? c.cardVisibleTo.map((u) => u.name).join(', ') : t('call.nobody')}</td>
<td>${fmtDuration(ctx.now - c.summary.startedAt)}</td><td>${callStatus(ctx, c)}</td></tr>`);
  return html`<table><thead><tr><th>${t('call.key')}</th><th>${t('call.direction')}</th><th>${t('call.client')}</th><th>${t('call.conversations')}</th>
<th>${t('call.cardVisibleTo')}</th><th>${t('call.duration')}</th><th>${t('call.status')}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function outboxSummary(ctx: PageCtx, h: HealthView): SafeHtml {
  const { t } = ctx;
  return html`<p>${t('health.outboxState', { depth: h.outbox.depth, age: fmtDuration(h.outbox.oldestAgeMs), dead: h.outbox.dead })}</p>
${h.outbox.dead > 0 ? html`<p><a class="bad-link" href="/outbox?state=dead">${t('dash.deadLink', { dead: h.outbox.dead })}</a></p>` : html``}`;
}

/** Bucket fill as an SVG bar (no inline style: the CSP forbids it). */
export function limiterBudget(ctx: PageCtx, s: LimiterStats): SafeHtml {
  const pct = Math.min(100, Math.round((s.level / Math.max(1, s.capacity)) * 100));
  const level = pct >= 90 ? 'bad' : pct >= 60 ? 'warn' : 'ok';
  return html`<svg class="meter ${level}" viewBox="0 0 100 6" preserveAspectRatio="none" role="img" aria-label="${pct}%">
<rect x="0" y="0" width="100" height="6" class="meter-bg"></rect><rect x="0" y="0" width="${pct}" height="6" class="meter-fill"></rect></svg>
<p>${ctx.t('dash.limiterUse', { level: Math.round(s.level), capacity: s.capacity, percent: pct, drain: s.drainPerSec, waits: s.waits })}</p>
${s.pausedUntil > ctx.now ? html`<p class="flash error">${ctx.t('dash.limiterPaused', { until: fmtTime(s.pausedUntil) })}</p>` : html``}`;
}

export function hookFailures(ctx: PageCtx, stats: Readonly<Record<string, HookPointStats>>): SafeHtml {
  const failing = Object.entries(stats).filter(([, s]) => s.failures > 0);
  if (!failing.length) return html`<p class="empty">${ctx.t('dash.hooksNone')}</p>`;
  return html`<ul>${failing.map(([p, s]) => html`<li><a href="/hooks">${p}</a>: ${s.failures}/${s.runs}${s.lastError ? html` — <code>${s.lastError.code}</code> ${s.lastError.reason} (${fmtTime(s.lastError.at)})` : html``}</li>`)}</ul>`;
}
