/**
 * Prometheus metrics of the connector, on its own prom-client Registry (never the global one, so
 * tests and several instances do not collide). The rest of the connector calls the small methods
 * below; gauges that mirror a state (outbox, limiter, AMI) are set by whoever owns that state.
 * Names are listed in docs/admin-panel.md.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricsOptions {
  /** Also export process_* and nodejs_* metrics. Default false. */
  readonly defaultMetrics?: boolean;
  /** Default 'asterisk_b24_'. */
  readonly prefix?: string;
}

export interface MetricsRegistry {
  readonly registry: Registry;
  readonly contentType: string;
  /** A call reached `stage`; status is the Bitrix24 STATUS_CODE at call_ended, else ''. */
  callStage(stage: string, direction: string, status?: string): void;
  /** One REST request (a batch counts once, under method 'batch'). `code` is set on failure. */
  restRequest(method: string, ok: boolean, seconds: number, code?: string): void;
  /** The limiter made a request wait. */
  limiterWait(seconds: number): void;
  /** Current bucket level and capacity. */
  limiterLevel(level: number, capacity: number): void;
  amiConnected(on: boolean): void;
  amiReconnect(): void;
  outbox(stats: { depth: number; oldestAgeMs: number; dead: number }): void;
  /** One hook run; `code` is the failure code when it failed. */
  hookRun(point: string, ok: boolean, seconds: number, code?: string): void;
  /** Calls rebuilt from the CDR after an AMI gap (and skipped as already known). */
  cdrBackfill(calls: number, skipped: number): void;
  /** One FastAGI route decision (OK / NOROUTE / CLOSED / ERROR and why). */
  agiRoute(status: string, reason: string): void;
  /** FMC: a conversation on an employee's mobile reached `stage`. */
  mobileConversation(stage: string): void;
  /** A call ended with the caller's rating (1–5) from the rating IVR. */
  callVote(vote: number): void;
  /** Prometheus text exposition. */
  text(): Promise<string>;
}

export function createMetrics(options: MetricsOptions = {}): MetricsRegistry {
  const p = options.prefix ?? 'asterisk_b24_';
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: p });
  const reg = [registry];

  const calls = new Counter({ name: `${p}call_stages_total`, help: 'Call stage changes by stage, direction and status', labelNames: ['stage', 'direction', 'status'], registers: reg });
  const rest = new Counter({ name: `${p}rest_requests_total`, help: 'Bitrix24 REST requests by method and result', labelNames: ['method', 'result'], registers: reg });
  const restErrors = new Counter({ name: `${p}rest_errors_total`, help: 'Bitrix24 REST errors by method and code', labelNames: ['method', 'code'], registers: reg });
  const restLatency = new Histogram({
    name: `${p}rest_request_duration_seconds`, help: 'Bitrix24 REST latency by method', labelNames: ['method'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers: reg,
  });
  const waits = new Counter({ name: `${p}limiter_waits_total`, help: 'Requests the rate limiter made wait', registers: reg });
  const waitSeconds = new Counter({ name: `${p}limiter_wait_seconds_total`, help: 'Total time requests waited in the rate limiter', registers: reg });
  const level = new Gauge({ name: `${p}limiter_bucket_level`, help: 'Rate limiter bucket level (requests)', registers: reg });
  const capacity = new Gauge({ name: `${p}limiter_bucket_capacity`, help: 'Rate limiter bucket capacity (requests)', registers: reg });
  const amiUp = new Gauge({ name: `${p}ami_connected`, help: '1 when the AMI connection is up', registers: reg });
  const amiReconnects = new Counter({ name: `${p}ami_reconnects_total`, help: 'AMI reconnections', registers: reg });
  const depth = new Gauge({ name: `${p}outbox_depth`, help: 'Outbox commands pending or running', registers: reg });
  const age = new Gauge({ name: `${p}outbox_oldest_age_seconds`, help: 'Age of the oldest pending outbox command', registers: reg });
  const dead = new Gauge({ name: `${p}outbox_dead`, help: 'Dead outbox commands waiting for a human', registers: reg });
  const hookTime = new Histogram({
    name: `${p}hook_duration_seconds`, help: 'Hook run time by point', labelNames: ['point'],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 3, 10], registers: reg,
  });
  const backfilled = new Counter({ name: `${p}cdr_backfilled_calls_total`, help: 'Calls that ended while the connector was away, registered from the CDR', registers: reg });
  const backfillSkipped = new Counter({ name: `${p}cdr_backfill_skipped_calls_total`, help: 'CDR calls of an AMI gap that were already known', registers: reg });
  const routes = new Counter({ name: `${p}agi_routes_total`, help: 'FastAGI route decisions by status and reason', labelNames: ['status', 'reason'], registers: reg });
  const hookFailures = new Counter({ name: `${p}hook_failures_total`, help: 'Hook failures by point and code', labelNames: ['point', 'code'], registers: reg });
  const mobile = new Counter({ name: `${p}mobile_conversations_total`, help: 'FMC: conversations on employees\' mobiles by stage', labelNames: ['stage'], registers: reg });
  const votes = new Counter({ name: `${p}call_votes_total`, help: 'Calls rated by the caller in the rating IVR, by rating', labelNames: ['vote'], registers: reg });

  return {
    registry,
    contentType: registry.contentType,
    callStage(stage, direction, status = '') {
      calls.inc({ stage, direction, status });
    },
    restRequest(method, ok, seconds, code) {
      rest.inc({ method, result: ok ? 'ok' : 'error' });
      restLatency.observe({ method }, seconds);
      if (!ok) restErrors.inc({ method, code: code ?? 'UNKNOWN' });
    },
    limiterWait(seconds) {
      waits.inc();
      waitSeconds.inc(seconds);
    },
    limiterLevel(l, c) {
      level.set(l);
      capacity.set(c);
    },
    amiConnected(on) {
      amiUp.set(on ? 1 : 0);
    },
    amiReconnect() {
      amiReconnects.inc();
    },
    outbox(s) {
      depth.set(s.depth);
      age.set(s.oldestAgeMs / 1000);
      dead.set(s.dead);
    },
    hookRun(point, ok, seconds, code) {
      hookTime.observe({ point }, seconds);
      if (!ok) hookFailures.inc({ point, code: code ?? 'HOOK_FAILED' });
    },
    agiRoute(status, reason) {
      routes.inc({ status, reason });
    },
    mobileConversation(stage) {
      mobile.inc({ stage });
    },
    callVote(vote) {
      votes.inc({ vote: String(vote) });
    },
    cdrBackfill(n, skipped) {
      backfilled.inc(n);
      backfillSkipped.inc(skipped);
    },
    text() {
      return registry.metrics();
    },
  };
}
