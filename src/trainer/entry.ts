/**
 * The one trainer entry: a spec with `kind: "ponas-supernet"` runs a PONAS one-shot trial,
 * anything else a child-network trial. Both share the exit-code and checkpoint contracts.
 */
import { readSpecJson, runTrial, type RunTrialArgs } from './run-trial.js';
import type { SupernetResult, TrainedResult } from '../api/trial-result.js';
import { runSupernetTrial } from './supernet/run-supernet.js';

export async function runAnyTrial(a: RunTrialArgs): Promise<TrainedResult | SupernetResult> {
  const json = await readSpecJson(a.specUri, a.env);
  const kind = json !== null && typeof json === 'object' ? (json as { kind?: unknown }).kind : undefined;
  return kind === 'ponas-supernet' ? runSupernetTrial(a) : runTrial(a);
}
