/**
 * The page's only stylesheet: system fonts (no web fonts, nothing fetched), light and dark
 * palettes chosen for WCAG AA contrast (axe-core checks them in the browser tests).
 */
export const STYLES = `
:root{--bg:#ffffff;--fg:#1b1b1f;--muted:#55565c;--line:#d5d7dc;--panel:#f5f6f8;--sel:#dbe7ff;
--accent:#0b57d0;--bad:#a50e0e;--badbg:#fde8e8;--warn:#7a4b00;--warnbg:#fff3d6;--ok:#1e6b34;--okbg:#e3f4e7;
--tool:#4a2a8a;--toolbg:#efe8fb;--red:#6b3a00;--redbg:#ffe3b3;--ins:#d9f2df;--del:#fbe0e0;
--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-size:14px;color-scheme:light}
:root[data-theme=dark]{--bg:#16171b;--fg:#e8e8ea;--muted:#a9abb3;--line:#3a3c44;--panel:#1f2026;--sel:#24365c;
--accent:#8ab4f8;--bad:#ffb4ab;--badbg:#5c1616;--warn:#ffd58a;--warnbg:#4a3300;--ok:#9fe0b0;--okbg:#173d22;
--tool:#d6c2ff;--toolbg:#352456;--red:#ffd9a0;--redbg:#4d3200;--ins:#1d4a2a;--del:#5a2020;color-scheme:dark}
*{box-sizing:border-box}
html,body{margin:0;height:100%;background:var(--bg);color:var(--fg)}
#app{display:flex;flex-direction:column;height:100vh}
h1{font-size:18px;margin:0}h2{font-size:16px;margin:0 0 8px}h3{font-size:14px;margin:16px 0 6px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
button,select{font:inherit;color:var(--fg);background:var(--panel);border:1px solid var(--line);border-radius:4px;padding:3px 10px;cursor:pointer}
button:focus-visible,select:focus-visible,[tabindex]:focus-visible,summary:focus-visible{outline:2px solid var(--accent);outline-offset:1px}
button.link{border:none;background:none;color:var(--accent);text-decoration:underline;padding:0 4px}
.top{padding:10px 16px;border-bottom:1px solid var(--line);background:var(--panel)}
.title{display:flex;justify-content:space-between;align-items:center;gap:12px}
.actions{display:flex;gap:8px}
.file{font-family:var(--mono);font-weight:400}
.banner.synthetic{margin:8px 0;padding:8px 12px;background:var(--badbg);color:var(--bad);border:2px solid var(--bad);font-weight:700;border-radius:4px}
dl.meta{display:flex;flex-wrap:wrap;gap:4px 18px;margin:6px 0}
dl.meta dt{color:var(--muted)}dl.meta dd{margin:0 0 0 -12px}
.muted{color:var(--muted)}
.badge{display:inline-block;padding:0 6px;border-radius:8px;font-size:12px;line-height:18px;margin-right:4px;border:1px solid currentColor}
.badge.error{color:var(--bad);background:var(--badbg)}.badge.warn{color:var(--warn);background:var(--warnbg)}
.badge.ok{color:var(--ok);background:var(--okbg)}.badge.tool{color:var(--tool);background:var(--toolbg)}
.badge.redacted{color:var(--red);background:var(--redbg)}
mark.redacted{background:var(--redbg);color:var(--red);border-radius:3px;padding:0 2px;font-weight:600}
.tabs{display:flex;gap:2px;padding:0 16px;border-bottom:1px solid var(--line)}
.tabs [role=tab]{border:none;border-bottom:3px solid transparent;border-radius:0;background:none;padding:8px 12px}
.tabs [role=tab][aria-selected=true]{border-bottom-color:var(--accent);font-weight:600}
.panes{flex:1;display:grid;grid-template-columns:minmax(320px,42%) 1fr;min-height:0}
.list-pane{border-right:1px solid var(--line);min-height:0;display:flex}
.vlist{flex:1;overflow-y:auto;position:relative;min-height:120px}
.vlist .spacer{position:relative}
.vlist .row{position:absolute;left:0;right:0;height:30px;display:flex;gap:8px;align-items:center;padding:0 10px;white-space:nowrap;overflow:hidden;border-bottom:1px solid var(--line);cursor:pointer}
.vlist .row.selected{background:var(--sel)}
.vlist .row.flagged{box-shadow:inset 3px 0 var(--bad)}
.vlist .row.bad{background:var(--badbg)}
.vlist .row.future{color:var(--muted)}
.row>span{flex:none;overflow:hidden;text-overflow:ellipsis}
.row .num{font-family:var(--mono);width:44px}.row .prov{width:170px}.row .model{width:120px;color:var(--muted)}
.row .status{width:32px}.row .ms{width:64px;text-align:right}.row .tok{width:70px;text-align:right}.row .cost{width:78px;text-align:right}
.row .seq{width:40px}.row .ev{width:220px}.row .kind,.row .pair{width:110px}
.row .status.bad{color:var(--bad);font-weight:700}.row .ms,.row .tok,.row .cost,.row .seq{font-family:var(--mono);font-size:12px}
.row .preview,.row .flags{flex:1 1 auto;color:var(--muted);overflow:hidden;text-overflow:ellipsis}
.detail{overflow:auto;padding:12px 18px;min-height:0}
.diff-main{overflow:auto;padding:12px 18px;flex:1}
pre,.json{font-family:var(--mono);font-size:12px;white-space:pre-wrap;word-break:break-word;background:var(--panel);border:1px solid var(--line);border-radius:4px;padding:8px;margin:4px 0;max-height:480px;overflow:auto}
.text{white-space:pre-wrap;word-break:break-word;line-height:1.45}
ol.turns{list-style:none;padding:0;margin:0}
.turn{border-left:4px solid var(--line);padding:6px 10px;margin:6px 0;background:var(--panel);border-radius:0 4px 4px 0}
.turn.system{border-left-color:var(--muted)}.turn.user{border-left-color:var(--accent)}.turn.assistant{border-left-color:var(--ok)}.turn.tool{border-left-color:var(--tool)}
.turn .role{font-size:12px;font-weight:700;text-transform:uppercase;color:var(--muted);margin-bottom:4px}
.turn.only_b{background:var(--ins)}.turn.only_a{background:var(--del)}
.turn.only_b .role,.turn.only_a .role{color:var(--fg)}
.tool-call,.tool-result{border:1px solid var(--line);border-radius:4px;padding:6px;margin:6px 0}
.tool-result.bad,.stream.bad,.error-body,.problem{border-color:var(--bad)}
.tool-head{display:flex;gap:8px;align-items:center;flex-wrap:wrap}
ul.problems{list-style:none;padding:0}
.problem{border:1px solid var(--bad);background:var(--badbg);color:var(--fg);border-radius:4px;padding:4px 8px;margin:4px 0}
.error-body{border:2px solid var(--bad);border-radius:4px;padding:6px;margin:6px 0}
.stream.bad>summary{color:var(--bad);font-weight:700}
summary{cursor:pointer;padding:2px 0}
.player .controls{display:flex;gap:6px;align-items:center;flex-wrap:wrap;margin:6px 0}
.player .vlist{height:260px;flex:none;border:1px solid var(--line)}
.assembled{min-height:40px}
.answer{padding:6px 0}
.first{border:2px solid var(--bad);background:var(--badbg);border-radius:4px;padding:8px 12px;margin-top:8px}
.first pre{background:var(--bg)}
code.path{font-family:var(--mono);background:var(--warnbg);color:var(--warn);padding:0 4px;border-radius:3px;margin-left:6px}
.verdict.bad{color:var(--bad);font-weight:700}.verdict.ok{color:var(--ok);font-weight:700}
ol.diff-list{list-style:none;padding:0}
.diff-ex{border:1px solid var(--line);border-radius:4px;margin:6px 0;padding:4px 10px}
.diff-ex.changed{border-left:4px solid var(--warn)}.diff-ex.only_a{border-left:4px solid var(--bad)}.diff-ex.only_b{border-left:4px solid var(--tool)}
ins{background:var(--ins);text-decoration:none}del{background:var(--del)}
.tool-change{margin:6px 0}
.diff-ex.first-divergence{border:2px solid var(--bad)}
.help{position:fixed;right:16px;top:60px;background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:12px 16px;box-shadow:0 4px 16px rgba(0,0,0,.25);z-index:10}
.help dl{display:grid;grid-template-columns:auto auto;gap:4px 14px}.help dd{margin:0}
kbd{font-family:var(--mono);border:1px solid var(--line);border-radius:3px;padding:0 4px}
@media (max-width:800px){.panes{grid-template-columns:1fr}.list-pane{height:40vh}}
`;
