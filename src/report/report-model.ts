/**
 * What the search report draws, computed from a search's trial records (src/search/trial-records.ts):
 * one row per trial, the best-so-far curve over trials and over time, and the accuracy/cost Pareto
 * front. Pure: no I/O, no clock.
 *
 * Units: accuracy in percent (the search's unit, src/api/trial-result.ts), time in seconds summed in
 * trial order (simulated seconds for benchmark answers: the search's own clock is not in the store).
 * Cost is what the results carry: a benchmark answer's `cost` (the metric its spec constrains), else
 * a trained network's multiply-adds in millions, else its parameters in millions.
 */
import type { AlgorithmState } from '../algorithms/types.js';
import { searchAccuracy, trialSeconds, type TrialResult } from '../api/trial-result.js';
import type { TrialRecord } from '../search/trial-records.js';
import { isFinalTrialId } from '../common/ids.js';
import { describeCell, type CellGenotype } from '../space/cell.js';
import { getSpace } from '../space/index.js';

export type TrialStatus = 'succeeded' | 'no result';

export interface ReportTrial {
  /** 1-based position in trial order. */
  n: number;
  trialId: string;
  status: TrialStatus;
  /** `trained`, `benchmark` or `ponas-supernet`, when there is a result. */
  kind?: TrialResult['kind'];
  attempts: number;
  seconds?: number;
  /** Validation accuracy in percent. */
  accuracy?: number;
  cost?: number;
  space?: string;
  genotype?: unknown;
  /** One-line genotype (the space's describe, else JSON). */
  summary: string;
}

export interface CurvePoint {
  n: number;
  /** Cumulative trial seconds up to and including this trial. */
  seconds: number;
  accuracy: number;
  best: number;
}

export interface ReportModel {
  searchId: string;
  generatedAt: string;
  trials: ReportTrial[];
  /** One point per trial with an accuracy (supernet stages excluded: they are not networks). */
  curve: CurvePoint[];
  /** What `cost` means, when any trial has one. */
  costLabel?: string;
  /** Trial ids on the accuracy/cost Pareto front. */
  pareto: string[];
}

export interface ReportInput {
  searchId: string;
  /** When the report was made (ISO time), printed in its header. */
  generatedAt: string;
  trials: readonly TrialRecord[];
  /** The search's latest algorithm state (src/search/search-state.ts), when the store has one: the algorithm panels draw from it. */
  state?: AlgorithmState;
  /** Where the search came from when it is not just an id (e.g. `NeuralArchitectureSearch ns/name`), printed in the header. */
  source?: string;
}

function costOf(result: TrialResult | undefined): { cost: number; label: string } | undefined {
  if (result?.kind === 'benchmark' && result.cost !== undefined) return { cost: result.cost, label: "the spec's cost metric" };
  if (result?.kind !== 'trained') return undefined;
  if (result.multAdds !== undefined) return { cost: result.multAdds / 1e6, label: 'M mult-adds' };
  return { cost: result.params / 1e6, label: 'M params' };
}

/** The space's one-line form of a genotype; cells of any block count; JSON otherwise. */
export function genotypeSummary(space: string | undefined, genotype: unknown): string {
  if (genotype === undefined) return '';
  try {
    const s = getSpace(space ?? '');
    return s.describe(s.parse(genotype));
  } catch {
    const blocks = (genotype as { blocks?: unknown } | null)?.blocks;
    if (Array.isArray(blocks)) {
      try {
        return describeCell(genotype as CellGenotype);
      } catch {
        // not a well-formed cell after all: fall through to JSON
      }
    }
    return JSON.stringify(genotype);
  }
}

/**
 * Trial ids not dominated by another point (accuracy at least as high and cost at least as low,
 * one of them strictly), ordered by cost. Identical points are both on the front.
 */
export function paretoFront(points: readonly { id: string; accuracy: number; cost: number }[]): string[] {
  const front = points.filter((p) => !points.some((q) => q.accuracy >= p.accuracy && q.cost <= p.cost && (q.accuracy > p.accuracy || q.cost < p.cost)));
  return front.sort((a, b) => a.cost - b.cost || b.accuracy - a.accuracy).map((p) => p.id);
}

export function reportModel(input: ReportInput): ReportModel {
  let costLabel: string | undefined;
  // Final trainings (spec final) are larger networks trained longer: the final panel shows them, not the search's charts.
  const trials = input.trials
    .filter((r) => !isFinalTrialId(r.trialId))
    .map((r, i): ReportTrial => {
      const cost = costOf(r.result);
      costLabel ??= cost?.label;
      return {
        n: i + 1,
        trialId: r.trialId,
        status: r.result ? 'succeeded' : 'no result',
        attempts: r.attempts,
        summary: genotypeSummary(r.space, r.genotype),
        ...(r.result ? { kind: r.result.kind, seconds: trialSeconds(r.result), accuracy: searchAccuracy(r.result.valAccuracy) } : {}),
        ...(cost && cost.label === costLabel ? { cost: cost.cost } : {}),
        ...(r.space !== undefined ? { space: r.space } : {}),
        ...(r.genotype !== undefined ? { genotype: r.genotype } : {}),
      };
    });
  const curve: CurvePoint[] = [];
  let seconds = 0;
  let best = -Infinity;
  for (const t of trials) {
    seconds += t.seconds ?? 0;
    if (t.accuracy === undefined || t.kind === 'ponas-supernet') continue;
    best = Math.max(best, t.accuracy);
    curve.push({ n: t.n, seconds, accuracy: t.accuracy, best });
  }
  const costed = trials.flatMap((t) =>
    t.cost !== undefined && t.accuracy !== undefined && t.kind !== 'ponas-supernet' ? [{ id: t.trialId, accuracy: t.accuracy, cost: t.cost }] : [],
  );
  return { searchId: input.searchId, generatedAt: input.generatedAt, trials, curve, ...(costLabel ? { costLabel } : {}), pareto: paretoFront(costed) };
}

/** The best `k` networks with a genotype, best first (ties by trial order). */
export function topTrials(model: ReportModel, k: number): ReportTrial[] {
  return model.trials
    .filter((t) => t.accuracy !== undefined && t.genotype !== undefined && t.kind !== 'ponas-supernet')
    .sort((a, b) => (b.accuracy ?? 0) - (a.accuracy ?? 0) || a.n - b.n)
    .slice(0, k);
}
