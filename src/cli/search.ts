/**
 * `nasflow search …` and `nasflow worker`. With no Temporal address configured (`--address` or
 * TEMPORAL_ADDRESS) a command uses the embedded default: a Temporal dev server shared by the
 * nasflow commands running at the time (embedded-server.ts) and, for commands that need the
 * workflow to move (run, resume, pause, stop, cancel, set), an in-process worker with the local
 * launcher.
 */
import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import { startSearch, searchHandle } from '../client/search-client.js';
import { noWorkerMessage, workflowPollers } from '../client/task-queue.js';
import { localSearchId, TASK_QUEUE, workflowIdFor } from '../common/ids.js';
import type { SearchProgress, SearchResult } from '../common/search-types.js';
import type { Launcher } from '../launch/launcher.js';
import { createSearchWorker, createSearchWorkerWhenReachable } from '../worker/worker.js';
import { startHealthServer } from '../metrics/health-server.js';
import { createSearchMetrics } from '../metrics/search-metrics.js';
import type { searchWorkflow } from '../../workflows/search.workflow.js';
import { cancelUpdate, pauseUpdate, resumeUpdate, setMaxTrialsUpdate, setParallelismUpdate, stopUpdate } from '../../workflows/search-handlers.js';
import { follow, Interrupts } from './follow.js';
import { connectTemporal, localHome, workflowUrl, type TemporalTarget } from './temporal-target.js';
import { loadSpecFile } from './spec-file.js';
import { leaderboardTable, statusText } from './progress-view.js';
import { searchStatus, statusReportText } from './search-status.js';
import { NAS_ALGORITHM, NAS_BEST_ACCURACY, NAS_PHASE, NAS_TRIALS_COMPLETED } from '../api/search-attributes.js';

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
 * worker, so the CLI handles the signal itself. When the CLI's worker stops, each trial it was
 * waiting on fails its wait on purpose (the trial runs on and the next worker re-attaches); the
 * SDK would print a warning with a stack for each, so those are left out.
 */
function quietRuntime(): void {
  if (runtimeQuiet) return;
  runtimeQuiet = true;
  const logger = new DefaultLogger('WARN', (entry) => {
    if ((entry.meta?.error as { type?: unknown } | undefined)?.type === 'TrialWaitInterrupted') return;
    const when = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
    process.stderr.write(`${when} [${entry.level}] ${entry.message}${entry.meta ? ` ${inspect(entry.meta)}` : ''}\n`);
  });
  Runtime.install({ logger, shutdownSignals: [] });
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
      .option('--work-dir <dir>', 'folder for local launch records and trial logs')
      .option('--metrics-address <host:port>', 'serve /metrics, /healthz and /readyz here (default: $NASFLOW_METRICS_ADDRESS, else none)'),
  ).action(async (opts: ConnOpts & { taskQueue: string; launcher: string; maxLocalTrials: string; workDir?: string; metricsAddress?: string }) => {
    const address = opts.address ?? process.env.TEMPORAL_ADDRESS;
    if (!address) throw new Error('worker needs --address <host:port> or TEMPORAL_ADDRESS');
    const metricsAddress = opts.metricsAddress ?? process.env.NASFLOW_METRICS_ADDRESS;
    const started: { worker?: Worker } = {};
    const metrics = metricsAddress ? createSearchMetrics() : undefined;
    // Up before Temporal is reached: liveness answers while the worker waits out an outage; readiness does not.
    const health =
      metrics && metricsAddress
        ? await startHealthServer({
            registry: metrics.registry,
            address: metricsAddress,
            ready: () =>
              started.worker?.getState() === 'RUNNING' ? true : `worker ${started.worker ? started.worker.getState().toLowerCase() : 'connecting to Temporal'}`,
          })
        : undefined;
    if (health) console.error(`nasflow worker: metrics and health on http://${health.address}`);
    const trainLauncher = await launcherFor(opts.launcher);
    const { worker } = await createSearchWorkerWhenReachable(
      {
        address,
        namespace: opts.namespace ?? process.env.TEMPORAL_NAMESPACE ?? 'default',
        taskQueue: opts.taskQueue,
        env: process.env,
        workDir: opts.workDir ?? join(localHome(process.env), 'launcher'),
        maxLocalTrials: positive(opts.maxLocalTrials, '--max-local-trials'),
        ...(trainLauncher ? { trainLauncher } : {}),
        ...(metrics ? { metrics } : {}),
      },
      (line) => console.error(line),
    );
    started.worker = worker;
    console.error(`nasflow worker: polling task queue ${opts.taskQueue} on ${address}`);
    try {
      await worker.run();
    } finally {
      await trainLauncher?.close?.();
      await health?.close();
    }
  });

  const search = program.command('search').description('run and steer architecture searches');

  addFollowOptions(
    addConnOptions(
      search
        .command('run <spec>')
        .description('start a search from a spec file (YAML or JSON) and follow it to the end (Ctrl-C pauses it)')
        .option('--local', 'use the embedded default even if TEMPORAL_ADDRESS is set')
        .option('--id <id>', 'search id suffix (default: random)')
        .option('--max-local-trials <n>', 'trials run at once on this machine (default: the spec parallelism)'),
    ),
  ).action(async (specPath: string, opts: ConnOpts & FollowFlags & { id?: string; maxLocalTrials?: string }) => {
    const spec = loadSpecFile(specPath);
    const searchId = localSearchId(spec.name, opts.id ?? randomBytes(3).toString('hex'));
    await withTarget(opts, async (target, interrupts) => {
      const worker = target.embedded
        ? await embeddedWorker(target, opts.maxLocalTrials ? positive(opts.maxLocalTrials, '--max-local-trials') : spec.budget.parallelism)
        : undefined;
      try {
        const handle = await startSearch(target.client, spec, { searchId });
        announce(target, searchId);
        await followAndReport(handle, target, interrupts, searchId, opts, 'pause');
      } finally {
        await shutdown(worker);
      }
    });
  });

  addFollowOptions(
    addConnOptions(search.command('resume <searchId>').description('resume a paused search (and follow it when embedded; Ctrl-C pauses it again)')),
  ).action(async (searchId: string, opts: ConnOpts & FollowFlags) => {
    await withTarget(opts, async (target, interrupts) => {
      const handle = searchHandle(target.client, searchId);
      await mustBeRunning(handle, searchId);
      const worker = target.embedded ? await embeddedWorker(target, Math.max(1, availableParallelism())) : undefined;
      try {
        const p = await handle.executeUpdate(resumeUpdate);
        if (worker) await followAndReport(handle, target, interrupts, searchId, opts, 'pause');
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
        const sa = wf.typedSearchAttributes;
        rows.push({
          workflowId: wf.workflowId,
          status: wf.status.name,
          algorithm: sa.get(NAS_ALGORITHM),
          phase: sa.get(NAS_PHASE),
          completed: sa.get(NAS_TRIALS_COMPLETED),
          best: sa.get(NAS_BEST_ACCURACY),
        });
      }
      if (opts.json) console.log(JSON.stringify(rows));
      else
        for (const r of rows)
          console.log(
            `${r.workflowId.replace(/^nas\//, '')}  ${String(r.algorithm ?? '-')}  ${String(r.phase ?? r.status)}  trials ${String(r.completed ?? 0)}  best ${r.best === undefined ? '-' : `${Number(r.best).toFixed(2)}%`}`,
          );
    });
  });

  addConnOptions(search.command('status <searchId>').description('show progress and the leaderboard').option('--json', 'print JSON')).action(
    async (searchId: string, opts: ConnOpts & { json?: boolean }) => {
      await withTarget(opts, async (target) => {
        const report = await searchStatus(searchHandle(target.client, searchId), target, searchId);
        console.log(opts.json ? JSON.stringify(report) : statusReportText(searchId, report));
      });
    },
  );

  // Updates need a worker to run the workflow task. On the embedded server no other command may
  // be running one (a paused search's `run` has exited), so the command runs its own meanwhile;
  // `cancel` and `stop` then follow the search to its end (cancelling trials and letting running
  // trials finish are the worker's work too).
  const controls: [string, string, (h: Handle) => Promise<SearchProgress>, 'print' | 'follow' | 'follow-embedded'][] = [
    ['pause', 'stop launching trials (running trials finish)', (h) => h.executeUpdate(pauseUpdate), 'print'],
    ['stop', 'launch nothing more, let running trials finish, then complete', (h) => h.executeUpdate(stopUpdate), 'follow-embedded'],
    ['cancel', 'stop running trials now and complete as Cancelled', (h) => h.executeUpdate(cancelUpdate), 'follow'],
  ];
  for (const [name, description, apply, then] of controls) {
    addFollowOptions(addConnOptions(search.command(`${name} <searchId>`).description(description))).action(
      async (searchId: string, opts: ConnOpts & FollowFlags) => {
        await steer(searchId, opts, async (handle, target, interrupts) => {
          const p = await apply(handle);
          if (then === 'follow' || (then === 'follow-embedded' && target.embedded)) await followAndReport(handle, target, interrupts, searchId, opts, 'detach');
          else console.log(statusText(p));
        });
      },
    );
  }

  addConnOptions(
    search
      .command('set <searchId>')
      .description('change a running search')
      .option('--parallelism <n>', 'trials in flight')
      .option('--max-trials <n>', 'trial budget'),
  ).action(async (searchId: string, opts: ConnOpts & { parallelism?: string; maxTrials?: string }) => {
    if (!opts.parallelism && !opts.maxTrials) throw new Error('search set: pass --parallelism <n> and/or --max-trials <n>');
    await steer(searchId, opts, async (handle) => {
      let p: SearchProgress | undefined;
      if (opts.parallelism) p = await handle.executeUpdate(setParallelismUpdate, { args: [positive(opts.parallelism, '--parallelism')] });
      if (opts.maxTrials) p = await handle.executeUpdate(setMaxTrialsUpdate, { args: [positive(opts.maxTrials, '--max-trials')] });
      console.log(statusText(p!));
    });
  });
}

interface FollowFlags {
  json?: boolean;
  reconnectTimeout: string;
}

function addFollowOptions(cmd: Command): Command {
  return cmd
    .option('--json', 'print a JSON summary as the last line')
    .option(
      '--reconnect-timeout <seconds>',
      'while following, how long the Temporal server may be unreachable before the CLI gives up (the search goes on)',
      '600',
    );
}

async function withTarget(opts: ConnOpts, fn: (t: TemporalTarget, interrupts: Interrupts) => Promise<void>): Promise<void> {
  // Listening from the start: a Ctrl-C while the embedded server starts must not orphan it.
  const holder: { target?: TemporalTarget } = {};
  const interrupts = new Interrupts({ leaveNow: () => holder.target?.leaveNow?.() }, log);
  let target: TemporalTarget;
  try {
    target = holder.target = await connectTemporal(opts, process.env, log);
  } catch (err) {
    interrupts.dispose();
    throw err;
  }
  try {
    await fn(target, interrupts);
  } finally {
    await target.close();
    interrupts.dispose();
  }
}

/** Runs an update-based control: refuses an ended search, and makes sure a worker will run it. */
async function steer(searchId: string, opts: ConnOpts, fn: (h: Handle, t: TemporalTarget, i: Interrupts) => Promise<void>): Promise<void> {
  await withTarget(opts, async (target, interrupts) => {
    const handle = searchHandle(target.client, searchId);
    await mustBeRunning(handle, searchId);
    const worker = target.embedded ? await embeddedWorker(target, Math.max(1, availableParallelism())) : undefined;
    if (!worker && (await workflowPollers(target.client, target.namespace, Date.now())) === 0) log(noWorkerMessage(target.address, target.namespace));
    try {
      await fn(handle, target, interrupts);
    } finally {
      await shutdown(worker);
    }
  });
}

async function mustBeRunning(handle: Handle, searchId: string): Promise<void> {
  const d = await handle.describe();
  if (d.status.name !== 'RUNNING') {
    const phase = d.typedSearchAttributes.get(NAS_PHASE);
    throw new Error(
      `search ${searchId} has already ended (workflow ${d.status.name}${phase ? `, phase ${String(phase)}` : ''}); see: nasflow search status ${searchId}`,
    );
  }
}

async function embeddedWorker(target: TemporalTarget, maxLocalTrials: number): Promise<Worker> {
  quietRuntime();
  const { worker } = await createSearchWorker({
    address: target.address,
    namespace: target.namespace,
    env: process.env,
    workDir: join(localHome(process.env), 'launcher'),
    maxLocalTrials,
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

/** Shows progress until the search ends and reports how it ended (exit code and JSON line). */
async function followAndReport(
  handle: Handle,
  target: TemporalTarget,
  interrupts: Interrupts,
  searchId: string,
  opts: FollowFlags,
  onInterrupt: 'pause' | 'detach',
): Promise<void> {
  const started = Date.now();
  const end = await follow(handle, target, interrupts, {
    searchId,
    reconnectMs: seconds(opts.reconnectTimeout, '--reconnect-timeout') * 1000,
    onInterrupt,
    log,
  });
  switch (end.kind) {
    case 'done': {
      const r = end.result;
      console.error(`\n${statusText(r.progress)}\n${leaderboardTable(r.leaderboard.slice(0, 10))}`);
      if (opts.json) console.log(JSON.stringify(summary(r, (Date.now() - started) / 1000)));
      return;
    }
    case 'paused':
      console.error(`search paused; resume with: nasflow search resume ${searchId}${target.embedded ? '' : ` --address ${target.address}`}`);
      process.exitCode = 130;
      return;
    case 'detached':
      console.error(`stopped following; the search goes on: nasflow search status ${searchId}${target.embedded ? '' : ` --address ${target.address}`}`);
      process.exitCode = 130;
      return;
    case 'failed':
    case 'lost':
      console.error(`search ${searchId} ${end.kind === 'failed' ? 'failed' : 'lost'}: ${end.reason}`);
      process.exitCode = 1;
      if (opts.json) console.log(JSON.stringify({ searchId, phase: end.kind === 'failed' ? 'Failed' : 'Unknown', reason: end.reason }));
  }
}

function summary(r: SearchResult, wallSeconds: number): Record<string, unknown> {
  const best = r.leaderboard[0];
  return {
    searchId: r.searchId,
    algorithm: r.progress.algorithm,
    phase: r.phase,
    trials: {
      succeeded: r.progress.counts.succeeded,
      failed: r.progress.counts.failed,
      retried: r.progress.counts.infraRetries,
      cancelled: r.progress.counts.cancelled,
    },
    best: best ? { trialId: best.trialId, valAccuracy: best.accuracy, testAccuracy: best.testAccuracy, genotype: best.summary } : null,
    ...(r.progress.oneShot ? { oneShot: r.progress.oneShot } : {}),
    ...(r.progress.final ? { final: r.progress.final } : {}),
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

function seconds(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} must be a positive number of seconds; received "${value}"`);
  return n;
}

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer; received "${value}"`);
  return n;
}
