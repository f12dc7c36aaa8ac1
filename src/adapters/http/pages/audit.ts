/** The audit log: every change made through the panel, newest first, a page at a time. */
import { detailsText } from '../audit.js';
import { html, type SafeHtml } from '../html.js';
import type { AuditPage } from '../../store/audit-log.js';
import type { TextKey } from '../ui/texts/index.js';
import { fmtTime } from './format.js';
import { layout, type PageCtx } from './layout.js';

export function auditActionText(ctx: PageCtx, action: string): string {
  const key = `audit.action.${action}`;
  const text = ctx.t(key as TextKey);
  return text === key ? action : text;
}

export function auditPage(ctx: PageCtx, page: AuditPage, offset: number, limit: number): SafeHtml {
  const { t } = ctx;
  const rows = page.rows.map((r) => html`<tr data-audit="${r.id}" data-action="${r.action}"><td>${fmtTime(r.at)}</td>
<td>${r.user} <small>${r.role === 'admin' || r.role === 'viewer' ? t(`role.${r.role}`) : r.role}</small></td><td><code>${r.ip}</code></td>
<td>${auditActionText(ctx, r.action)}</td><td><code>${r.target}</code></td><td class="audit-details">${detailsText(r.details) || t('audit.noChange')}</td></tr>`);
  const last = Math.min(page.total, offset + page.rows.length);
  return layout(ctx, 'audit', t('audit.title'), html`<p>${t('audit.intro')} <a class="export" href="/audit.csv" download>${t('audit.export')}</a></p>
${page.rows.length === 0 ? html`<p class="empty">${t('audit.none')}</p>` : html`
<p>${t('audit.page', { from: offset + 1, to: last, total: page.total })}</p>
<table id="audit"><thead><tr><th>${t('audit.at')}</th><th>${t('audit.user')}</th><th>${t('audit.ip')}</th><th>${t('audit.action')}</th><th>${t('audit.target')}</th><th>${t('audit.details')}</th></tr></thead>
<tbody>${rows}</tbody></table>`}
<p class="pager">${offset > 0 ? html`<a href="/audit?offset=${Math.max(0, offset - limit)}">${t('history.prev')}</a>` : html``}
${last < page.total ? html`<a href="/audit?offset=${offset + limit}">${t('history.next')}</a>` : html``}</p>`);
}
