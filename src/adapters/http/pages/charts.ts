/**
 * Charts as inline SVG built from numbers only (no script, no library): calls per hour,
 * answered vs missed, REST requests against the limit.
 */
import { html, type SafeHtml } from '../html.js';
import type { ChartBucket, ChartSeries } from '../panel-port.js';
import { layout, type PageCtx } from './layout.js';

const W = 720;
const H = 180;
const PAD = 28;

function label(b: ChartBucket, bucketMs: number): string {
  const iso = new Date(b.start).toISOString();
  return bucketMs >= 86_400_000 ? iso.slice(5, 10) : bucketMs > 3_600_000 ? `${iso.slice(5, 10)} ${iso.slice(11, 13)}h` : `${iso.slice(11, 13)}h`;
}

function frame(title: string, max: number, inner: SafeHtml, legend: SafeHtml): SafeHtml {
  return html`<figure><figcaption>${title}</figcaption><svg viewBox="0 0 ${W} ${H + 20}" class="chart" role="img" aria-label="${title}">
<line x1="${PAD}" y1="${H}" x2="${W}" y2="${H}" class="axis"></line><text x="2" y="${PAD / 2 + 4}" class="tick">${max}</text><text x="2" y="${H}" class="tick">0</text>${inner}</svg>${legend}</figure>`;
}

/** Stacked bars; each series is [values, css class]. */
function bars(s: ChartSeries, series: readonly (readonly [readonly number[], string])[], title: string, legend: SafeHtml): SafeHtml {
  const n = Math.max(1, s.buckets.length);
  const max = Math.max(1, ...s.buckets.map((_, i) => series.reduce((a, [v]) => a + (v[i] ?? 0), 0)));
  const bw = (W - PAD) / n;
  const scale = (H - PAD / 2) / max;
  const parts = s.buckets.map((b, i) => {
    let y = H;
    const rects = series.map(([v, cls]) => {
      const h = (v[i] ?? 0) * scale;
      y -= h;
      return html`<rect x="${(PAD + i * bw + 1).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${h.toFixed(1)}" class="${cls}"><title>${label(b, s.bucketMs)}: ${v[i] ?? 0}</title></rect>`;
    });
    const tick = i % Math.ceil(n / 8) === 0 ? html`<text x="${(PAD + i * bw).toFixed(1)}" y="${H + 14}" class="tick">${label(b, s.bucketMs)}</text>` : html``;
    return html`${rects}${tick}`;
  });
  return frame(title, max, html`${parts}`, legend);
}

function restLine(ctx: PageCtx, s: ChartSeries): SafeHtml {
  const { t } = ctx;
  const n = Math.max(1, s.buckets.length);
  const max = Math.max(1, ...s.buckets.map((b) => Math.max(b.restRequests, b.restLimit)));
  const bw = (W - PAD) / n;
  const y = (v: number): string => (H - (v * (H - PAD / 2)) / max).toFixed(1);
  const pts = (f: (b: ChartBucket) => number): string => s.buckets.map((b, i) => `${(PAD + i * bw + bw / 2).toFixed(1)},${y(f(b))}`).join(' ');
  return frame(t('charts.rest'), max, html`<polyline points="${pts((b) => b.restLimit)}" class="line-limit"></polyline><polyline points="${pts((b) => b.restRequests)}" class="line-req"></polyline>`,
    html`<p class="legend"><span class="key req"></span>${t('charts.requests')} <span class="key limit"></span>${t('charts.limit')}</p>`);
}

export function chartsPage(ctx: PageCtx, s: ChartSeries): SafeHtml {
  const { t } = ctx;
  const calls = s.buckets.map((b) => b.calls);
  const legend = html`<p class="legend"><span class="key answered"></span>${t('charts.answered')} <span class="key missed"></span>${t('charts.missed')}</p>`;
  return layout(ctx, 'charts', t('charts.title'), html`<nav class="tabs"><a href="/charts?range=24h"${s.range === '24h' ? html` class="active"` : html``}>${t('charts.range24h')}</a>
<a href="/charts?range=7d"${s.range === '7d' ? html` class="active"` : html``}>${t('charts.range7d')}</a></nav>
${bars(s, [[calls, 'bar-calls']], t('charts.callsPerHour'), html``)}
${bars(s, [[s.buckets.map((b) => b.answered), 'bar-answered'], [s.buckets.map((b) => b.missed), 'bar-missed']], t('charts.answeredMissed'), legend)}
${restLine(ctx, s)}`);
}
