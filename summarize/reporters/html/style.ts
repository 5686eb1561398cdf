/** The report's stylesheet, inlined: system fonts, readable in print, no external resource. */
export const STYLE = `
:root { color-scheme: light; --fg: #1d1d1f; --muted: #5f6368; --line: #d9d9de; --head: #f3f4f6; --accent: #1f5fbf; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg); background: #fff; }
header, main, footer { max-width: 1280px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 18px; border-bottom: 1px solid var(--line); }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 28px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 18px 0 8px; }
.meta, .hint, footer { color: var(--muted); font-size: 13px; }
nav { margin: 8px 0 12px; font-size: 14px; }
a { color: var(--accent); }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f5f5f7; padding: 0 3px; border-radius: 3px; }
#tldr li { margin: 4px 0; font-size: 16px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0 16px; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; white-space: nowrap; }
th { background: var(--head); cursor: pointer; user-select: none; }
.scroll { overflow-x: auto; }
th[aria-sort="ascending"]::after { content: " ▲"; font-size: 10px; }
th[aria-sort="descending"]::after { content: " ▼"; font-size: 10px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:hover { background: #fafafc; }
.state-failed, .state-timed-out, .state-interrupted { color: #b00020; font-weight: 600; }
.state-skipped { color: var(--muted); }
.plots { display: flex; flex-wrap: wrap; gap: 12px; }
figure.plot { margin: 0; border: 1px solid var(--line); padding: 6px; flex: 1 1 560px; max-width: 100%; overflow-x: auto; }
figure.plot.wide { flex-basis: 100%; }
figure.plot svg { display: block; width: 100%; max-width: var(--w, 100%); height: auto; }
figcaption { font-size: 12px; color: var(--muted); margin-top: 4px; }
button { font: inherit; font-size: 12px; padding: 1px 8px; cursor: pointer; }
.drill-row td { background: #fcfcfd; white-space: normal; }
.ts-plot { min-height: 40px; overflow-x: auto; }
.reason { color: #b00020; }
footer { border-top: 1px solid var(--line); margin-top: 32px; padding: 12px 20px 24px; }
@media print { nav, button { display: none; } }
`;
