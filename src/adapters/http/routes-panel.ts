/**
 * The panel pages, their live fragments and their actions. Every route is behind the session
 * guard (POSTs also behind its CSRF check); every page is server-rendered through `html`.
 */
import { csvDownload } from './csv-download.js';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { errorCode } from '../../errors.js';
import type { Logger } from '../../log.js';
import { COMMAND_STATES, type CommandState } from '../../outbox/command.js';
import { auditEntry, settingsEntry, type AuditAction } from './audit.js';
import type { SafeHtml } from './html.js';
import type { ChartRange, PanelPort } from './panel-port.js';
import { callBody, callDetailPage } from './pages/call-detail.js';
import { chartsPage } from './pages/charts.js';
import { healthTiles, liveCallsTable, outboxSummary } from './pages/components.js';
import { dashboardPage } from './pages/dashboard.js';
import { parseDay } from './pages/format.js';
import { historyPage } from './pages/history.js';
import { historyCsv } from './history-csv.js';
import { hooksPage, type DryRunShown } from './pages/hooks.js';
import type { PageCtx } from './pages/layout.js';
import { outboxPage } from './pages/outbox.js';
import { settingsFromForm } from './pages/settings-form.js';
import { settingsPage } from './pages/settings.js';
import { EDITABLE_SECTIONS, type EditableSection } from './settings-schema.js';
import { readForm, type PanelEnv } from './routes-auth.js';
import type { TFunction } from './ui/texts/index.js';

export interface PanelRouteDeps {
  readonly panel: PanelPort;
  readonly t: TFunction;
  readonly now: () => number;
  readonly logger: Logger;
  readonly clientIp: (c: Context) => string;
}

const HISTORY_PAGE = 50;

function first(v: string | readonly string[] | undefined): string | undefined {
  return typeof v === 'string' ? v : v?.[0];
}

/** A local path to go back to after an action (never another site). */
function safeBack(v: string | undefined, fallback: string): string {
  return v && v.startsWith('/') && !v.startsWith('//') && !v.includes('\\') ? v : fallback;
}

export function mountPanel(app: Hono<PanelEnv>, deps: PanelRouteDeps, guard: MiddlewareHandler<PanelEnv>): void {
  const { panel, t } = deps;
  /** `?saved=lists,tasks` after a save: which sections now apply (unknown names are ignored). */
  const savedMessage = (q: string | undefined): string | undefined => {
    if (q === undefined) return undefined;
    const names = q.split(',').filter((s): s is EditableSection => (EDITABLE_SECTIONS as readonly string[]).includes(s));
    if (names.length === 0) return t('settings.unchanged');
    return t('settings.saved', { sections: names.map((s) => t(`settings.section.${s}`)).join(', ') });
  };
  const ctx = (c: Context<PanelEnv>): PageCtx => {
    const s = c.get('session');
    return { t, csrf: s.csrf, user: s.user, role: s.role, now: deps.now() };
  };
  const actor = (c: Context<PanelEnv>) => ({ user: c.get('session').user, role: c.get('session').role, ip: deps.clientIp(c) });
  /** Records a change; a store failure is logged, never hides that the change was made. */
  const audit = async (entry: ReturnType<typeof auditEntry>): Promise<void> => {
    if (entry.action.startsWith('settings.') && entry.target === '') return; // a save that changed nothing
    try {
      await panel.audit.append(entry);
    } catch (e) {
      deps.logger.error({ code: 'HTTP_AUDIT_FAILED', err: errorCode(e), action: entry.action, user: entry.user }, 'audit entry not stored');
    }
  };
  const record = (c: Context<PanelEnv>, action: AuditAction, target: string, details: unknown): Promise<void> =>
    audit(auditEntry(actor(c), deps.now(), action, target, details));
  const page = (c: Context<PanelEnv>, body: SafeHtml, status: 200 | 404 | 422 = 200): Response => c.html(body.value, status);

  app.get('/', guard, async (c) => {
    const [health, live] = await Promise.all([panel.health(), panel.liveCalls()]);
    return page(c, dashboardPage(ctx(c), { health, live, limiter: panel.limiter(), hooks: panel.hookStats() }));
  });
  app.get('/fragments/health', guard, async (c) => page(c, healthTiles(ctx(c), await panel.health())));
  app.get('/fragments/live-calls', guard, async (c) => page(c, liveCallsTable(ctx(c), await panel.liveCalls())));
  app.get('/fragments/outbox-summary', guard, async (c) => page(c, outboxSummary(ctx(c), await panel.health())));
  app.get('/fragments/call/:key', guard, async (c) => {
    const d = await panel.call(c.req.param('key'));
    return d ? page(c, callBody(ctx(c), d)) : c.text(t('error.notFound'), 404);
  });

  app.get('/calls', guard, async (c) => {
    const q = c.req.query();
    const f = {
      number: (q.number ?? '').trim(), extension: (q.extension ?? '').trim(), from: q.from ?? '', to: q.to ?? '',
      offset: Math.max(0, Math.floor(Number(q.offset ?? 0)) || 0), limit: HISTORY_PAGE,
    };
    const from = parseDay(f.from);
    const to = parseDay(f.to, true);
    const result = await panel.history({
      limit: f.limit, offset: f.offset,
      ...(f.number ? { number: f.number } : {}), ...(f.extension ? { extension: f.extension } : {}),
      ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}),
    });
    return page(c, historyPage(ctx(c), f, result));
  });
  app.get('/calls.csv', guard, (c) => {
    const q = c.req.query();
    const from = parseDay(q.from ?? '');
    const to = parseDay(q.to ?? '', true);
    const number = (q.number ?? '').trim();
    const extension = (q.extension ?? '').trim();
    const filter = { ...(number ? { number } : {}), ...(extension ? { extension } : {}), ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
    const rows = historyCsv((x) => panel.history(x), filter);
    return csvDownload(rows, 'calls', deps.now());
  });
  app.get('/calls/:key', guard, async (c) => {
    const d = await panel.call(c.req.param('key'));
    return d ? page(c, callDetailPage(ctx(c), d)) : c.text(t('error.notFound'), 404);
  });

  app.get('/outbox', guard, async (c) => {
    const s = c.req.query('state');
    const state: CommandState = (COMMAND_STATES as readonly string[]).includes(s ?? '') ? (s as CommandState) : 'dead';
    const id = c.req.query('id') ?? '';
    const done = c.req.query('done');
    const message = done === 'retried' ? t('outbox.retried', { id }) : done === 'discarded' ? t('outbox.discarded', { id }) : done === 'noop' ? t('outbox.notDead', { id }) : undefined;
    return page(c, outboxPage(ctx(c), state, await panel.outbox.list({ state, limit: 200 }), message));
  });
  for (const action of ['retry', 'discard'] as const) {
    app.post(`/outbox/:id/${action}`, guard, async (c) => {
      const id = Number(c.req.param('id'));
      const form = await readForm(c);
      const ok = Number.isInteger(id) && id > 0 && (await panel.outbox[action](id));
      await record(c, `outbox.${action}`, c.req.param('id'), { id: c.req.param('id'), ok });
      deps.logger.info({ id, action, ok, user: c.get('session').user }, 'outbox command changed by hand');
      const back = safeBack(first(form.back), `/outbox?state=${action === 'retry' ? 'pending' : 'discarded'}`);
      const sep = back.includes('?') ? '&' : '?';
      return c.redirect(`${back}${sep}done=${ok ? (action === 'retry' ? 'retried' : 'discarded') : 'noop'}&id=${ok ? id : encodeURIComponent(c.req.param('id'))}`, 303);
    });
  }

  app.get('/settings', guard, async (c) => page(c, settingsPage(ctx(c), await panel.settings.get(), [], savedMessage(c.req.query('saved')))));
  app.post('/settings', guard, async (c) => {
    const before = await panel.settings.get();
    const candidate = settingsFromForm(before, await readForm(c));
    const result = await panel.settings.save(candidate);
    if (!result.ok) return page(c, settingsPage(ctx(c), candidate, result.issues), 422);
    await audit(settingsEntry(actor(c), deps.now(), 'settings.save', before, await panel.settings.get()));
    deps.logger.info({ user: c.get('session').user, applied: result.applied }, 'settings saved from the panel');
    return c.redirect(`/settings?saved=${encodeURIComponent(result.applied.join(',') || '-')}`, 303);
  });
  app.post('/settings/reset', guard, async (c) => {
    const before = await panel.settings.get();
    const result = await panel.settings.reset();
    await audit(settingsEntry(actor(c), deps.now(), 'settings.reset', before, await panel.settings.get()));
    deps.logger.info({ user: c.get('session').user, applied: result.ok ? result.applied : [] }, 'settings reset to the config file from the panel');
    return c.redirect(`/settings?saved=${encodeURIComponent((result.ok ? result.applied : []).join(',') || '-')}`, 303);
  });

  const hooks = async (c: Context<PanelEnv>, dry?: DryRunShown, message?: string): Promise<Response> =>
    page(c, hooksPage(ctx(c), await panel.hooks.list(), panel.hookStats(), dry, message));
  app.get('/hooks', guard, (c) => hooks(c));
  app.post('/hooks/dry-run', guard, async (c) => {
    const form = await readForm(c);
    const point = first(form.point) ?? '';
    const input = first(form.input) ?? '{}';
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch {
      parsed = undefined;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return hooks(c, { point, input, error: t('hooks.badJson') });
    try {
      return await hooks(c, { point, input, result: await panel.hooks.dryRun(point, parsed as Record<string, unknown>) });
    } catch (e) {
      return hooks(c, { point, input, error: `${errorCode(e)}: ${e instanceof Error ? e.message : String(e)}` });
    }
  });
  app.post('/hooks/:point/enabled', guard, async (c) => {
    const on = first((await readForm(c)).on) === '1';
    try {
      await panel.hooks.setEnabled(c.req.param('point'), on);
      await record(c, on ? 'hooks.enable' : 'hooks.disable', c.req.param('point'), { point: c.req.param('point'), on });
    } catch (e) {
      return hooks(c, undefined, `${errorCode(e)}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return c.redirect('/hooks', 303);
  });

  app.get('/charts', guard, async (c) => {
    const range: ChartRange = c.req.query('range') === '7d' ? '7d' : '24h';
    return page(c, chartsPage(ctx(c), await panel.charts(range)));
  });
}
