/**
 * `nasflow search …` and `nasflow worker`. With no Temporal address configured (`--address` or
 * TEMPORAL_ADDRESS) a command uses the embedded default: a Temporal dev server started for its
 * duration and, for `run`/`resume`, an in-process worker with the local launcher.
 */
import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import { startSearch, searchHandle } from '../client/search-client.js';
import { localSearchId, TASK_QUEUE, workflowIdFor } from '../common/ids.js';
import type { SearchProgress, SearchResult } from '../common/search-types.js';
import type { Launcher } from '../launch/launcher.js';
import { createSearchWorker } from '../worker/worker.js';
import type { searchWorkflow } from '../../workflows/search.workflow.js';
import {
  cancelUpdate, leaderboardQuery, pauseUpdate, progressQuery, resumeUpdate, setMaxTrialsUpdate, setParallelismUpdate, stopUpdate,
} from '../../workflows/search-handlers.js';
import { connectTemporal, localHome, workflowUrl, type TemporalTarget } from './temporal-target.js';
import { loadSpecFile } from './spec-file.js';
import { leaderboardTable, progressBar, statusText } from './progress-view.js';

interface ConnOpts {
  address?: string;
  namespace?: string;
  local?: boolean;
}

type Handle = WorkflowHandle<typeof searchWorkflow>;

const log = (m: string): void => console.error(m);

let runtimeQuiet = false;
/**
 * The SDK logs every worker state change at INFO (the CLI shows its own progress instead), and by
 * default shuts workers down on SIGINT — but Ctrl-C must first pause the search, which needs the
 * worker, so the CLI handles the signal itself.
 */
function quietRuntime(): void {
  if (runtimeQuiet) return;
  runtimeQuiet = true;
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
}

function addConnOptions(cmd: Command): Command {
  return cmd
    .option('--address <host:port>', 'Temporal frontend (default: $TEMPORAL_ADDRESS, else the embedded dev server)')
    .option('--namespace <ns>', 'Temporal namespace (default: $TEMPORAL_NAMESPACE or "default")');
}

export function registerSearchCommands(program: Command): void {
  addConnOptions(
    program
      .command('worker')
      .description('run a worker for search workflows and their activities')
      .option('--task-queue <name>', 'task queue', TASK_QUEUE)
      .option('--launcher <kind>', 'where trained trials run: local (child processes) or kubernetes (Jobs)', 'local')
      .option('--max-local-trials <n>', 'trials the local launcher runs at once', '1')
      .option('--work-dir <dir>', 'folder for local launch records and trial logs'),
  ).action(async (opts: ConnOpts & { taskQueue: string; launcher: string; maxLocalTrials: string; workDir?: string }) => {
    const address = opts.address ?? process.env.TEMPORAL_ADDRESS;
    if (!address) throw new Error('worker needs --address <host:port> or TEMPORAL_ADDRESS');
    const trainLauncher = await launcherFor(opts.launcher);
    const { worker } = await createSearchWorker({
      address, namespace: opts.namespace ?? process.env.TEMPORAL_NAMESPACE ?? 'default', taskQueue: opts.taskQueue, env: process.env,
      workDir: opts.workDir ?? join(localHome(process.env), 'launcher'), maxLocalTrials: positive(opts.maxLocalTrials, '--max-local-trials'),
      ...(trainLauncher ? { trainLauncher } : {}),
    });
    console.error(`nasflow worker: polling task queue ${opts.taskQueue} on ${address}`);
    await worker.run();
  });

  const search = program.command('search').description('run and steer architecture searches');

  addConnOptions(
    search
      .command('run <spec>')
      .description('start a search from a spec file (YAML or JSON) and follow it to the end')
      .option('--local', 'use the embedded default even if TEMPORAL_ADDRESS is set')
      .option('--id <id>', 'search id suffix (default: random)')
      .option('--max-local-trials <n>', 'trials run at once on this machine (default: the spec parallelism)')
      .option('--json', 'print a JSON summary as the last line'),
  ).action(async (specPath: string, opts: ConnOpts & { id?: string; maxLocalTrials?: string; json?: boolean }) => {
    const spec = loadSpecFile(specPath);
    const searchId = localSearchId(spec.name, opts.id ?? randomBytes(3).toString('hex'));
    await withTarget(opts, async (target) => {
      const worker = target.embedded ? await embeddedWorker(target, opts.maxLocalTrials ? positive(opts.maxLocalTrials, '--max-local-trials') : spec.budget.parallelism) : undefined;
      try {
        const handle = await startSearch(target.client, spec, { searchId });
        announce(target, searchId);
        await follow(handle, target, searchId, Boolean(opts.json), worker);
      } finally {
        await shutdown(worker);
      }
    });
  });

  addConnOptions(search.command('resume <searchId>').description('resume a paused search (and follow it when embedded)').option('--json', 'print a JSON summary as the last line'))
    .action(async (searchId: string, opts: ConnOpts & { json?: boolean }) => {
      await withTarget(opts, async (target) => {
        const worker = target.embedded ? await embeddedWorker(target, Math.max(1, availableParallelism())) : undefined;
        try {
          const handle = searchHandle(target.client, searchId);
          const p = await handle.executeUpdate(resumeUpdate);
          if (worker) await follow(handle, target, searchId, Boolean(opts.json), worker);
          else console.log(statusText(p));
        } finally {
          await shutdown(worker);
        }
      });
    });

  addConnOptions(search.command('list').description('list searches').option('--json', 'print JSON')).action(async (opts: ConnOpts & { json?: boolean }) => {
    await withTarget(opts, async (target) => {
      const rows: { workflowId: string; status: string; algorithm?: unknown; phase?: unknown; completed?: unknown; best?: unknown }[] = [];
      for await (const wf of target.client.workflow.list({ query: "WorkflowType = 'searchWorkflow'" })) {
        const sa = wf.searchAttributes as Record<string, unknown[] | undefined>;
        rows.push({ workflowId: wf.workflowId, status: wf.status.name, algorithm: sa.NasAlgorithm?.[0], phase: sa.NasPhase?.[0], completed: sa.NasTrialsCompleted?.[0], best: sa.NasBestAccuracy?.[0] });
      }
      if (opts.json) console.log(JSON.stringify(rows));
      else for (const r of rows) console.log(`${r.workflowId.replace(/^nas\//, '')}  ${String(r.algorithm ?? '-')}  ${String(r.phase ?? r.status)}  trials ${String(r.completed ?? 0)}  best ${r.best === undefined ? '-' : `${Number(r.best).toFixed(2)}%`}`);
    });
  });

  addConnOptions(search.command('status <searchId>').description('show progress and the leaderboard').option('--json', 'print JSON'))
    .action(async (searchId: string, opts: ConnOpts & { json?: boolean }) => {
      await withTarget(opts, async (target) => {
        const handle = searchHandle(target.client, searchId);
        const p = await handle.query(progressQuery);
        const top = await handle.query(leaderboardQuery, 10);
        if (opts.json) console.log(JSON.stringify({ progress: p, leaderboard: top }));
        else console.log(`${statusText(p)}\n${leaderboardTable(top)}`);
      });
    });

  const controls: [string, string, (h: Handle) => Promise<SearchProgress>][] = [
    ['pause', 'stop launching trials (running trials finish)', (h) => h.executeUpdate(pauseUpdate)],
    ['stop', 'launch nothing more, let running trials finish, then complete', (h) => h.executeUpdate(stopUpdate)],
    ['cancel', 'stop running trials now and complete as Cancelled', (h) => h.executeUpdate(cancelUpdate)],
  ];
  for (const [name, description, apply] of controls) {
    addConnOptions(search.command(`${name} <searchId>`).description(description)).action(async (searchId: string, opts: ConnOpts) => {
      await withTarget(opts, async (target) => console.log(statusText(await apply(searchHandle(target.client, searchId)))));
    });
  }

  addConnOptions(
    search.command('set <searchId>').description('change a running search').option('--parallelism <n>', 'trials in flight').option('--max-trials <n>', 'trial budget'),
  ).action(async (searchId: string, opts: ConnOpts & { parallelism?: string; maxTrials?: string }) => {
    if (!opts.parallelism && !opts.maxTrials) throw new Error('search set: pass --parallelism <n> and/or --max-trials <n>');
    await withTarget(opts, async (target) => {
      const handle = searchHandle(target.client, searchId);
      let p: SearchProgress | undefined;
      if (opts.parallelism) p = await handle.executeUpdate(setParallelismUpdate, { args: [positive(opts.parallelism, '--parallelism')] });
      if (opts.maxTrials) p = await handle.executeUpdate(setMaxTrialsUpdate, { args: [positive(opts.maxTrials, '--max-trials')] });
      console.log(statusText(p!));
    });
  });
}

async function withTarget(opts: ConnOpts, fn: (t: TemporalTarget) => Promise<void>): Promise<void> {
  const target = await connectTemporal(opts, process.env, log);
  try {
    await fn(target);
  } finally {
    await target.close();
  }
}

async function embeddedWorker(target: TemporalTarget, maxLocalTrials: number): Promise<Worker> {
  quietRuntime();
  const { worker } = await createSearchWorker({
    address: target.address, namespace: target.namespace, env: process.env, workDir: join(localHome(process.env), 'launcher'), maxLocalTrials,
  });
  void worker.run();
  return worker;
}

async function shutdown(worker: Worker | undefined): Promise<void> {
  if (worker && worker.getState() === 'RUNNING') {
    worker.shutdown();
    while (worker.getState() !== 'STOPPED' && worker.getState() !== 'FAILED') await sleep(50);
  }
}

function announce(target: TemporalTarget, searchId: string): void {
  const url = workflowUrl(target.uiUrl, target.namespace, workflowIdFor(searchId));
  console.error(`search ${searchId} started${url ? `; Temporal UI: ${url}` : ` (workflow ${workflowIdFor(searchId)})`}`);
}

/** Shows progress until the search ends; Ctrl-C pauses it (resumable with `search resume`). */
async function follow(handle: Handle, target: TemporalTarget, searchId: string, json: boolean, worker: Worker | undefined): Promise<void> {
  const view = progressBar();
  let interrupted = false;
  const onInt = (): void => {
    interrupted = true;
  };
  process.once('SIGINT', onInt);
  const started = Date.now();
  // Aborted on Ctrl-C: the result long-poll must not outlive the connection it runs on.
  const abort = new AbortController();
  const result = target.client
    .withAbortSignal(abort.signal, () => handle.result())
    .then((r) => ({ ok: true as const, r }), (e: unknown) => ({ ok: false as const, e }));
  let outcome: Awaited<typeof result> | undefined;
  while (!outcome && !interrupted) {
    try {
      view.update(await handle.query(progressQuery));
    } catch {
      // the query can race the workflow's completion
    }
    outcome = await Promise.race([result, sleep(1000).then(() => undefined)]);
  }
  view.stop();
  process.removeListener('SIGINT', onInt);
  if (interrupted) {
    await handle.executeUpdate(pauseUpdate);
    abort.abort();
    await result;
    console.error(`\nsearch paused; resume with: nasflow search resume ${searchId}${target.embedded ? '' : ` --address ${target.address}`}`);
    await shutdown(worker);
    process.exitCode = 130;
    return;
  }
  if (!outcome!.ok) {
    const err = outcome!.e;
    const reason = err instanceof WorkflowFailedError ? rootCause(err) : String(err);
    console.error(`search ${searchId} failed: ${reason}`);
    process.exitCode = 1;
    if (json) console.log(JSON.stringify({ searchId, phase: 'Failed', reason }));
    return;
  }
  const r: SearchResult = outcome!.r;
  console.error(`\n${statusText(r.progress)}\n${leaderboardTable(r.leaderboard.slice(0, 10))}`);
  if (json) console.log(JSON.stringify(summary(r, (Date.now() - started) / 1000)));
}

/** The innermost message of a failure chain: "Activity task failed" says less than its cause. */
function rootCause(err: Error): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}

function summary(r: SearchResult, wallSeconds: number): Record<string, unknown> {
  const best = r.leaderboard[0];
  return {
    searchId: r.searchId,
    algorithm: r.progress.algorithm,
    phase: r.phase,
    trials: { succeeded: r.progress.counts.succeeded, failed: r.progress.counts.failed, retried: r.progress.counts.infraRetries, cancelled: r.progress.counts.cancelled },
    best: best ? { trialId: best.trialId, valAccuracy: best.accuracy, testAccuracy: best.testAccuracy, genotype: best.summary } : null,
    ...(r.progress.oneShot ? { oneShot: r.progress.oneShot } : {}),
    wallSeconds: Math.round(wallSeconds * 10) / 10,
  };
}

async function launcherFor(kind: string): Promise<Launcher | undefined> {
  if (kind === 'local') return undefined;
  if (kind === 'kubernetes') {
    const mod = (await import('../kube/kube-launcher.js' as string)) as { createKubeLauncherFromEnv(env: NodeJS.ProcessEnv): Launcher };
    return mod.createKubeLauncherFromEnv(process.env);
  }
  throw new Error(`--launcher must be local or kubernetes; received "${kind}"`);
}

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer; received "${value}"`);
  return n;
}

