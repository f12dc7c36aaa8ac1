/** Hooks: per point installed / enabled, runs, failures, timings; enable, disable, dry-run. */
import { html, type SafeHtml } from '../html.js';
import type { DryRunResult, HookPointStats, HookPointView } from '../panel-port.js';
import { fmtJson, fmtTime } from './format.js';
import { csrfField, flash, layout, mayChange, type PageCtx } from './layout.js';

export interface DryRunShown {
  readonly point: string;
  readonly input: string;
  readonly result?: DryRunResult;
  readonly error?: string;
}

export function hooksPage(ctx: PageCtx, points: readonly HookPointView[], stats: Readonly<Record<string, HookPointStats>>, dry?: DryRunShown, message?: string): SafeHtml {
  const { t } = ctx;
  const rows = points.map((p) => {
    const s = stats[p.point];
    return html`<tr data-point="${p.point}"><td><code>${p.point}</code>${p.source ? html`<br><small>${p.source}</small>` : html``}</td>
<td>${p.installed ? t('hooks.yes') : t('hooks.no')}</td><td><span class="badge ${p.enabled ? 'ok' : 'muted'}">${p.enabled ? t('hooks.yes') : t('hooks.no')}</span></td>
<td>${s?.runs ?? 0}</td><td>${s?.failures ?? 0}</td><td>${s?.avgMs ?? ''}</td>
<td>${s?.lastError ? html`<code class="err">${s.lastError.code}</code> ${s.lastError.reason} ${fmtTime(s.lastError.at)}` : html``}</td>
<td>${p.installed && mayChange(ctx) ? html`<form method="post" action="/hooks/${p.point}/enabled" class="inline">${csrfField(ctx)}<input type="hidden" name="on" value="${p.enabled ? '0' : '1'}"><button type="submit" class="secondary">${p.enabled ? t('hooks.disable') : t('hooks.enable')}</button></form>` : html``}</td></tr>`;
  });
  const options = points.map((p) => html`<option value="${p.point}"${dry?.point === p.point ? html` selected` : html``}>${p.point}</option>`);
  const result = dry ? html`<h3>${t('hooks.dryRunResult', { point: dry.point })}</h3>${dry.error ? flash(dry.error, 'error') : html`<pre id="dry-run-result">${fmtJson(dry.result)}</pre>`}` : html``;
  return layout(ctx, 'hooks', t('hooks.title'), html`${flash(message)}
<table id="hooks"><thead><tr><th>${t('hooks.point')}</th><th>${t('hooks.installed')}</th><th>${t('hooks.enabled')}</th><th>${t('hooks.runs')}</th><th>${t('hooks.failures')}</th><th>${t('hooks.avg')}</th><th>${t('hooks.lastError')}</th><th></th></tr></thead><tbody>${rows}</tbody></table>
${mayChange(ctx) ? html`<section><h2>${t('hooks.dryRun')}</h2><form method="post" action="/hooks/dry-run">${csrfField(ctx)}
<label>${t('hooks.point')} <select name="point">${options}</select></label>
<label>${t('hooks.dryRunInput')}<textarea name="input" rows="6" cols="60">${dry?.input ?? '{"phone": "8 (916) 123-45-67"}'}</textarea></label>
<button type="submit">${t('hooks.dryRun')}</button></form>${result}</section>` : html``}`);
}
