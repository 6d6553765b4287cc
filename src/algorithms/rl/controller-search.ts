/**
 * Policy-gradient architecture search with an LSTM controller: NASNet (Zoph et al. 2018, Sec. 3
 * and App. A: PPO, EMA baseline decay 0.95, entropy penalty, minibatch of 20 architectures) and,
 * with the MnasNet reward, MnasNet (Tan et al. 2019, Sec. 4). REINFORCE is the alternative update.
 *
 * Asynchronous use: each proposal remembers its sequence and its log-probability at sampling time
 * (PPO's "old" policy); results join a buffer in arrival order and every `batchSize` of them make
 * one update. Advantages are (R - baseline) divided by a running deviation so that the learning
 * rate does not depend on the reward's unit (percent or fraction, or a MnasNet reward).
 *
 * Duplicates: a sampled architecture that was already tried is not proposed again; if its reward
 * is known it still feeds the buffer (an on-policy sample whose reward is cached), then the
 * controller samples again. After `attempts` known samples it proposes unseen one-decision
 * mutations of its samples (log-probability recomputed under the policy), then uniform ones.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../common/rng.js';
import type { SearchSpace } from '../../space/types.js';
import { BaseSearch, unpackState, type BaseInit, type TrialRecord } from '../base.js';
import type { AlgorithmState } from '../types.js';
import { LstmPolicy } from '../controller/lstm-policy.js';
import { rewardOf, type RewardSpec } from './reward.js';
import { tableLatency } from './latency-table.js';
import { checkControllerArgs, resolveControllerArgs, type ControllerArgs, type ControllerConfig } from './controller-args.js';

interface Sample {
  sequence: number[];
  logp: number;
}
interface Buffered extends Sample {
  reward: number;
}
/** One controller update as the report draws it (rounded to 6 significant digits). */
export interface UpdateRecord {
  /** 1-based update number. */
  update: number;
  /** Mean reward of the update's batch. */
  reward: number;
  /** The EMA baseline after the batch. */
  baseline: number;
  /** Mean entropy (nats) of the policy over the batch's sequences, before the update. */
  entropy: number;
}

/**
 * Per-update history kept for reports, bounded so the state stays small: at most HISTORY_CAP
 * records; when full, every second one is dropped and only every `stride`-th update is recorded
 * from then on (stride doubles), so the history covers the whole search evenly.
 */
export interface UpdateHistory {
  stride: number;
  records: UpdateRecord[];
}
export const HISTORY_CAP = 256;

interface Data {
  config: ControllerConfig;
  pending: Record<string, Sample>;
  buffer: Buffered[];
  baseline: number | null;
  deviation: number | null;
  updates: number;
  /** Absent in states written before it was kept. */
  history?: UpdateHistory;
}

export class ControllerSearch<G> extends BaseSearch<G> {
  private readonly policy: LstmPolicy;

  private constructor(
    name: string,
    space: SearchSpace<G>,
    init: BaseInit,
    private readonly data: Data,
    weights: string | undefined,
  ) {
    super(name, space, init);
    // Initial weights come from a fork of the seed, so they are reproducible without being stored.
    this.policy = new LstmPolicy(space.decisions(), { hidden: data.config.hidden }, Rng.fromState(init.rng).fork('init'));
    if (weights !== undefined) this.policy.load(weights);
  }

  static create<G>(name: string, space: SearchSpace<G>, seed: number, args: ControllerArgs = {}): ControllerSearch<G> {
    const config = resolveControllerArgs(args);
    checkControllerArgs(config);
    const data: Data = { config, pending: {}, buffer: [], baseline: null, deviation: null, updates: 0, history: { stride: 1, records: [] } };
    return new ControllerSearch(name, space, { rng: Rng.seeded(seed).state() }, data, undefined);
  }

  static restore<G>(name: string, space: SearchSpace<G>, state: AlgorithmState): ControllerSearch<G> {
    const { init, data } = unpackState(state, name, space.name);
    return new ControllerSearch(name, space, init, structuredClone(data as Data), state.weights);
  }

  /** Number of controller updates so far (for reports). */
  updates(): number {
    return this.data.updates;
  }

  protected override score(accuracy: number, cost: number | undefined, genotype: G): number {
    // A reported cost wins; otherwise the latency lookup table (if any) prices the architecture.
    const table = this.data.config.latencyTable;
    const c = cost ?? (table ? tableLatency(this.space, genotype, table) : undefined);
    return rewardOf(this.data.config.reward, accuracy, c);
  }

  protected next(trialId: string): G | undefined {
    let chosen: Sample | undefined;
    let cachedFeeds = 0;
    let draws = 0;
    const g = this.unseen(() => {
      const s = this.policy.sample(this.rng);
      const genotype = this.space.decode(s.sequence);
      const known = this.finishedByHash(this.space.hash(this.space.canonical(genotype)));
      if (known && this.data.config.learnFromDuplicates && cachedFeeds < this.data.config.batchSize) {
        cachedFeeds++;
        this.push({ ...s, reward: known.score as number });
      }
      chosen = s;
      // A converged policy keeps sampling known cells: then propose an unseen neighbour of its
      // sample rather than a uniform one, staying where the policy is; walk further out (one more
      // mutation every 10 draws) when the nearest neighbours are taken too.
      const extra = draws++ - this.data.config.attempts;
      let out = genotype;
      for (let k = 0; k <= Math.floor(extra / 10) && extra >= 0; k++) out = this.space.mutate(out, this.rng);
      return out;
    }, 3 * this.data.config.attempts);
    if (g === undefined) return undefined;
    const sequence = this.space.encode(g);
    // Mutated or uniform fallbacks: their log-probability under the policy is recomputed.
    const sample = chosen && sameSequence(chosen.sequence, sequence) ? chosen : { sequence, logp: this.logProbOf(sequence) };
    this.data.pending[trialId] = sample;
    return g;
  }

  protected learn(finished: readonly TrialRecord<G>[]): void {
    for (const t of finished) {
      const sample = this.data.pending[t.id];
      delete this.data.pending[t.id];
      // Failed trials carry no reward: they are counted by the base class and never re-proposed.
      if (t.status === 'succeeded' && sample) this.push({ ...sample, reward: t.score as number });
    }
  }

  protected saveData(): unknown {
    return this.data;
  }

  protected override saveWeights(): string {
    return this.policy.save();
  }

  private push(item: Buffered): void {
    this.data.buffer.push(item);
    if (this.data.buffer.length >= this.data.config.batchSize) {
      const batch = this.data.buffer.splice(0, this.data.config.batchSize);
      this.update(batch);
    }
  }

  /** One controller update on a full batch (PPO: several clipped epochs; REINFORCE: one step). */
  private update(batch: Buffered[]): void {
    const cfg = this.data.config;
    const advantages = batch.map((b) => this.advantage(b.reward));
    const seqs = batch.map((b) => b.sequence);
    const entropyBefore = tf.tidy(() => this.policy.evaluate(seqs).entropy.mean().dataSync()[0]!);
    const oldLogp = tf.tensor1d(batch.map((b) => b.logp));
    const adv = tf.tensor1d(advantages);
    const epochs = cfg.method === 'ppo' ? cfg.ppoEpochs : 1;
    for (let e = 0; e < epochs; e++) {
      this.policy.minimize(
        () => {
          const { logp, entropy } = this.policy.evaluate(seqs);
          let objective: tf.Tensor;
          if (cfg.method === 'ppo') {
            const ratio = tf.exp(logp.sub(oldLogp));
            const clipped = ratio.clipByValue(1 - cfg.clip, 1 + cfg.clip);
            objective = tf.minimum(ratio.mul(adv), clipped.mul(adv));
          } else {
            objective = logp.mul(adv);
          }
          return objective.mean().add(entropy.mean().mul(cfg.entropy)).neg() as tf.Scalar;
        },
        { lr: cfg.lr },
      );
    }
    oldLogp.dispose();
    adv.dispose();
    this.data.updates++;
    const reward = batch.reduce((sum, b) => sum + b.reward, 0) / batch.length;
    this.record({ update: this.data.updates, reward: sig6(reward), baseline: sig6(this.data.baseline ?? reward), entropy: sig6(entropyBefore) });
  }

  /** Per-update reward, baseline and entropy (bounded, evenly downsampled: {@link UpdateHistory}). */
  updateHistory(): UpdateRecord[] {
    return (this.data.history?.records ?? []).map((r) => ({ ...r }));
  }

  private record(r: UpdateRecord): void {
    appendBounded((this.data.history ??= { stride: 1, records: [] }), r);
  }

  /** (R - b) / deviation, then moves the EMA baseline and deviation towards R. */
  private advantage(reward: number): number {
    const d = this.data;
    const decay = d.config.baselineDecay;
    if (d.baseline === null) d.baseline = reward;
    const diff = reward - d.baseline;
    d.deviation = d.deviation === null ? Math.abs(diff) : decay * d.deviation + (1 - decay) * Math.abs(diff);
    const a = diff / Math.max(d.deviation, 1e-8);
    d.baseline = decay * d.baseline + (1 - decay) * reward;
    return a;
  }

  private logProbOf(sequence: number[]): number {
    return tf.tidy(() => this.policy.evaluate([sequence]).logp.dataSync()[0]!);
  }

  private finishedByHash(hash: string): TrialRecord<G> | undefined {
    if (!this.seen.has(hash)) return undefined;
    for (const t of this.trials.values()) if (t.hash === hash && t.status === 'succeeded') return t;
    return undefined;
  }
}

/**
 * Adds update `r` to `h` when it falls on the stride; past `cap` records, doubles the stride and
 * keeps the records on it (about half), so at most `cap` records cover every update so far evenly.
 */
export function appendBounded(h: UpdateHistory, r: UpdateRecord, cap = HISTORY_CAP): void {
  if ((r.update - 1) % h.stride !== 0) return;
  h.records.push(r);
  if (h.records.length > cap) {
    h.stride *= 2;
    h.records = h.records.filter((x) => (x.update - 1) % h.stride === 0);
  }
}

/** `x` to 6 significant digits (the history is for drawing; full precision would only bloat the state). */
function sig6(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : x;
}

function sameSequence(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export type { RewardSpec };
