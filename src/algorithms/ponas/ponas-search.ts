/**
 * PONAS as an ask/tell search (Huang & Chu 2020): every decision of the space is a layer and its
 * choices are the layer's candidate blocks. Phase 1 proposes the progressive schedule
 * (`schedule.ts`): one architecture per (layer, candidate), rows in order, and fills the accuracy
 * table from the results. Phase 2 proposes the exact budgeted selection (`select.ts`) and then the
 * rest of the Pareto front, best first. With no cost table every candidate costs 0 and phase 2
 * proposes the per-layer argmax.
 *
 * In the paper each table entry is the accuracy of a fine-tuned supernet path. Given `table` (the
 * search workflow's one-shot stages measured it on a supernet) the search starts at phase 2;
 * without it each entry is whatever the evaluator reports for that architecture (e.g. a tabular
 * benchmark).
 */
import { at } from '../../common/indexing.js';
import { Rng } from '../../common/rng.js';
import type { SearchSpace } from '../../space/types.js';
import { BaseSearch, unpackState, type BaseInit, type TrialRecord } from '../base.js';
import { AlgorithmError, type AlgorithmState } from '../types.js';
import { contextFor, nextEvaluations } from './schedule.js';
import { bestUnder, paretoFront, type FrontPoint } from './select.js';

import { PONAS } from './definition.js';

export { PONAS };

export interface PonasArgs {
  /** Cost of candidate c at layer l (`costs[l][c]`), e.g. latency in ms. Default: all 0. */
  costs?: number[][];
  /** Budget on the summed cost for the first selection. Default: unlimited. */
  budget?: number;
  /** Layer order of the progressive schedule. Default: 0, 1, ..., L-1. */
  order?: number[];
  /** Context choices for layers not yet evaluated (a decision sequence). Default: a random sample. */
  reference?: number[];
  /**
   * A complete accuracy table measured elsewhere (the one-shot supernet): `table[l][c]`, null
   * where a candidate was not measured. The search then starts at the selection phase.
   */
  table?: (number | null)[][];
}

interface Data {
  config: { costs: number[][]; budget: number | null; order: number[] };
  reference: number[];
  table: (number | null)[][];
  filled: boolean[][];
  /** Trial id -> table cells it answers. */
  cells: Record<string, [number, number][]>;
  /** Decision sequences for phase 2, best first; null until the table is complete. */
  finalQueue: number[][] | null;
}

export class PonasSearch<G> extends BaseSearch<G> {
  private constructor(
    space: SearchSpace<G>,
    init: BaseInit,
    private readonly data: Data,
  ) {
    super(PONAS, space, init);
  }

  static create<G>(space: SearchSpace<G>, seed: number, args: PonasArgs = {}): PonasSearch<G> {
    const widths = space.decisions().map((d) => d.validChoices ?? d.choices);
    const rng = Rng.seeded(seed);
    const reference = args.reference ?? space.encode(space.sample(rng.fork('reference')));
    const costs = args.costs ?? widths.map((w) => new Array<number>(w).fill(0));
    if (costs.length !== widths.length || costs.some((row, l) => row.length !== widths[l])) {
      throw new AlgorithmError(
        'ponas.costs',
        `expected ${widths.length} rows of widths ${widths.join(',')}; received rows of ${costs.map((r) => r.length).join(',')}`,
      );
    }
    const order = args.order ?? widths.map((_, l) => l);
    if ([...order].sort((a, b) => a - b).some((v, i) => v !== i) || order.length !== widths.length) {
      throw new AlgorithmError('ponas.order', `expected a permutation of 0..${widths.length - 1}; received ${order.join(',')}`);
    }
    if (args.table && (args.table.length !== widths.length || args.table.some((row, l) => row.length !== widths[l]))) {
      throw new AlgorithmError(
        'ponas.table',
        `expected ${widths.length} rows of widths ${widths.join(',')}; received rows of ${args.table.map((r) => r.length).join(',')}`,
      );
    }
    const data: Data = {
      config: { costs, budget: args.budget ?? null, order },
      reference,
      table: args.table ? args.table.map((row) => [...row]) : widths.map((w) => new Array<number | null>(w).fill(null)),
      filled: widths.map((w) => new Array<boolean>(w).fill(args.table !== undefined)),
      cells: {},
      finalQueue: null,
    };
    return new PonasSearch(space, { rng: rng.state() }, data);
  }

  static restore<G>(space: SearchSpace<G>, state: AlgorithmState): PonasSearch<G> {
    const { init, data } = unpackState(state, PONAS, space.name);
    return new PonasSearch(space, init, structuredClone(data as Data));
  }

  /** Context choices of layers not yet evaluated (a decision sequence). */
  reference(): number[] {
    return [...this.data.reference];
  }

  /** The accuracy table (layer x candidate; null = not evaluated or failed). */
  table(): (number | null)[][] {
    return this.data.table.map((r) => [...r]);
  }

  protected next(trialId: string): G | undefined {
    for (;;) {
      const step = nextEvaluations(this.data.filled, this.data.config.order);
      if (!step) return this.finalPhase();
      const complete = this.data.filled.map((row) => row.every(Boolean));
      const assigned = new Set(
        Object.values(this.data.cells)
          .flat()
          .map(([l, c]) => `${l}/${c}`),
      );
      let progressed = false;
      for (const c of step.candidates) {
        if (assigned.has(`${step.layer}/${c}`)) continue;
        const g = this.space.canonical(this.space.decode(contextFor(this.data.table, complete, this.data.reference, step.layer, c)));
        const existing = this.byHash(this.space.hash(g));
        if (!existing) {
          this.data.cells[trialId] = [[step.layer, c]];
          return g;
        }
        // Already proposed (e.g. the context itself): answer the cell from that trial.
        (this.data.cells[existing.id] ??= []).push([step.layer, c]);
        if (existing.status !== 'running') this.fill(existing);
        progressed = true;
      }
      if (!progressed) return undefined; // the row's trials are still running
    }
  }

  protected learn(finished: readonly TrialRecord<G>[]): void {
    for (const t of finished) this.fill(t);
  }

  protected saveData(): unknown {
    return this.data;
  }

  private fill(t: TrialRecord<G>): void {
    for (const [l, c] of this.data.cells[t.id] ?? []) {
      at(this.data.table, l, 'PONAS table layer')[c] = t.status === 'succeeded' ? (t.score as number) : null;
      at(this.data.filled, l, 'PONAS table layer')[c] = true;
    }
  }

  private finalPhase(): G | undefined {
    if (this.data.finalQueue === null) this.data.finalQueue = this.selections();
    while (this.data.finalQueue.length > 0) {
      const g = this.space.canonical(this.space.decode(this.data.finalQueue.shift()!));
      if (!this.seen.has(this.space.hash(g))) return g;
    }
    const best = this.best();
    return this.unseen(() => (best ? this.space.mutate(best.genotype, this.rng) : this.space.sample(this.rng)));
  }

  /**
   * The Pareto front of cost vs summed table accuracy, and the best point within the budget
   * (undefined when nothing fits). Layers with no measured candidate keep the reference choice.
   */
  selection(): { front: FrontPoint[]; pick: FrontPoint | undefined } {
    const { costs, budget } = this.data.config;
    const table = this.data.table.map((row, l) => (row.every((v) => v === null) ? row.map((_, c) => (c === this.data.reference[l] ? 0 : null)) : row));
    const front = paretoFront(table, costs);
    return { front, pick: bestUnder(front, budget ?? Infinity) };
  }

  /** Budgeted optimum first, then the Pareto front by value (within budget first). */
  private selections(): number[][] {
    const { front, pick } = this.selection();
    const limit = this.data.config.budget ?? Infinity;
    const rest = [...front].sort((a, b) => Number(b.cost <= limit) - Number(a.cost <= limit) || b.value - a.value);
    return [pick, ...rest].filter((p) => p !== undefined).map((p) => p.choice);
  }

  private byHash(hash: string): TrialRecord<G> | undefined {
    if (!this.seen.has(hash)) return undefined;
    for (const t of this.trials.values()) if (t.hash === hash) return t;
    return undefined;
  }
}
