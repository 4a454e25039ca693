/**
 * The console's stylesheet, served at /admin/assets/console.css. A module rather than a .css file
 * so the build (tsc alone) ships it; plain system fonts and tables readable on a laptop screen.
 */
export const CONSOLE_CSS = `
:root { --fg: #1d2430; --muted: #667085; --line: #d9dee7; --bg: #f7f8fa; --accent: #2952cc;
  --ok: #13795b; --warn: #9a6700; --bad: #b42318; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
header.top { display: flex; align-items: center; gap: 24px; padding: 10px 24px; background: #fff; border-bottom: 1px solid var(--line); }
header.top .brand { font-weight: 600; text-decoration: none; color: var(--fg); }
.main-nav { display: flex; gap: 16px; flex: 1; }
.signout { display: flex; gap: 10px; align-items: center; margin: 0; }
.who { color: var(--muted); }
main { max-width: 1200px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 8px 0 16px; word-break: break-word; }
h2 { font-size: 17px; margin: 28px 0 10px; }
.trail { font-size: 13px; color: var(--muted); }
.notice { background: #e8f3ee; border: 1px solid #b7dccb; padding: 8px 12px; border-radius: 4px; }
.error-box { background: #fdecea; border: 1px solid #f4b8b0; padding: 8px 12px; border-radius: 4px; }
.secret { font: 14px/1.4 ui-monospace, Menlo, Consolas, monospace; background: #fff8e1; border: 1px solid #f0d98c; padding: 10px 12px; border-radius: 4px; word-break: break-all; user-select: all; }
.muted { color: var(--muted); }
code, .mono { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; word-break: break-word; }
th { background: #f0f2f5; font-weight: 600; font-size: 13px; word-break: normal; white-space: nowrap; }
tr:hover td { background: #fafbfc; }
tr.unhealthy td { background: #fff4f2; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; background: #fff; border: 1px solid var(--line); padding: 12px 16px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; word-break: break-word; }
time { white-space: nowrap; }
form.inline { display: inline; }
form.stack { display: grid; gap: 10px; max-width: 420px; background: #fff; border: 1px solid var(--line); padding: 16px; }
form.row { display: flex; gap: 8px; align-items: end; flex-wrap: wrap; margin: 8px 0; }
label { display: grid; gap: 3px; font-size: 13px; color: var(--muted); }
input, select, button { font: inherit; padding: 5px 8px; border: 1px solid #b9c0cc; border-radius: 4px; background: #fff; color: var(--fg); }
button { cursor: pointer; background: #eef1f6; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.danger { color: var(--bad); }
.badge { white-space: nowrap; display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px; border: 1px solid; }
.badge-ok { color: var(--ok); border-color: #9fd3bf; background: #e8f6f0; }
.badge-warn { color: var(--warn); border-color: #ecd28a; background: #fff7e0; }
.badge-bad { color: var(--bad); border-color: #f1a9a0; background: #fdecea; }
.badge-muted { color: var(--muted); border-color: var(--line); background: #f3f4f6; }
.pager { display: flex; gap: 16px; margin: 10px 0; }
.links { display: flex; gap: 14px; flex-wrap: wrap; margin: 8px 0 4px; }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
@media (max-width: 900px) { .columns { grid-template-columns: 1fr; } }
ol.steps li { margin-bottom: 6px; }
`;
