/**
 * `nasflow bench trial --spec <uri>`: a benchmark trial as its own process (evaluator.runAs
 * `process`). It reads the trial spec like the trainer does, answers from the NAS-Bench-201
 * table, waits the paced simulated training time, and writes result.json — so the local
 * launcher, its re-attach logic and its failure handling are exercised at table speed.
 */
import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchmarkResult } from '../api/trial-result.js';
import { BadSpecError, exitCodeFor } from '../trainer/errors.js';
import { parseTrialSpec } from '../trainer/spec.js';
import { answerTrial } from '../launch/benchmark-answer.js';
import { getJson, putJson } from '../store/object-store.js';
import { openUri } from '../store/uri.js';

export function registerBenchTrialCommand(program: Command): void {
  program
    .command('bench-trial', { hidden: true })
    .description('answer one NAS-Bench-201 trial as a process (used by evaluator.runAs: process)')
    .requiredOption('--spec <uri>', 'trial spec written by the search')
    .action(async (opts: { spec: string }) => {
      const opened = openUri(opts.spec, process.env);
      try {
        const trial = parseTrialSpec(await getJson(opened.store, opened.key), opts.spec);
        if (!trial.benchmark)
          throw new BadSpecError(
            `${opts.spec}#benchmark`,
            'expected the benchmark a table-backed trial is answered from; this spec is for the trainer (nasflow train)',
          );
        const { delayMs, ...answer } = answerTrial(trial.benchmark, trial.genotype);
        await sleep(delayMs);
        const resultKey = opened.key.includes('/') ? `${opened.key.slice(0, opened.key.lastIndexOf('/'))}/result.json` : 'result.json';
        const result: BenchmarkResult = { ...answer, readyAtMs: 0 };
        await putJson(opened.store, resultKey, result);
      } catch (err) {
        // The trainer's exit codes (src/api/exit-codes.ts): a bad spec is not retried.
        console.error(`nasflow bench-trial: ${err instanceof Error ? err.message : String(err)}`);
        process.exitCode = exitCodeFor(err);
      } finally {
        opened.close();
      }
    });
}
