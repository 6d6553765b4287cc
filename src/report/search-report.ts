/**
 * `nasflow search report`: one self-contained HTML page about a search (issue 18 item 1). Pure:
 * trial records in, an HTML string out; the CLI reads the store and writes the file
 * (src/cli/search-report.ts). Everything is inline (CSS, the table's sorting script, SVG charts and
 * cell drawings), so the file works offline and can be mailed or archived as it is. Every string
 * that comes from the data (ids, genotypes, op names) is escaped.
 *
 * Panels: best-so-far against trials and against time, accuracy against cost with the Pareto
 * front, a timeline of trial attempts over workers (retries and failures), a sortable trial table,
 * drawings of the top cells or block networks, and the algorithm's own panel from its latest state:
 * the RL controller's reward, baseline and entropy per update, the PNAS surrogate's predicted
 * against measured accuracy per beam, or PONAS's accuracy table with the selected path. A panel
 * whose data the search does not have says so instead of drawing.
 */
import { drawBlocks } from './block-svg.js';
import { drawGenotype } from './cell-svg.js';
import { controllerModel, controllerPanel } from './controller-panel.js';
import { esc } from './html.js';
import { finalPanel } from './final-panel.js';
import { ponasModel, ponasPanel } from './ponas-panel.js';
import { reportModel, topTrials, type ReportInput, type ReportModel, type ReportTrial } from './report-model.js';
import { surrogateModel, surrogatePanel } from './surrogate-panel.js';
import { scatterChart, stepChart, type Point } from './svg-charts.js';
import { TIMELINE_LEGEND, timelineModel, timelineSvg } from './timeline.js';

export { paretoFront, reportModel, type ReportInput, type ReportModel } from './report-model.js';

const TOP_CELLS = 3;

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1240px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#555}.charts{display:flex;flex-wrap:wrap;gap:16px}
svg.chart{background:#fff;border:1px solid #ddd}
.plot{fill:#fafafa;stroke:#bbb}.grid{stroke:#e6e6e6}.tick{font-size:11px;fill:#555}.axis{font-size:12px;fill:#333}
.obs{fill:#7a9cc6;fill-opacity:.55}.best{fill:none;stroke:#c0392b;stroke-width:2}
.front{fill:none;stroke:#c0392b;stroke-width:1.5}.pareto{fill:#c0392b}
table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f0f0f0;cursor:pointer;user-select:none;white-space:nowrap}th[data-dir=asc]::after{content:" ▲"}th[data-dir=desc]::after{content:" ▼"}
td.num{text-align:right;font-variant-numeric:tabular-nums}td code{font-size:12px;word-break:break-all}
tr.on-front td:first-child{border-left:3px solid #c0392b}.status-no-result{color:#a15c00}
.cells{display:flex;flex-wrap:wrap;gap:12px}figure.cell{margin:0;border:1px solid #ddd;padding:6px;background:#fff}
figcaption{font-size:12px;color:#555;text-align:center}
.edge{fill:none;stroke:#555;stroke-width:1.3}.edge.concat{stroke:#999;stroke-dasharray:4 3}marker path{fill:#555}
text.op{font-size:11px;fill:#1d4f91;paint-order:stroke;stroke:#fff;stroke-width:3px}
.node{stroke:#444}.node.input{fill:#cfe2f3}.node.block{fill:#fff2cc}.node.output{fill:#d9ead3}.node-label{font-size:12px}
.gap{color:#777;font-style:italic}
.lane{fill:#fafafa}.lane.odd{fill:#f1f1f1}.bar{stroke:#333;stroke-width:.5}.bar.succeeded{fill:#5b9d5b}.bar.user{fill:#c0392b}.bar.infra{fill:#e69138}.bar.cancelled{fill:#999}
.bar.retry{stroke:#000;stroke-width:1.5;stroke-dasharray:3 2}.retry-link{fill:none;stroke:#000;stroke-width:1;stroke-dasharray:2 2}.legend span{margin-right:14px;font-size:12px}
path.line{fill:none;stroke-width:1.8}.s-reward{stroke:#7a9cc6;fill:#7a9cc6}.s-baseline{stroke:#c0392b;fill:#c0392b}.s-entropy{stroke:#6a4c93;fill:#6a4c93}
.diagonal{stroke:#999;stroke-dasharray:5 4}.beam-0{fill:#1f77b4}.beam-1{fill:#ff7f0e}.beam-2{fill:#2ca02c}.beam-3{fill:#d62728}.beam-4{fill:#9467bd}.beam-5{fill:#8c564b}
.heat{stroke:#fff;stroke-width:1}.heat.empty{fill:#eee}.heat.picked{stroke:#c0392b;stroke-width:3}.heat-label{font-size:11px;fill:#222;pointer-events:none}.heat-label.dark{fill:#fff}
.path{fill:none;stroke:#c0392b;stroke-width:2;stroke-opacity:.7}
.block{stroke:#444}.block.ir{fill:#fff2cc}.block.ds{fill:#cfe2f3}.block.cn{fill:#d9ead3}.block.stride2{stroke-width:2.5}.block-label{font-size:11px}
`;

// Sorts a table by the clicked column: numbers by data-v (empty cells last), text by its content.
const SORT_JS = `
for (const table of document.querySelectorAll('table.sortable')) {
  const heads = Array.from(table.tHead.rows[0].cells);
  heads.forEach((th, col) => th.addEventListener('click', () => {
    const dir = th.dataset.dir === 'asc' ? 'desc' : 'asc';
    heads.forEach((h) => delete h.dataset.dir);
    th.dataset.dir = dir;
    const num = th.dataset.type === 'num';
    const key = (row) => { const c = row.cells[col]; return num ? (c.dataset.v === undefined || c.dataset.v === '' ? NaN : Number(c.dataset.v)) : c.textContent; };
    const sign = dir === 'asc' ? 1 : -1;
    const body = table.tBodies[0];
    const rows = Array.from(body.rows).sort((a, b) => {
      const x = key(a), y = key(b);
      if (!num) return sign * x.localeCompare(y);
      if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) - Number.isNaN(y);
      return sign * (x - y);
    });
    for (const row of rows) body.appendChild(row);
  }));
}
`;

function fixed(v: number | undefined, digits: number): string {
  return v === undefined ? '' : v.toFixed(digits);
}

function numCell(v: number | undefined, digits: number): string {
  return `<td class="num" data-v="${v === undefined ? '' : esc(v)}">${esc(fixed(v, digits))}</td>`;
}

function trialRow(t: ReportTrial, onFront: boolean): string {
  return [
    `<tr class="${onFront ? 'on-front' : ''}" data-trial="${esc(t.trialId)}">`,
    numCell(t.n, 0),
    `<td>${esc(t.trialId)}</td>`,
    `<td class="status-${t.status === 'succeeded' ? 'succeeded' : 'no-result'}">${esc(t.status)}</td>`,
    `<td>${esc(t.kind ?? '')}</td>`,
    numCell(t.attempts, 0),
    numCell(t.seconds, 1),
    numCell(t.accuracy, 2),
    numCell(t.cost, 3),
    `<td>${onFront ? 'yes' : ''}</td>`,
    `<td><code>${esc(t.summary)}</code></td>`,
    '</tr>',
  ].join('');
}

function trialTable(m: ReportModel): string {
  const front = new Set(m.pareto);
  const heads: [string, 'num' | 'text'][] = [
    ['#', 'num'],
    ['trial', 'text'],
    ['status', 'text'],
    ['kind', 'text'],
    ['logged attempts', 'num'],
    ['seconds', 'num'],
    ['val accuracy %', 'num'],
    [m.costLabel ? `cost: ${m.costLabel}` : 'cost', 'num'],
    ['Pareto', 'text'],
    ['genotype', 'text'],
  ];
  const head = heads.map(([h, type]) => `<th data-type="${type}">${esc(h)}</th>`).join('');
  const rows = m.trials.map((t) => trialRow(t, front.has(t.trialId))).join('\n');
  return `<table id="trial-table" class="sortable"><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

function charts(m: ReportModel): string {
  const title = (c: ReportModel['curve'][number]) =>
    `trial ${m.trials[c.n - 1]?.trialId ?? c.n}: ${c.accuracy.toFixed(2)}% (best so far ${c.best.toFixed(2)}%)`;
  const byTrial = stepChart({
    id: 'best-vs-trials',
    xLabel: 'trial',
    yLabel: 'val accuracy %',
    points: m.curve.map((c): Point => ({ x: c.n, y: c.accuracy, title: title(c) })),
    best: m.curve.map((c) => ({ x: c.n, y: c.best })),
  });
  const byTime = stepChart({
    id: 'best-vs-time',
    xLabel: 'trial seconds, summed in trial order',
    yLabel: 'val accuracy %',
    points: m.curve.map((c): Point => ({ x: c.seconds, y: c.accuracy, title: title(c) })),
    best: m.curve.map((c) => ({ x: c.seconds, y: c.best })),
  });
  return `<h2>Best so far</h2><div class="charts">${byTrial}${byTime}</div>`;
}

function paretoPanel(m: ReportModel): string {
  const costed = m.trials.filter((t) => t.cost !== undefined && t.accuracy !== undefined && t.kind !== 'ponas-supernet');
  const point = (t: ReportTrial): Point => ({
    x: t.cost ?? 0,
    y: t.accuracy ?? 0,
    title: `trial ${t.trialId}: ${fixed(t.accuracy, 2)}% at ${fixed(t.cost, 3)}`,
  });
  const byId = new Map(costed.map((t) => [t.trialId, t]));
  const front = m.pareto.flatMap((id) => {
    const t = byId.get(id);
    return t ? [point(t)] : [];
  });
  const chart = scatterChart({ id: 'pareto', xLabel: m.costLabel ?? 'cost', yLabel: 'val accuracy %', points: costed.map(point), front });
  const list = m.pareto.length ? `<p id="pareto-set">Pareto front (${m.pareto.length}): ${m.pareto.map((id) => `<code>${esc(id)}</code>`).join(', ')}</p>` : '';
  return `<h2>Accuracy against cost</h2>${chart}${list}`;
}

function cellsPanel(m: ReportModel): string {
  const top = topTrials(m, TOP_CELLS);
  const figures = top.map((t, i) => {
    const drawn = drawGenotype(`top-${i + 1}`, t.genotype);
    const blocks = drawn.length ? undefined : drawBlocks(`top-${i + 1}-blocks`, t.space, t.genotype);
    if (blocks) drawn.push(blocks);
    const body = drawn.length ? `<div class="cells">${drawn.join('')}</div>` : `<p class="gap">no drawing for the ${esc(t.space ?? 'unknown')} space</p>`;
    return `<section class="top-cell"><h3>#${i + 1}: ${esc(t.trialId)} (${esc(fixed(t.accuracy, 2))}%)</h3>${body}</section>`;
  });
  return `<h2>Top networks</h2><div id="top-cells">${figures.join('') || '<p class="gap">no finished trial with a genotype yet</p>'}</div>`;
}

function timelinePanel(input: ReportInput): string {
  const t = timelineModel(input.trials);
  const caption = t.bars.length
    ? `<p class="meta" id="timeline-summary">${t.bars.length} attempts on ${t.lanes.length} lanes: ${t.retries} retries, ${t.failures} failed or cancelled attempts${
        t.unrecorded ? `; ${t.unrecorded} trials have no attempt record (running, or from before records were kept)` : ''
      }.</p>${TIMELINE_LEGEND}`
    : '';
  const notes = t.notes.length ? `<ul class="gap">${t.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '';
  return `<h2>Trials over workers</h2>${caption}${timelineSvg(t)}${notes}`;
}

/** The algorithm's own panel from its latest state, or a sentence saying why there is none. */
function algorithmPanel(input: ReportInput): string {
  const state = input.state;
  if (!state) return '<h2>Algorithm</h2><p class="gap" id="algorithm">the store holds no algorithm state for this search: no algorithm panel</p>';
  const rl = controllerModel(state);
  if (rl) return controllerPanel(rl);
  const pnas = surrogateModel(state);
  if (pnas) return surrogatePanel(pnas);
  const ponas = ponasModel(state);
  if (ponas) return ponasPanel(ponas);
  return `<h2>Algorithm</h2><p class="gap" id="algorithm">${esc(state.algorithm)} has no panel of its own (the RL controllers, PNAS and PONAS do)</p>`;
}

/** The whole report page for a search's trial records (and its latest algorithm state, when given). */
export function renderSearchReport(input: ReportInput): string {
  const m = reportModel(input);
  const done = m.trials.filter((t) => t.status === 'succeeded').length;
  const best = m.curve.at(-1)?.best;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>nasflow search ${esc(m.searchId)}</title><style>${CSS}</style></head>
<body>
<h1>Search <code>${esc(m.searchId)}</code></h1>${input.source ? `<p class="meta" id="source">${esc(input.source)}</p>` : ''}
<p class="meta" id="summary">${m.trials.length} trials: ${done} with a result, ${m.trials.length - done} without (running or failed); best val accuracy ${best === undefined ? '-' : `${best.toFixed(2)}%`}. Generated ${esc(m.generatedAt)}.</p>
${charts(m)}
${paretoPanel(m)}
${finalPanel(input.trials)}
${algorithmPanel(input)}
${timelinePanel(input)}
<h2>Trials</h2>
${trialTable(m)}
${cellsPanel(m)}
<script>${SORT_JS}</script>
</body></html>
`;
}
