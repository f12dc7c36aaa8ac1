/** Dashboard: health, live calls (refreshed over SSE), outbox, rate-limit budget, hook failures. */
import { html, type SafeHtml } from '../html.js';
import type { CallView, HealthView, HookPointStats } from '../panel-port.js';
import type { LimiterStats } from '../../bitrix/limiter.js';
import { healthTiles, hookFailures, limiterBudget, liveCallsTable, outboxSummary } from './components.js';
import { layout, type PageCtx } from './layout.js';

export interface DashboardData {
  readonly health: HealthView;
  readonly live: readonly CallView[];
  readonly limiter: LimiterStats;
  readonly hooks: Readonly<Record<string, HookPointStats>>;
}

export function dashboardPage(ctx: PageCtx, d: DashboardData): SafeHtml {
  const { t } = ctx;
  return layout(ctx, 'dashboard', t('nav.dashboard'), html`
<section id="health" data-fragment="/fragments/health" data-live="health outbox">${healthTiles(ctx, d.health)}</section>
<section><h2>${t('live.title')}</h2><div id="live-calls" data-fragment="/fragments/live-calls" data-live="call">${liveCallsTable(ctx, d.live)}</div></section>
<div class="cols">
<section><h2>${t('dash.outbox')}</h2><div id="outbox-summary" data-fragment="/fragments/outbox-summary" data-live="outbox">${outboxSummary(ctx, d.health)}</div></section>
<section><h2>${t('dash.limiter')}</h2>${limiterBudget(ctx, d.limiter)}</section>
<section><h2>${t('dash.hooks')}</h2>${hookFailures(ctx, d.hooks)}</section>
</div>`);
}
