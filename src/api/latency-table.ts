/**
 * A profiled latency lookup table, as `nasflow latency profile` writes it and as PONAS's latency
 * budget (`algorithm.ponas.cost.latencyTable`) and `nasflow latency predict` read it. `base` and
 * `entries` are exactly src/algorithms/rl/latency-table.ts's `LatencyTable` (keys documented
 * there), so a table plugs into `tableLatency` unchanged; the rest says where and how it was
 * measured, because a latency is only meaningful for that device, backend, input size and batch.
 *
 * Pure: zod only.
 */
import { z } from 'zod';
import { fieldProblems } from './spec-errors.js';

export const LATENCY_TABLE_VERSION = 1;

export const latencyTableFileSchema = z.object({
  schemaVersion: z.literal(LATENCY_TABLE_VERSION),
  /** The search space whose configurations the entries price. */
  space: z.enum(['mnasnet', 'ponas', 'nasnet']),
  /** Where it was measured: a user-given name (`--device`), else host name and CPU model. */
  device: z.string().min(1),
  /** `tf.getBackend()` (`tensorflow` = native tfjs-node, `cpu` = pure JS) and the package that loaded. */
  backend: z.object({ name: z.string(), pkg: z.string(), flavour: z.enum(['cpu', 'gpu']).optional(), gpu: z.boolean() }),
  imageSize: z.number().int().positive(),
  batch: z.number().int().positive(),
  classes: z.number().int().positive(),
  /**
   * NASNet tables: the cell macro the keys are for (src/algorithms/rl/nasnet-latency-keys.ts): the
   * stem, N cells per stage, F filters, stem multiplier, skip-reduction-input. Absent for chain
   * spaces (their macro is fixed by the space), so tables written before it parse unchanged.
   */
  macro: z
    .object({
      stem: z.enum(['cifar', 'imagenet']),
      cellsPerStage: z.number().int().positive(),
      filters: z.number().int().positive(),
      stemMultiplier: z.number().int().positive(),
      skipReductionLayerInput: z.boolean(),
    })
    .optional(),
  protocol: z.object({
    warmup: z.number().int().nonnegative(),
    runs: z.number().int().positive(),
    statistic: z.literal('median'),
    /**
     * Median latency (ms) of a model with one trivial layer: the fixed cost of a `predict` call
     * (argument checks, dispatch, reading the output back). Taken off every entry, since the whole
     * network pays it once (it stays in `base`).
     */
    callOverheadMs: z.number().nonnegative(),
    /**
     * How an entry is formed. `first-plus-repeats` (chain spaces): a block of r layers is its first
     * layer plus (r - 1) times its repeated layer, each measured alone. `cell-parts` (nasnet): an
     * entry is one piece of a cell measured alone; a network lists a key once per piece it builds.
     */
    composition: z.enum(['first-plus-repeats', 'cell-parts']),
  }),
  /** ISO date and time of the end of the profile. */
  date: z.string(),
  /** Load average (1 min) at the start and end: the machine's business while it was measured. */
  load: z.tuple([z.number(), z.number()]),
  /** Seconds the profile took, and how many tiny models it timed. */
  seconds: z.number().nonnegative(),
  parts: z.number().int().nonnegative(),
  /** Milliseconds no decision changes (see the key docs): included once per network. */
  base: z.number().nonnegative(),
  entries: z.record(z.string(), z.number().nonnegative()),
});

export type LatencyTableFile = z.infer<typeof latencyTableFileSchema>;

/** A table that is missing, malformed or wrong for its use; `transient` when reading it failed for a reason a retry may fix (S3 unreachable). */
export class LatencyTableError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
    readonly transient = false,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'LatencyTableError';
  }
}

export function isLatencyTableError(err: unknown): err is LatencyTableError {
  return err instanceof LatencyTableError;
}

/** Parses a table file's text; `field` names where it came from in errors (a spec field or a flag). */
export function parseLatencyTable(text: string, field: string, source: string): LatencyTableFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new LatencyTableError(field, `${source} is not JSON (${(err as Error).message}); write it with nasflow latency profile --out FILE`);
  }
  const parsed = latencyTableFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = fieldProblems(latencyTableFileSchema, json, parsed.error.issues)
      .slice(0, 3)
      .map((p) => `${p.field}: ${p.problem}`);
    throw new LatencyTableError(field, `${source} is not a latency table (${problems.join('; ')}); write it with nasflow latency profile --out FILE`);
  }
  return parsed.data;
}
