/**
 * PONAS deployment step (Huang & Chu 2020, "PONAS: Progressive One-shot Neural Architecture
 * Search for Very Efficient Deployment"): given an accuracy table (layer x candidate) and a cost
 * per candidate per layer, choose one candidate per layer to maximise the summed table accuracy
 * under a cost budget. The paper picks by a search of ~10 s; here it is exact.
 *
 * Method: dynamic programming over Pareto sets. After layer l the set holds every partial choice
 * that no other partial choice beats on both cost (lower) and value (higher); extending each by
 * every candidate of layer l+1 and pruning again keeps exactly the solutions that can still be
 * optimal for some budget. The final set is the whole Pareto front of budget vs predicted accuracy,
 * and the best choice under any budget is read off it. Exact for real-valued costs (no budget
 * discretisation); entries of `null` (failed evaluations) are never chosen.
 */
import { at } from '../../common/indexing.js';
import { AlgorithmError } from '../types.js';

export interface FrontPoint {
  readonly cost: number;
  /** Sum over layers of the table's accuracy for the chosen candidates. */
  readonly value: number;
  /** Candidate index per layer. */
  readonly choice: number[];
}

interface Node {
  cost: number;
  value: number;
  /** Index into the previous layer's nodes, and the candidate taken at this layer. */
  prev: number;
  candidate: number;
}

export type Table = readonly (readonly (number | null)[])[];

/** A candidate of one layer that has both an accuracy and a cost. */
interface Option {
  readonly candidate: number;
  readonly value: number;
  readonly cost: number;
}

/** Checks that the tables pair up, and returns each layer's evaluated candidates in candidate order. */
function options(accuracy: Table, cost: Table): Option[][] {
  if (accuracy.length !== cost.length || accuracy.length === 0) {
    throw new AlgorithmError('ponas.cost', `expected one cost row per layer (${accuracy.length}); received ${cost.length}`);
  }
  return accuracy.map((row, l) => {
    const costRow = cost[l]!; // as many rows as accuracy, checked above
    if (row.length !== costRow.length) throw new AlgorithmError(`ponas.cost[${l}]`, `expected ${row.length} candidates; received ${costRow.length}`);
    const out = row.flatMap((value, candidate) => {
      const k = costRow[candidate]!;
      return value !== null && k !== null ? [{ candidate, value, cost: k }] : [];
    });
    if (out.length === 0) throw new AlgorithmError(`ponas.accuracy[${l}]`, 'expected at least one evaluated candidate');
    return out;
  });
}

/** The Pareto front, cost ascending and value strictly ascending (monotone). */
export function paretoFront(accuracy: Table, cost: Table): FrontPoint[] {
  const perLayer = options(accuracy, cost);
  const layers: Node[][] = [];
  let current: Node[] = [{ cost: 0, value: 0, prev: -1, candidate: -1 }];
  for (const layerOptions of perLayer) {
    const expanded: Node[] = [];
    current.forEach((n, i) => {
      for (const o of layerOptions) expanded.push({ cost: n.cost + o.cost, value: n.value + o.value, prev: i, candidate: o.candidate });
    });
    layers.push(current);
    current = prune(expanded);
  }
  layers.push(current);
  return current.map((n, i) => ({ cost: n.cost, value: n.value, choice: backtrack(layers, i) }));
}

/** The best choice with total cost <= budget, or undefined when nothing fits. */
export function selectUnderBudget(accuracy: Table, cost: Table, budget: number): FrontPoint | undefined {
  return bestUnder(paretoFront(accuracy, cost), budget);
}

export function bestUnder(front: readonly FrontPoint[], budget: number): FrontPoint | undefined {
  let best: FrontPoint | undefined;
  for (const p of front) if (p.cost <= budget) best = p; // value rises with cost along the front
  return best;
}

/** Sort by cost (then value, descending) and keep the points whose value beats every cheaper one. */
function prune(nodes: Node[]): Node[] {
  nodes.sort((a, b) => a.cost - b.cost || b.value - a.value);
  const out: Node[] = [];
  for (const n of nodes) {
    const last = out.at(-1);
    if (last === undefined || n.value > last.value) out.push(n);
  }
  return out;
}

function backtrack(layers: Node[][], index: number): number[] {
  const choice: number[] = [];
  let i = index;
  for (const layer of layers.slice(1).reverse()) {
    const n = at(layer, i, 'Pareto node');
    choice.unshift(n.candidate);
    i = n.prev;
  }
  return choice;
}

/** Exhaustive search (for tests and tiny instances): every combination, best under the budget. */
export function bruteForce(accuracy: Table, cost: Table, budget: number): FrontPoint | undefined {
  const perLayer = options(accuracy, cost);
  let best: FrontPoint | undefined;
  const choice = new Array<number>(accuracy.length).fill(0);
  const visit = (l: number, c: number, v: number): void => {
    if (c > budget) return;
    if (l === accuracy.length) {
      if (!best || v > best.value || (v === best.value && c < best.cost)) best = { cost: c, value: v, choice: [...choice] };
      return;
    }
    for (const o of perLayer[l]!) {
      choice[l] = o.candidate;
      visit(l + 1, c + o.cost, v + o.value);
    }
  };
  visit(0, 0, 0);
  return best;
}
