/** The panel's stylesheet (served as /static/panel.css). Health colours: ok green, warn amber, bad red. */
export const PANEL_CSS = `
:root { --ok: #1f8a4c; --warn: #c07d00; --bad: #c62828; --muted: #6b7280; --bg: #f6f7f9; --fg: #1f2937; --line: #e5e7eb; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.2rem; background: #111827; color: #fff; }
header nav a { color: #d1d5db; margin-right: 1rem; text-decoration: none; }
header nav a.active { color: #fff; border-bottom: 2px solid #60a5fa; }
.brand { font-size: 1.05rem; }
.logout { margin-left: auto; color: #d1d5db; }
main { padding: 1rem 1.5rem; max-width: 1400px; }
main.login { max-width: 360px; margin: 10vh auto; background: #fff; padding: 2rem; border-radius: 8px; border: 1px solid var(--line); }
main.login label { display: block; margin: .6rem 0; }
main.login input { width: 100%; }
h1 { font-size: 1.4rem; margin: .4rem 0 1rem; } h2 { font-size: 1.1rem; margin: 1.2rem 0 .5rem; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .6rem 1rem; margin-bottom: 1rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: #374151; }
pre { margin: .2rem 0; font-size: 12px; background: #f3f4f6; padding: .4rem; border-radius: 4px; max-width: 520px; overflow: auto; }
code { font-size: 12px; }
.tiles { display: flex; gap: 1rem; flex-wrap: wrap; }
.tile { flex: 1 1 220px; border-radius: 8px; padding: .5rem 1rem; color: #fff; }
.tile h3 { margin: .2rem 0; font-size: 1rem; } .tile p { margin: .2rem 0; }
.tile.ok { background: var(--ok); } .tile.warn { background: var(--warn); } .tile.bad { background: var(--bad); }
.cols { display: flex; gap: 1rem; flex-wrap: wrap; } .cols > * { flex: 1 1 300px; }
span.muted { color: var(--muted); font-size: 12px; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 10px; font-size: 12px; color: #fff; background: var(--muted); }
.badge.ok, .badge.state-done { background: var(--ok); } .badge.warn, .badge.state-pending, .badge.state-running { background: var(--warn); }
.badge.state-dead { background: var(--bad); } .badge.muted, .badge.state-discarded { background: var(--muted); }
.conv { display: inline-block; padding: 0 .35rem; border-radius: 4px; background: #e5e7eb; }
.conv.conversation_requested { background: #fde68a; } .conv.conversation_accepted { background: #bbf7d0; }
.flash { padding: .5rem .8rem; border-radius: 6px; background: #e0f2fe; } .flash.error { background: #fee2e2; color: #7f1d1d; }
.field-error { display: block; color: var(--bad); font-size: 12px; }
.err { color: var(--bad); } .bad-link { color: var(--bad); font-weight: 600; }
.empty { color: var(--muted); }
form.inline { display: inline; }
form.search label { margin-right: .8rem; }
fieldset { background: #fff; border: 1px solid var(--line); border-radius: 8px; margin-bottom: 1rem; }
fieldset.plain { border: 0; padding: 0; margin: 0; background: none; min-width: 0; }
fieldset label { display: block; margin: .4rem 0; } fieldset textarea { display: block; width: 100%; }
label.check { display: block; }
button { background: #2563eb; color: #fff; border: 0; border-radius: 5px; padding: .35rem .9rem; cursor: pointer; }
button.secondary { background: #6b7280; }
.tabs a { margin-right: 1rem; } .tabs a.active { font-weight: 700; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; } dl.facts dt { font-weight: 600; }
.why tr.ok th { color: var(--ok); } .why tr.no th { color: var(--bad); }
svg.meter { width: 100%; max-width: 420px; height: 14px; } .meter-bg { fill: #e5e7eb; }
svg.meter.ok .meter-fill { fill: var(--ok); } svg.meter.warn .meter-fill { fill: var(--warn); } svg.meter.bad .meter-fill { fill: var(--bad); }
figure { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .5rem 1rem; margin: 0 0 1rem; }
figcaption { font-weight: 600; } svg.chart { width: 100%; max-width: 900px; }
.axis { stroke: #9ca3af; } .tick { font-size: 10px; fill: var(--muted); }
.bar-calls { fill: #3b82f6; } .bar-answered { fill: var(--ok); } .bar-missed { fill: var(--bad); }
.line-req { fill: none; stroke: #3b82f6; stroke-width: 2; } .line-limit { fill: none; stroke: var(--bad); stroke-dasharray: 4 3; }
.legend .key { display: inline-block; width: 10px; height: 10px; margin: 0 .3rem 0 .8rem; }
.key.answered { background: var(--ok); } .key.missed { background: var(--bad); } .key.req { background: #3b82f6; } .key.limit { background: var(--bad); }
`;
