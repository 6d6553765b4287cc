/**
 * Inline SVG charts for the search report: axes with round ticks, a step line with its points, and
 * a scatter plot with a highlighted subset joined as a front. No library and no script: each chart
 * is a string of SVG that renders offline. Labels and tooltips go through {@link esc}.
 */
import { esc, px } from './html.js';

export interface Point {
  x: number;
  y: number;
  /** Tooltip text (a trial id and its figures). */
  title: string;
}

const W = 560;
const H = 320;
const M = { left: 56, right: 16, top: 16, bottom: 44 };

/** Round tick values covering [lo, hi] (1, 2 or 5 times a power of ten apart; whole numbers when `integer`). */
export function ticks(lo: number, hi: number, count = 5, integer = false): number[] {
  if (!(hi > lo)) return [lo];
  const raw = Math.max((hi - lo) / count, integer ? 1 : 0);
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out;
}

interface Frame {
  sx: (x: number) => number;
  sy: (y: number) => number;
  svg: string;
}

/** The data's range with 4% room on each side, so points on the edge stay inside the plot. */
function extent(values: readonly number[]): [number, number] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (!(hi > lo)) return [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.04;
  return [lo - pad, hi + pad];
}

/** Axes, grid and labels for data spanning `xs` × `ys`; returns the scales and the SVG. */
function frame(xs: readonly number[], ys: readonly number[], xLabel: string, yLabel: string): Frame {
  const [x0, x1] = extent(xs);
  const [y0, y1] = extent(ys);
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number) => M.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => M.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const parts = [`<rect class="plot" x="${M.left}" y="${M.top}" width="${pw}" height="${ph}"/>`];
  for (const t of ticks(x0, x1, 5, xs.every(Number.isInteger))) {
    parts.push(`<line class="grid" x1="${px(sx(t))}" x2="${px(sx(t))}" y1="${M.top}" y2="${M.top + ph}"/>`);
    parts.push(`<text class="tick" x="${px(sx(t))}" y="${M.top + ph + 16}" text-anchor="middle">${esc(fmt(t))}</text>`);
  }
  for (const t of ticks(y0, y1)) {
    parts.push(`<line class="grid" x1="${M.left}" x2="${M.left + pw}" y1="${px(sy(t))}" y2="${px(sy(t))}"/>`);
    parts.push(`<text class="tick" x="${M.left - 6}" y="${px(sy(t) + 4)}" text-anchor="end">${esc(fmt(t))}</text>`);
  }
  parts.push(`<text class="axis" x="${M.left + pw / 2}" y="${H - 6}" text-anchor="middle">${esc(xLabel)}</text>`);
  parts.push(`<text class="axis" transform="translate(14 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  return { sx, sy, svg: parts.join('') };
}

function fmt(v: number): string {
  // Five significant digits: ticks of a narrow range (an entropy that barely moves) stay distinct.
  return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(5)));
}

function dots(points: readonly Point[], f: Frame, cls: string, r: number): string {
  return points.map((p) => `<circle class="${cls}" cx="${px(f.sx(p.x))}" cy="${px(f.sy(p.y))}" r="${r}"><title>${esc(p.title)}</title></circle>`).join('');
}

export function svg(id: string, label: string, body: string): string {
  return `<svg id="${esc(id)}" class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(label)}">${body}</svg>`;
}

export interface StepChart {
  id: string;
  xLabel: string;
  yLabel: string;
  /** Every observation, drawn as faint dots. */
  points: readonly Point[];
  /** The running best, drawn as a step line (holds its value until the next improvement). */
  best: readonly { x: number; y: number }[];
}

export function stepChart(c: StepChart): string {
  if (c.points.length === 0) return `<p class="gap" id="${esc(c.id)}">no trial has an accuracy yet</p>`;
  const f = frame(
    c.points.map((p) => p.x),
    c.points.map((p) => p.y),
    c.xLabel,
    c.yLabel,
  );
  let d = '';
  c.best.forEach((p, i) => {
    const prev = c.best[i - 1];
    d += prev ? ` H${px(f.sx(p.x))} V${px(f.sy(p.y))}` : `M${px(f.sx(p.x))} ${px(f.sy(p.y))}`;
  });
  return svg(c.id, `${c.yLabel} against ${c.xLabel}`, `${f.svg}<path class="best" d="${d}"/>${dots(c.points, f, 'obs', 3)}`);
}

export interface ScatterChart {
  id: string;
  xLabel: string;
  yLabel: string;
  points: readonly Point[];
  /** Points of the front, ordered along it (by x). */
  front: readonly Point[];
}

export function scatterChart(c: ScatterChart): string {
  if (c.points.length === 0) return `<p class="gap" id="${esc(c.id)}">no trial reports a cost</p>`;
  const f = frame(
    c.points.map((p) => p.x),
    c.points.map((p) => p.y),
    c.xLabel,
    c.yLabel,
  );
  const line = c.front.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(f.sx(p.x))} ${px(f.sy(p.y))}`).join(' ');
  return svg(
    c.id,
    `${c.yLabel} against ${c.xLabel}`,
    `${f.svg}${dots(c.points, f, 'obs', 3.5)}<path class="front" d="${line}"/>${dots(c.front, f, 'pareto', 5)}`,
  );
}

export interface Series {
  name: string;
  /** CSS class of the line and its dots (the page's stylesheet colours it). */
  cls: string;
  points: readonly Point[];
}

export interface LineChart {
  id: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** A reference line y = x (predicted against measured). Default: false. */
  diagonal?: boolean;
  /** Dots only, no joining line (a scatter of several groups). Default: false. */
  dotsOnly?: boolean;
}

/** Lines (or dot groups) of several series on shared axes, with a legend naming each. */
export function lineChart(c: LineChart): string {
  const all = c.series.flatMap((s) => s.points);
  if (all.length === 0) return `<p class="gap" id="${esc(c.id)}">nothing to draw</p>`;
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => p.y);
  const f = frame(c.diagonal ? [...xs, ...ys] : xs, c.diagonal ? [...ys, ...xs] : ys, c.xLabel, c.yLabel);
  const parts = [f.svg];
  if (c.diagonal) {
    const lo = Math.min(...xs, ...ys);
    const hi = Math.max(...xs, ...ys);
    parts.push(`<path class="diagonal" d="M${px(f.sx(lo))} ${px(f.sy(lo))} L${px(f.sx(hi))} ${px(f.sy(hi))}"/>`);
  }
  c.series.forEach((s, i) => {
    if (!c.dotsOnly && s.points.length > 1) {
      const d = s.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${px(f.sx(p.x))} ${px(f.sy(p.y))}`).join(' ');
      parts.push(`<path class="line ${esc(s.cls)}" d="${d}"/>`);
    }
    parts.push(dots(s.points, f, `dot ${esc(s.cls)}`, c.dotsOnly ? 4 : 2.5));
    const y = M.top + 14 + i * 16;
    parts.push(`<rect class="key ${esc(s.cls)}" x="${W - M.right - 118}" y="${y - 9}" width="10" height="10"/>`);
    parts.push(`<text class="tick" x="${W - M.right - 104}" y="${y}">${esc(s.name)}</text>`);
  });
  return svg(c.id, `${c.yLabel} against ${c.xLabel}`, parts.join(''));
}
