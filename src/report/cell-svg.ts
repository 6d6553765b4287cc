/**
 * Drawings of searched cells as inline SVG, in the spirit of the NASNet (Zoph et al. 2018, Fig. 4)
 * and PNAS (Liu et al. 2018, Fig. 1) cell figures: the cell's inputs h_i-1 and h_i, one node per
 * block (marked with its combiner), and the cell output that concatenates the unused states; every
 * edge carries the operation applied on the way. NAS-Bench-201 cells (Dong & Yang 2020, Fig. 1) draw
 * the same way with their four nodes and six operation edges.
 *
 * Layout: an arc diagram. Nodes sit on one line in topological order; an edge is an arc whose
 * height grows with its span, the first branch of a block above the line and the second below, so
 * labels of different edges do not share a spot. The genotype is untrusted JSON (a trial spec from
 * the store): shapes are checked here and every label is escaped.
 */
import { concatStates, stateName, type CellBlock, type CellGenotype } from '../space/cell.js';
import { NB201_EDGES } from '../space/nb201.js';
import { esc, px } from './html.js';

interface Node {
  label: string;
  cls: 'input' | 'block' | 'output';
}

interface Edge {
  from: number;
  to: number;
  label?: string;
  below: boolean;
  cls: 'op' | 'concat';
}

const GAP = 96;
const RISE = 26;
const NODE_W = 64;
const NODE_H = 26;

function isBlock(b: unknown): b is CellBlock {
  const o = b as { inputs?: unknown; ops?: unknown } | null;
  const pair = (v: unknown, type: 'number' | 'string') => Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === type);
  return o !== null && typeof o === 'object' && pair(o.inputs, 'number') && pair(o.ops, 'string');
}

/** The cell in `json` when it has the cell grammar's shape with in-range state indices, else undefined. */
function asCell(json: unknown): CellGenotype | undefined {
  const blocks = (json as { blocks?: unknown } | null)?.blocks;
  if (!Array.isArray(blocks) || blocks.length === 0 || !blocks.every(isBlock)) return undefined;
  const inRange = blocks.every((b, k) => b.inputs.every((s) => Number.isInteger(s) && s >= 0 && s <= k + 1));
  const concat = (json as { concat?: unknown }).concat;
  const concatOk = concat === undefined || (Array.isArray(concat) && concat.every((s) => Number.isInteger(s) && s >= 0 && s < blocks.length + 2));
  return inRange && concatOk ? (json as CellGenotype) : undefined;
}

function cellGraph(cell: CellGenotype): { nodes: Node[]; edges: Edge[] } {
  // Positions: h_i-1, h_i, b0..b(B-1), output; state s sits at 1 - s for the inputs and s otherwise.
  const pos = (state: number) => (state < 2 ? 1 - state : state);
  const nodes: Node[] = [
    { label: stateName(1), cls: 'input' },
    { label: stateName(0), cls: 'input' },
    ...cell.blocks.map((b, k): Node => ({ label: `${stateName(k + 2)} ${b.combine === 'concat' ? '‖' : '+'}`, cls: 'block' })),
    { label: 'output', cls: 'output' },
  ];
  const out = nodes.length - 1;
  const edges: Edge[] = cell.blocks.flatMap((b, k) =>
    ([0, 1] as const).map((j): Edge => ({ from: pos(b.inputs[j]), to: k + 2, label: b.ops[j], below: j === 1, cls: 'op' })),
  );
  for (const s of concatStates(cell)) edges.push({ from: pos(s), to: out, below: true, cls: 'concat' });
  return { nodes, edges };
}

function nb201Graph(json: unknown): { nodes: Node[]; edges: Edge[] } | undefined {
  const ops = (json as { edges?: unknown } | null)?.edges;
  if (!Array.isArray(ops) || ops.length !== NB201_EDGES.length || !ops.every((o) => typeof o === 'string')) return undefined;
  const nodes: Node[] = [0, 1, 2, 3].map((i): Node => ({ label: `node ${i}`, cls: i === 0 ? 'input' : i === 3 ? 'output' : 'block' }));
  const edges = NB201_EDGES.flatMap(([from, to], i): Edge[] => {
    const op = ops[i] as string;
    return op === 'none' ? [] : [{ from, to, label: op, below: to - from === 2, cls: 'op' }];
  });
  return { nodes, edges };
}

function drawGraph(id: string, caption: string, g: { nodes: Node[]; edges: Edge[] }): string {
  const rise = (e: Edge) => (e.cls === 'concat' ? 14 : 10) + RISE * (e.to - e.from);
  const above = Math.max(20, ...g.edges.filter((e) => !e.below).map(rise)) + 24;
  const below = Math.max(20, ...g.edges.filter((e) => e.below).map(rise)) + 24;
  const width = (g.nodes.length - 1) * GAP + NODE_W + 16;
  const height = above + below + NODE_H;
  const mid = above + NODE_H / 2;
  const x = (i: number) => 8 + NODE_W / 2 + i * GAP;
  const marker = `${id}-arrow`;
  const parts = [
    `<defs><marker id="${esc(marker)}" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L8 4L0 8z"/></marker></defs>`,
  ];
  for (const e of g.edges) {
    const sign = e.below ? 1 : -1;
    const [xa, xb] = [x(e.from) + 6, x(e.to) - 6];
    const y = mid + (sign * NODE_H) / 2;
    const apex = mid + sign * rise(e);
    // A quadratic Bézier peaks halfway to its control point: put the control at twice the apex.
    const cy = 2 * apex - y;
    parts.push(`<path class="edge ${e.cls}" d="M${px(xa)} ${px(y)} Q${px((xa + xb) / 2)} ${px(cy)} ${px(xb)} ${px(y)}" marker-end="url(#${esc(marker)})"/>`);
    if (e.label !== undefined)
      parts.push(`<text class="op" x="${px((xa + xb) / 2)}" y="${px(apex + (e.below ? 13 : -5))}" text-anchor="middle">${esc(e.label)}</text>`);
  }
  g.nodes.forEach((n, i) => {
    parts.push(`<rect class="node ${n.cls}" x="${px(x(i) - NODE_W / 2)}" y="${px(mid - NODE_H / 2)}" width="${NODE_W}" height="${NODE_H}" rx="6"/>`);
    parts.push(`<text class="node-label" x="${px(x(i))}" y="${px(mid + 4)}" text-anchor="middle">${esc(n.label)}</text>`);
  });
  return `<figure class="cell"><svg id="${esc(id)}" viewBox="0 0 ${px(width)} ${px(height)}" width="${px(width)}" height="${px(height)}" role="img" aria-label="${esc(caption)}">${parts.join('')}</svg><figcaption>${esc(caption)}</figcaption></figure>`;
}

/**
 * SVG figures of a genotype: the normal and reduction cells of a NASNet genotype, the one cell of a
 * PNAS genotype, or an NAS-Bench-201 cell; an empty list for spaces that are not cells (MnasNet,
 * PONAS) and for JSON without a cell's shape.
 */
export function drawGenotype(idPrefix: string, genotype: unknown): string[] {
  const g = genotype as { normal?: unknown; reduction?: unknown } | null;
  if (g !== null && typeof g === 'object' && 'normal' in g && 'reduction' in g) {
    const cells = [asCell(g.normal), asCell(g.reduction)];
    return cells.flatMap((c, i) =>
      c ? [drawGraph(`${idPrefix}-${i === 0 ? 'normal' : 'reduction'}`, i === 0 ? 'normal cell' : 'reduction cell', cellGraph(c))] : [],
    );
  }
  const cell = asCell(genotype);
  if (cell) return [drawGraph(`${idPrefix}-cell`, 'cell', cellGraph(cell))];
  const nb = nb201Graph(genotype);
  return nb ? [drawGraph(`${idPrefix}-cell`, 'cell (NAS-Bench-201)', nb)] : [];
}
