/**
 * `nasflow latency measure --spec URI`: the latency step's entry point (spec `latency.device: pool`),
 * run by the local launcher as a second process and by the Kubernetes launcher as a second Job with
 * the resource's latency pod template, after the trainer has succeeded. Exit codes follow the
 * trainer contract (src/trainer/errors.ts): 0 done, 2 bad spec, anything else retried. The updated
 * result is printed as the last line of stdout.
 */
import type { Command } from 'commander';
import { EXIT_OK } from '../api/exit-codes.js';
import { BadSpecError, exitCodeFor } from '../trainer/errors.js';
import { runLatencyStep } from '../trainer/latency-step.js';
import { exitAfterFlush } from './train.js';

export function registerLatencyMeasureCommand(latency: Command): void {
  latency
    .command('measure')
    .description("Measure a trained trial's inference latency on this machine and add it to its result.json (the latency step of spec latency.device pool)")
    .option('--spec <uri>', 'trial spec (s3://bucket/key, file:///path or a path); default: $NASFLOW_TRIAL_SPEC')
    .action(async (opts: { spec?: string }) => {
      await exitAfterFlush(await latencyMeasureCommand(opts.spec ?? process.env.NASFLOW_TRIAL_SPEC));
    });
}

export async function latencyMeasureCommand(specUri: string | undefined): Promise<number> {
  try {
    if (!specUri) throw new BadSpecError('--spec', 'missing; pass --spec <uri> or set NASFLOW_TRIAL_SPEC');
    const result = await runLatencyStep({ specUri, env: process.env, log: (line) => console.error(line), now: () => performance.now() });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return EXIT_OK;
  } catch (err) {
    const code = exitCodeFor(err);
    console.error(`nasflow latency measure: ${err instanceof Error ? err.message : String(err)} (exit ${code})`);
    return code;
  }
}
