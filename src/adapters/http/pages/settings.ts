/**
 * Settings editor. Field names are config dot paths; issues from the schema are shown next to
 * the field whose name is their path (or a prefix of it), and all of them in a list on top.
 */
import { HOOK_POINTS, HOOK_POINT_SPECS } from '../../../core/hooks/points.js';
import { html, type SafeHtml } from '../html.js';
import type { EditableSettings, SettingsIssue, TrunkSetting } from '../panel-port.js';
import { csrfField, flash, layout, mayChange, type PageCtx } from './layout.js';

type Values = Readonly<Record<string, unknown>>;

function get(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const k of path.split('.')) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** `pbx.fmc.numbers` as the form shows it: `number = extension`, one per line. */
function fmcNumbers(v: unknown): string {
  return v && typeof v === 'object' ? Object.entries(v as Record<string, unknown>).map(([n, e]) => `${n} = ${String(e)}`).join('\n') : '';
}

function issuesFor(issues: readonly SettingsIssue[], name: string): SafeHtml {
  const mine = issues.filter((i) => i.path === name || i.path.startsWith(`${name}.`));
  return html`${mine.map((i) => html`<span class="field-error" data-path="${i.path}">${i.message}</span>`)}`;
}

export function settingsPage(ctx: PageCtx, values: EditableSettings | Values, issues: readonly SettingsIssue[], message?: string): SafeHtml {
  const { t } = ctx;
  const v = (p: string): string => {
    const x = get(values, p);
    return Array.isArray(x) ? x.join('\n') : x === undefined || x === null ? '' : String(x);
  };
  const list = (name: string, label: string): SafeHtml => html`<label>${label}<textarea name="${name}" rows="3">${v(name)}</textarea>${issuesFor(issues, name)}</label>`;
  const text = (name: string, label: string, type = 'text'): SafeHtml => html`<label>${label} <input type="${type}" name="${name}" value="${v(name)}">${issuesFor(issues, name)}</label>`;
  const check = (name: string, label: string): SafeHtml => html`<label class="check"><input type="checkbox" name="${name}"${get(values, name) === true ? html` checked` : html``}> ${label}${issuesFor(issues, name)}</label>`;
  const select = (name: string, label: string, opts: readonly string[]): SafeHtml => html`<label>${label} <select name="${name}">${opts.map((o) => html`<option${v(name) === o ? html` selected` : html``}>${o}</option>`)}</select>${issuesFor(issues, name)}</label>`;

  const trunks = (get(values, 'pbx.trunks') as readonly TrunkSetting[] | undefined) ?? [];
  const rows = [...trunks, { endpoint: '' } as TrunkSetting].map((_, i) => {
    const p = `pbx.trunks.${i}.`;
    return html`<tr>${(['endpoint', 'line', 'lineName', 'crmSource', 'defaultUserId'] as const).map((k) => html`<td><input name="${p + k}" value="${v(p + k)}" size="12">${issuesFor(issues, p + k)}</td>`)}
<td><input type="checkbox" name="${p}crmCreate"${get(values, `${p}crmCreate`) !== false ? html` checked` : html``}></td></tr>`;
  });
  const hookRows = HOOK_POINTS.map((point) => {
    const spec = HOOK_POINT_SPECS[point];
    const url = `hooks.urls.${point}`;
    const ms = `hooks.timeouts.${point}`;
    const timeout = spec.timeoutOverridable
      ? html`<input name="${ms}" value="${v(ms)}" size="6" inputmode="numeric" placeholder="${v('hooks.timeoutMs')}" aria-label="${point} ${t('settings.hookTimeout')}">${issuesFor(issues, ms)}`
      : html`<span title="${t('settings.hookTimeoutFixed')}">${spec.defaultTimeoutMs} ${t('settings.hookFixed')}</span>`;
    return html`<tr><td><code>${point}</code></td><td><input type="url" name="${url}" value="${v(url)}" size="32" aria-label="${point} URL">${issuesFor(issues, url)}</td><td>${timeout}</td></tr>`;
  });
  const top = issues.length ? html`<div class="flash error" role="alert"><p>${t('settings.invalid', { count: issues.length })}</p><ul id="issues">${issues.map((i) => html`<li><code>${i.path}</code>: ${i.message}</li>`)}</ul></div>` : html``;

  const admin = mayChange(ctx);
  return layout(ctx, 'settings', t('settings.title'), html`${flash(message)}${top}<p>${t('settings.intro')}</p>
${admin ? html`` : html`<p class="flash" id="read-only">${t('viewer.readOnly')}</p>`}
${admin ? html`<form method="post" action="/settings" id="settings">${csrfField(ctx)}<fieldset class="plain">` : html`<form id="settings" class="read-only"><fieldset class="plain" disabled>`}
<fieldset><legend>${t('settings.lists')}</legend><div class="cols">
<div><h3>${t('settings.black')}</h3>${list('lists.black.numbers', t('settings.numbers'))}${list('lists.black.extensions', t('settings.extensions'))}${list('lists.black.trunks', t('settings.trunks'))}</div>
<div><h3>${t('settings.white')}</h3>${list('lists.white.numbers', t('settings.numbers'))}${list('lists.white.extensions', t('settings.extensions'))}${list('lists.white.trunks', t('settings.trunks'))}</div></div></fieldset>
<fieldset><legend>${t('settings.trunksTitle')}</legend><table><thead><tr><th>${t('settings.endpoint')}</th><th>${t('settings.line')}</th><th>${t('settings.lineName')}</th><th>${t('settings.crmSource')}</th><th>${t('settings.defaultUser')}</th><th>${t('settings.crmCreate')}</th></tr></thead><tbody>${rows}</tbody></table>${issuesFor(issues, 'pbx.trunks')}</fieldset>
<fieldset><legend>${t('settings.fmc')}</legend><p>${t('settings.fmcIntro')}</p>${check('pbx.fmc.enabled', t('settings.fmcOn'))}${list('pbx.fmc.fields', t('settings.fmcFields'))}
<label>${t('settings.fmcNumbers')}<textarea name="pbx.fmc.numbers" rows="3">${fmcNumbers(get(values, 'pbx.fmc.numbers'))}</textarea>${issuesFor(issues, 'pbx.fmc.numbers')}</label>${text('pbx.fmc.matchDigits', t('settings.fmcDigits'))}${text('pbx.voteVariable', t('settings.voteVariable'))}</fieldset>
<fieldset><legend>${t('settings.calls')}</legend>${text('calls.defaultUserId', t('settings.defaultUser'))}${text('calls.missedUserId', t('settings.missedUser'))}
${select('calls.transferMode', t('settings.transferMode'), ['longest-talker', 'per-leg'])}${check('calls.internal', t('settings.internal'))}</fieldset>
<fieldset><legend>${t('settings.tasks')}</legend>${check('tasks.missedCalls', t('settings.tasksOn'))}${check('tasks.completeOnContact', t('settings.tasksCompleteOnContact'))}${select('tasks.responsible', t('settings.tasksResponsible'), ['entity-owner', 'last-rung', 'default'])}
${text('tasks.deadlineMinutes', t('settings.tasksDeadline'))}${select('tasks.deadlineIn', t('settings.tasksDeadlineIn'), ['calendar', 'working-hours'])}${text('tasks.title', t('settings.tasksTitle'))}</fieldset>
<fieldset><legend>${t('settings.recordings')}</legend>${check('recordings.enabled', t('settings.recordingsOn'))}${select('recordings.mode', t('settings.recordingsMode'), ['file', 'link'])}${check('recordings.convertToMp3', t('settings.mp3'))}</fieldset>
<fieldset><legend>${t('settings.hooks')}</legend>${text('hooks.dir', t('settings.hooksDir'))}${list('hooks.disabled', t('settings.hooksDisabled'))}${text('hooks.timeoutMs', t('settings.hooksTimeout'))}
<table class="hook-points"><thead><tr><th>${t('settings.hookPoint')}</th><th>${t('settings.hookUrl')}</th><th>${t('settings.hookTimeout')}</th></tr></thead><tbody>${hookRows}</tbody></table></fieldset>
<fieldset><legend>${t('settings.cdr')}</legend><p>${t('settings.cdrIntro')}</p>${text('cdr.csvPath', t('settings.cdrPath'))}${check('cdr.usegmtime', 'usegmtime')}${check('cdr.loguniqueid', 'loguniqueid')}${check('cdr.loguserfield', 'loguserfield')}${check('cdr.newcdrcolumns', 'newcdrcolumns')}${text('cdr.timezone', t('settings.cdrTimezone'))}</fieldset>
</fieldset>${admin ? html`<button type="submit">${t('settings.save')}</button>` : html``}</form>
${admin ? html`<form method="post" action="/settings/reset" id="settings-reset">${csrfField(ctx)}<p>${t('settings.resetIntro')}</p><button type="submit" class="secondary">${t('settings.reset')}</button></form>` : html``}`);
}
