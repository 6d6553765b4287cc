/**
 * The RL controller panel (NASNet-RL, MnasNet-RL): per controller update, the batch's mean reward,
 * the EMA baseline after it and the policy's entropy, from the update history the controller keeps
 * in its state (src/algorithms/rl/controller-search.ts: bounded, evenly downsampled). Pure: the
 * stored state in, a model and HTML out.
 */
import type { AlgorithmState } from '../algorithms/types.js';
import { NASNET_RL, MNASNET_RL } from '../algorithms/rl/definitions.js';
import type { UpdateRecord } from '../algorithms/rl/controller-search.js';
import { esc } from './html.js';
import { lineChart } from './svg-charts.js';

export interface ControllerModel {
  algorithm: string;
  /** Updates so far (all of them; `records` may be a downsample). */
  updates: number;
  records: UpdateRecord[];
  /** Recording every `stride`-th update. */
  stride: number;
  /** False for states written before the history was kept. */
  hasHistory: boolean;
}

interface ControllerData {
  updates?: unknown;
  history?: { stride?: unknown; records?: unknown };
}

const isRecord = (r: unknown): r is UpdateRecord => {
  const o = r as Record<string, unknown> | null;
  return o !== null && typeof o === 'object' && ['update', 'reward', 'baseline', 'entropy'].every((k) => typeof o[k] === 'number');
};

/** The controller's history in `state`, or undefined when the state is not an RL controller's. */
export function controllerModel(state: AlgorithmState | undefined): ControllerModel | undefined {
  if (!state || (state.algorithm !== NASNET_RL && state.algorithm !== MNASNET_RL)) return undefined;
  const algo = ((state.data as { algo?: unknown } | null)?.algo ?? {}) as ControllerData;
  const records = Array.isArray(algo.history?.records) ? algo.history.records.filter(isRecord) : [];
  return {
    algorithm: state.algorithm,
    updates: typeof algo.updates === 'number' ? algo.updates : 0,
    records,
    stride: typeof algo.history?.stride === 'number' ? algo.history.stride : 1,
    hasHistory: algo.history !== undefined,
  };
}

export function controllerPanel(m: ControllerModel): string {
  const head = `<h2>RL controller (${esc(m.algorithm)})</h2>`;
  if (!m.hasHistory)
    return `${head}<p class="gap" id="controller">this search's controller state has no update history (written before the history was kept)</p>`;
  if (m.records.length === 0) return `${head}<p class="gap" id="controller">no controller update yet: an update needs a full batch of results</p>`;
  const pts = (key: 'reward' | 'baseline' | 'entropy') => m.records.map((r) => ({ x: r.update, y: r[key], title: `update ${r.update}: ${key} ${r[key]}` }));
  const rewards = lineChart({
    id: 'controller-reward',
    xLabel: 'controller update',
    yLabel: 'reward',
    series: [
      { name: 'batch mean reward', cls: 's-reward', points: pts('reward') },
      { name: 'EMA baseline', cls: 's-baseline', points: pts('baseline') },
    ],
  });
  const entropy = lineChart({
    id: 'controller-entropy',
    xLabel: 'controller update',
    yLabel: 'policy entropy (nats)',
    series: [{ name: 'entropy', cls: 's-entropy', points: pts('entropy') }],
  });
  const sampled = m.stride > 1 ? ` (every ${m.stride}th update shown: the state keeps a bounded history)` : '';
  return `${head}<p class="meta" id="controller">${m.updates} updates${esc(sampled)}. Entropy is the policy's mean over each batch before its update; a falling entropy is a controller growing sure of its choices.</p><div class="charts">${rewards}${entropy}</div>`;
}
