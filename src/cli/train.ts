/**
 * `nasflow train`: the trial pod's entry point. Exit codes are the trainer contract of
 * src/trainer/errors.ts (0 done, 2 bad spec/data, 3 NaN, 75 preempted after a checkpoint,
 * anything else retryable). The result JSON is printed as the last line of stdout.
 */
import type { Command } from 'commander';
import { EXIT_OK, EXIT_PREEMPTED } from '../api/exit-codes.js';
import { BadSpecError, exitCodeFor } from '../trainer/errors.js';
import { defaultModelFactory } from '../trainer/factories.js';
import type { ModelFactory } from '../trainer/model.js';
import { runAnyTrial } from '../trainer/entry.js';
import { registerDatasetCommands } from './dataset.js';

export interface TrainOptions {
  spec?: string;
  dataset?: string;
  out?: string;
  requireGpu?: boolean;
}

/** Registers `train` and the `dataset` group. */
export function registerTrainCommands(program: Command): void {
  program
    .command('train')
    .description('Train one trial from a trial spec; writes checkpoints and result.json to the output URI')
    .option('--spec <uri>', 'trial spec (s3://bucket/key, file:///path or a path); default: $NASFLOW_TRIAL_SPEC')
    .option('--dataset <uri>', "dataset prefix; overrides the spec's dataset")
    .option('--out <uri>', "output prefix; overrides the spec's output (default: the spec's directory)")
    .option(
      '--require-gpu',
      'exit 2 instead of training on the CPU when no GPU is usable (default: $NASFLOW_REQUIRE_GPU=1, which trial Jobs that request nvidia.com/gpu set)',
    )
    .action(async (opts: TrainOptions) => {
      const code = await trainCommand(opts, defaultModelFactory);
      await exitAfterFlush(code);
    });
  registerDatasetCommands(program);
}

/** Runs one trial with signal handling; returns the exit code (exported for test entry points). */
export async function trainCommand(opts: TrainOptions, buildModel: ModelFactory): Promise<number> {
  const env = process.env;
  const specUri = opts.spec ?? env.NASFLOW_TRIAL_SPEC;
  if (!specUri) {
    const err = new BadSpecError('--spec', 'missing; pass --spec <uri> or set NASFLOW_TRIAL_SPEC');
    console.error(`nasflow train: ${err.message}`);
    return exitCodeFor(err);
  }
  let stop = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    // Second signal: the checkpoint in flight is atomic, so leaving now loses nothing committed.
    if (stop) process.exit(128 + (signal === 'SIGTERM' ? 15 : 2));
    stop = true;
    console.error(`nasflow train: ${signal} received; checkpointing and exiting with ${EXIT_PREEMPTED}`);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const result = await runAnyTrial({
      specUri,
      datasetUri: opts.dataset,
      outUri: opts.out,
      env,
      requireGpu: opts.requireGpu ?? env.NASFLOW_REQUIRE_GPU === '1',
      buildModel,
      shouldStop: () => stop,
      now: () => performance.now(),
      log: (msg) => console.error(msg),
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return EXIT_OK;
  } catch (err) {
    const code = exitCodeFor(err);
    console.error(`nasflow train: ${err instanceof Error ? err.message : String(err)} (exit ${code})`);
    if (code === 1 && err instanceof Error && err.stack) console.error(err.stack);
    return code;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

/** Exits once stdout has drained (a pipe may still hold the result line). */
export function exitAfterFlush(code: number): Promise<never> {
  return new Promise(() => {
    process.stdout.write('', () => process.exit(code));
  });
}
