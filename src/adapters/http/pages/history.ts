/** Call history, searchable by number, extension and date. */
import { html, type SafeHtml } from '../html.js';
import type { HistoryPage } from '../panel-port.js';
import { callStatus } from './components.js';
import { fmtDuration, fmtTime } from './format.js';
import { layout, type PageCtx } from './layout.js';

export interface HistoryForm {
  readonly number: string;
  readonly extension: string;
  readonly from: string;
  readonly to: string;
  readonly offset: number;
  readonly limit: number;
}

function link(f: HistoryForm, offset: number): string {
  const q = new URLSearchParams();
  for (const k of ['number', 'extension', 'from', 'to'] as const) if (f[k]) q.set(k, f[k]);
  q.set('offset', String(offset));
  return `/calls?${q.toString()}`;
}

/** The same filters as CSV (every page). */
function csvLink(f: HistoryForm): string {
  const q = new URLSearchParams();
  for (const k of ['number', 'extension', 'from', 'to'] as const) if (f[k]) q.set(k, f[k]);
  const qs = q.toString();
  return qs ? `/calls.csv?${qs}` : '/calls.csv';
}

export function historyPage(ctx: PageCtx, f: HistoryForm, page: HistoryPage): SafeHtml {
  const { t } = ctx;
  const rows = page.rows.map((c) => {
    const s = c.summary;
    const talk = s.answeredAt !== undefined && s.endedAt !== undefined ? s.endedAt - s.answeredAt : undefined;
    return html`<tr data-call="${s.callKey}"><td><a href="/calls/${encodeURIComponent(s.callKey)}">${fmtTime(s.startedAt)}</a></td>
<td>${s.direction}</td><td>${s.clientNumber ?? '—'}${c.clientName ? html` <small>${c.clientName}</small>` : html``}</td>
<td>${s.conversations.map((v) => v.extension).join(', ')}</td><td>${s.did ?? s.trunk ?? ''}</td><td>${fmtDuration(talk)}</td>
<td>${s.statusCode ?? ''}</td><td>${callStatus(ctx, c)}</td><td>${c.responsible?.name ?? ''}</td></tr>`;
  });
  const last = Math.min(page.total, f.offset + page.rows.length);
  return layout(ctx, 'calls', t('history.title'), html`
<form method="get" action="/calls" class="search">
<label>${t('history.number')} <input name="number" value="${f.number}" inputmode="tel"></label>
<label>${t('history.extension')} <input name="extension" value="${f.extension}" size="6"></label>
<label>${t('history.from')} <input type="date" name="from" value="${f.from}"></label>
<label>${t('history.to')} <input type="date" name="to" value="${f.to}"></label>
<button type="submit">${t('history.search')}</button> <a class="export" href="${csvLink(f)}" download>${t('history.export')}</a></form>
${page.rows.length === 0 ? html`<p class="empty">${t('history.none')}</p>` : html`
<p>${t('history.page', { from: f.offset + 1, to: last, total: page.total })}</p>
<table id="history"><thead><tr><th>${t('call.started')}</th><th>${t('call.direction')}</th><th>${t('call.client')}</th><th>${t('call.conversations')}</th>
<th>${t('call.did')}</th><th>${t('call.duration')}</th><th>STATUS_CODE</th><th>${t('call.status')}</th><th>${t('call.responsible')}</th></tr></thead>
<tbody>${rows}</tbody></table>`}
<p class="pager">${f.offset > 0 ? html`<a href="${link(f, Math.max(0, f.offset - f.limit))}">${t('history.prev')}</a>` : html``}
${last < page.total ? html`<a href="${link(f, f.offset + f.limit)}">${t('history.next')}</a>` : html``}</p>`);
}
