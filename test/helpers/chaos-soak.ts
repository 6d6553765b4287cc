/**
 * The chaos soak shared by `bench/chaos-soak.bench.ts` and the CI test
 * `test/workflows/chaos-soak.test.ts` (issue 12): a paced NAS-Bench-201 search
 * (`examples/nb201-evolution.yaml`, trials as real processes) started by a `nasflow search run
 * --address …` client against a Temporal dev server, with `nasflow worker` processes killed at
 * seeded random moments (SIGKILL and SIGTERM mixed, a new worker after each death), dev-server
 * restarts on the same port and database, and a client restart. At the end every run's history is
 * replayed against the current workflow code and the trials are audited (soak-audit.ts).
 *
 * Moments are seeded: each event waits for a seeded number of trial results in the store, then a
 * seeded delay, so a worker dies at a random point of its work, never before it polled. A search
 * that stops making progress (a nondeterminism error, a lost trial) is reported as Stuck after
 * `stallMs` without a new result or history event, so the soak never hangs.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { parse as parseYaml } from 'yaml';
import { localSearchId, TASK_QUEUE, workflowIdFor } from '../../src/common/ids.js';
import type { SearchResult } from '../../src/common/search-types.js';
import { ensureTools } from '../../src/dev/tools.js';
import { auditTrials, countResults, fetchRunHistories, replayRuns, workflowTaskFailures } from './soak-audit.js';
import { CliProcess, RestartableTemporal, settlesWithin, startWorkerProcess, WORKER_READY } from './soak-processes.js';
import { killTrialProcesses, soakSchedule, type SoakEvent } from './soak-schedule.js';
import type { ChaosSoakSummary, SoakOutcome } from './soak-summary.js';

export { formatSummary, type ChaosSoakSummary } from './soak-summary.js';

export interface ChaosSoakOptions {
  seed: number;
  /** budget.maxTrials. */
  trials: number;
  /** Worker deaths (half SIGKILL, half SIGTERM). */
  kills: number;
  serverRestarts: number;
  clientRestarts: number;
  /** budget.parallelism. Default: 10. */
  parallelism?: number;
  /** evaluator.secondsPerSimulatedHour: 100 makes an NB201 trial last about 2-8 s. */
  secondsPerSimulatedHour?: number;
  /** Longest seeded delay between an event's moment and the event. Default: 6000 ms. */
  jitterMs?: number;
  /** No new trial result and no new history event for this long: the search is stuck. Default: 180 s. */
  stallMs?: number;
  /** Whole-soak limit. Default: 60 minutes. */
  limitMs?: number;
  /** Keep the soak's folder (logs, store, database) even when it passed. */
  keepDir?: boolean;
  log?: (message: string) => void;
}

const SIGTERM_GRACE_MS = 60_000;
/** A worker bundles its workflows in a few seconds; under heavy load allow far more before calling it hung. */
const WORKER_START_LIMIT_MS = 120_000;
const EXAMPLE = join(import.meta.dirname, '..', '..', '..', 'examples', 'nb201-evolution.yaml');

export async function runChaosSoak(opts: ChaosSoakOptions): Promise<ChaosSoakSummary> {
  // Under an older Node, bin/nasflow.js re-executes itself under Node 24: a signal would then reach
  // the wrapper, not the worker, and a "killed" worker would live on.
  if (Number(process.versions.node.split('.')[0]) < 22) {
    throw new Error(`the chaos soak needs Node >= 22 (found ${process.versions.node}); run it through npm or with PATH=node_modules/.bin:$PATH`);
  }
  const soak = new ChaosSoak(opts);
  // Ctrl-C or SIGTERM to the soak stops what it started (servers, workers, trial processes) first.
  const onSignal = (): void => {
    soak.killNow();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await soak.run();
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await soak.cleanup();
  }
}

class ChaosSoak {
  private readonly dir = mkdtempSync(join(tmpdir(), 'nasflow-soak-'));
  private readonly storage = join(this.dir, 'store');
  private readonly workDir = join(this.dir, 'launcher');
  private readonly logs = join(this.dir, 'logs');
  private readonly searchId: string;
  private readonly workflowId: string;
  private readonly log: (m: string) => void;
  private temporal: RestartableTemporal | undefined;
  private connection: Connection | undefined;
  private client: Client | undefined;
  private worker: CliProcess | undefined;
  private workerCount = 0;
  private cli: CliProcess | undefined;
  private ended = false;
  private firstRunId: string | undefined;
  private readonly s: ChaosSoakSummary;

  constructor(private readonly opts: ChaosSoakOptions) {
    this.searchId = localSearchId('chaos-soak', `s${opts.seed}`);
    this.workflowId = workflowIdFor(this.searchId);
    this.log = opts.log ?? (() => undefined);
    mkdirSync(this.logs, { recursive: true });
    this.s = {
      seed: opts.seed,
      trials: opts.trials,
      outcome: 'NotStarted',
      planned: { kills: opts.kills, serverRestarts: opts.serverRestarts, clientRestarts: opts.clientRestarts },
      kills: { SIGKILL: 0, SIGTERM: 0 },
      sigtermHangs: 0,
      workerFailures: [],
      serverRestarts: 0,
      clientRestarts: 0,
      clients: [],
      succeeded: 0,
      infraRetries: 0,
      workflowRuns: 0,
      launches: 0,
      interruptedLaunches: 0,
      duplicates: 0,
      missing: 0,
      unaccountedAttempts: 0,
      taskFailures: [],
      nondeterminism: 0,
      replayedRuns: 0,
      replayFailures: [],
      wallSeconds: 0,
      ok: false,
    };
  }

  async run(): Promise<ChaosSoakSummary> {
    const tools = await ensureTools({ env: process.env, only: ['temporal'], log: (m) => this.log(`[tools] ${m}`) });
    this.temporal = await RestartableTemporal.start(tools.temporal.path, join(this.dir, 'temporal'));
    this.connection = await Connection.connect({ address: this.temporal.address });
    this.client = new Client({ connection: this.connection, namespace: 'default' });
    this.log(`soak seed ${this.opts.seed}: ${this.opts.trials} trials, Temporal ${this.temporal.address}, folder ${this.dir}`);
    const t0 = Date.now();
    this.startWorker();
    this.cli = new CliProcess(
      'client',
      ['search', 'run', this.writeSpec(), '--address', this.temporal.address, '--id', `s${this.opts.seed}`, '--json'],
      join(this.logs, 'client.log'),
    );
    const schedule = soakSchedule(this.opts);
    const events = this.runEvents(schedule);
    const result = await this.monitor(t0);
    this.ended = true;
    await events;
    this.s.wallSeconds = Math.round((Date.now() - t0) / 100) / 10;
    await this.finishClients();
    await this.audit(result);
    return this.s;
  }

  /** The example spec with this soak's budget, pace, storage and seed, written as the client's spec file. */
  private writeSpec(): string {
    const doc = parseYaml(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>;
    const spec = {
      ...doc,
      name: 'chaos-soak',
      evaluator: { ...(doc.evaluator as object), secondsPerSimulatedHour: this.opts.secondsPerSimulatedHour ?? 100, runAs: 'process' },
      budget: { ...(doc.budget as object), maxTrials: this.opts.trials, parallelism: this.opts.parallelism ?? 10 },
      storage: this.storage,
      seed: this.opts.seed,
    };
    const file = join(this.dir, 'spec.json');
    writeFileSync(file, JSON.stringify(spec, null, 2));
    return file;
  }

  private startWorker(): void {
    this.workerCount++;
    const w = { address: this.temporal!.address, taskQueue: TASK_QUEUE, workDir: this.workDir, maxLocalTrials: (this.opts.parallelism ?? 10) + 2 };
    this.worker = startWorkerProcess(`worker ${this.workerCount}`, w, join(this.logs, 'workers.log'));
  }

  /** Applies each scheduled event at its moment, one after another, until the search ends. */
  private async runEvents(schedule: readonly SoakEvent[]): Promise<void> {
    for (const e of schedule) {
      while (!this.ended && countResults(this.storage, this.searchId) < e.atResults) await sleep(250);
      if (e.kind === 'kill') {
        // Kill a worker that is working: wait until it polls, then the seeded delay.
        while (!this.ended && !(await this.worker!.waitFor(WORKER_READY, 1000))) {
          this.replaceDeadWorker();
        }
      }
      await this.sleepUnlessEnded(e.delayMs);
      if (this.ended) return;
      if (e.kind === 'kill') await this.killWorker(e.signal);
      else if (e.kind === 'server') await this.restartServer(e.signal, e.downMs);
      else await this.restartClient();
    }
  }

  private async sleepUnlessEnded(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (!this.ended && Date.now() < until) await sleep(Math.min(250, until - Date.now()));
  }

  private async killWorker(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const w = this.worker!;
    if (!w.running) return this.replaceDeadWorker();
    this.log(`kill ${w.label} with ${signal} at ${countResults(this.storage, this.searchId)} results`);
    const inTime = await w.stop(signal, SIGTERM_GRACE_MS);
    if (!inTime) this.s.sigtermHangs++;
    this.s.kills[signal]++;
    this.startWorker();
  }

  /**
   * A worker that is not polling long after it started (e.g. one started while the server was down
   * that neither connects nor exits) is a failure of its own: recorded, killed and replaced.
   */
  private async replaceHungWorker(): Promise<void> {
    const w = this.worker!;
    if (!w.running || w.child.killed || Date.now() - w.startedAt < WORKER_START_LIMIT_MS || WORKER_READY.test(w.output().stderr)) return;
    const lastLine = w.output().stderr.trim().split('\n').slice(-1)[0] ?? '';
    this.s.workerFailures.push(`${w.label}: not polling ${WORKER_START_LIMIT_MS / 1000} s after its start: ${lastLine.slice(0, 200)}`);
    this.log(`${w.label} hangs in its start-up: ${lastLine.slice(0, 200)}`);
    await w.stop('SIGKILL', 10_000);
    this.startWorker();
  }

  /** Starts a worker in place of one that exited without being killed (once, whoever notices first). */
  private replaceDeadWorker(): void {
    const w = this.worker!;
    if (w.running || w.child.killed) return;
    const lastLine = w.output().stderr.trim().split('\n').slice(-1)[0] ?? '';
    this.s.workerFailures.push(`${w.label}: code ${w.exitInfo?.code} signal ${w.exitInfo?.signal}: ${lastLine.slice(0, 200)}`);
    this.log(`${w.label} exited by itself: ${lastLine.slice(0, 200)}`);
    this.startWorker();
  }

  private async restartServer(signal: 'SIGKILL' | 'SIGTERM', downMs: number): Promise<void> {
    this.log(`stop the Temporal dev server with ${signal} for ${(downMs / 1000).toFixed(1)} s`);
    await this.temporal!.down(signal);
    await this.sleepUnlessEnded(downMs);
    await this.temporal!.up();
    this.s.serverRestarts++;
  }

  /** Kills the following client and attaches a new one to the running search. */
  private async restartClient(): Promise<void> {
    this.log('kill the client (SIGKILL) and attach a new one');
    if (this.cli?.running) await this.cli.stop('SIGKILL', 10_000);
    this.recordClient(this.cli);
    const status = new CliProcess(
      'client (attach)',
      ['search', 'status', this.searchId, '--address', this.temporal!.address, '--json'],
      join(this.logs, 'client.log'),
    );
    const inTime = await settlesWithin(status.exited, 120_000);
    if (!inTime) await status.stop('SIGKILL', 10_000);
    this.s.clients.push(`attach: ${status.exitInfo?.code === 0 ? 'ok' : inTime ? `exit ${status.exitInfo?.code}` : 'no answer in 120 s'}`);
    this.cli = undefined;
    this.s.clientRestarts++;
  }

  private recordClient(cli: CliProcess | undefined): void {
    if (cli?.exitInfo) this.s.clients.push(`${cli.label}: ${cli.exitInfo.signal ?? `exit ${cli.exitInfo.code}`}`);
  }

  /**
   * Watches the search until it closes, makes no progress for `stallMs`, or the whole-soak limit
   * passes; restarts a worker that died by itself. Errors while the server is down are expected.
   */
  private async monitor(t0: number): Promise<SearchResult | undefined> {
    const stallMs = this.opts.stallMs ?? 180_000;
    const limitMs = this.opts.limitMs ?? 60 * 60_000;
    let last = '';
    let lastChange = Date.now();
    let lastLog = Date.now();
    for (;;) {
      await sleep(1000);
      this.replaceDeadWorker();
      await this.replaceHungWorker();
      const d = await this.client!.workflow.getHandle(this.workflowId)
        .describe()
        .catch(() => undefined);
      if (d) {
        this.firstRunId ??= d.raw.workflowExecutionInfo?.firstRunId || undefined;
        if (d.status.name !== 'RUNNING' && d.status.name !== 'CONTINUED_AS_NEW') return this.closed(d.status.name);
      }
      const key = `${countResults(this.storage, this.searchId)}/${d?.runId}/${d?.historyLength}`;
      if (d && key !== last) {
        last = key;
        lastChange = Date.now();
      }
      if (Date.now() - lastLog > 30_000) {
        lastLog = Date.now();
        this.log(`results/run/events ${key} after ${Math.round((Date.now() - t0) / 1000)} s`);
      }
      if (Date.now() - lastChange > stallMs) return this.stop('Stuck', `no new trial result or history event for ${stallMs / 1000} s (${key})`);
      if (Date.now() - t0 > limitMs) return this.stop('TimedOut', `not finished after ${limitMs / 60_000} minutes (${key})`);
    }
  }

  private async closed(status: string): Promise<SearchResult | undefined> {
    if (status !== 'COMPLETED') return this.stop(status === 'CANCELLED' ? 'Cancelled' : 'Failed', `workflow ${status}`);
    const result = (await this.client!.workflow.getHandle(this.workflowId).result()) as SearchResult;
    this.s.outcome = result.phase === 'Succeeded' ? 'Succeeded' : result.phase === 'Cancelled' ? 'Cancelled' : 'Failed';
    if (result.progress.reason) this.s.reason = result.progress.reason;
    return result;
  }

  private stop(outcome: SoakOutcome, reason: string): undefined {
    this.s.outcome = outcome;
    this.s.reason = reason;
    this.log(`soak seed ${this.opts.seed}: ${outcome}: ${reason}`);
    return undefined;
  }

  /** The following client ends on its own once the search closed; a stuck search's client is killed. */
  private async finishClients(): Promise<void> {
    if (this.cli) {
      if (this.s.outcome === 'Succeeded' || this.s.outcome === 'Failed') await settlesWithin(this.cli.exited, 60_000);
      if (this.cli.running) await this.cli.stop('SIGKILL', 10_000);
      this.recordClient(this.cli);
    }
  }

  private async audit(result: SearchResult | undefined): Promise<void> {
    const runs = await fetchRunHistories(this.client!, this.workflowId, this.firstRunId).catch((err: unknown) => {
      this.s.reason = `${this.s.reason ?? ''}; cannot fetch histories: ${String(err)}`;
      return [];
    });
    this.s.workflowRuns = runs.length;
    this.s.taskFailures = workflowTaskFailures(runs);
    this.s.nondeterminism = this.s.taskFailures.filter((f) => f.nondeterminism).length;
    this.s.replayFailures = await replayRuns(this.workflowId, runs);
    this.s.replayedRuns = runs.length;
    const trials = auditTrials({ workDir: this.workDir, storage: this.storage, searchId: this.searchId });
    this.s.succeeded = result?.progress.counts.succeeded ?? 0;
    this.s.infraRetries = result?.progress.counts.infraRetries ?? 0;
    this.s.launches = trials.launches;
    this.s.interruptedLaunches = trials.interruptedLaunches;
    const doubleCounted = Math.max(0, this.s.succeeded - trials.resultTrials);
    this.s.duplicates = trials.duplicateLaunches.length + doubleCounted;
    this.s.missing = Math.max(0, this.opts.trials - trials.resultTrials) + trials.withoutResult.length;
    this.s.unaccountedAttempts = trials.extraAttempts - this.s.infraRetries;
    if (trials.resultTrials > this.opts.trials) this.s.reason = `${this.s.reason ?? ''}; ${trials.resultTrials} trials ran for a budget of ${this.opts.trials}`;
    this.s.ok =
      this.s.outcome === 'Succeeded' &&
      this.s.succeeded === this.opts.trials &&
      trials.resultTrials === this.opts.trials &&
      this.s.duplicates === 0 &&
      this.s.missing === 0 &&
      this.s.unaccountedAttempts === 0 &&
      this.s.nondeterminism === 0 &&
      this.s.replayFailures.length === 0 &&
      runs.length > 0 &&
      this.s.kills.SIGKILL + this.s.kills.SIGTERM === this.opts.kills &&
      this.s.serverRestarts === this.opts.serverRestarts &&
      this.s.clientRestarts === this.opts.clientRestarts;
  }

  /** Synchronous clean-up for a signal: nothing asynchronous runs any more. */
  killNow(): void {
    for (const p of [this.worker, this.cli]) p?.signal('SIGKILL');
    killTrialProcesses(this.workDir);
    const pid = this.temporal?.pid;
    if (pid) process.kill(pid, 'SIGKILL');
  }

  async cleanup(): Promise<void> {
    this.ended = true;
    await this.worker?.stop('SIGKILL', 10_000);
    await this.cli?.stop('SIGKILL', 10_000);
    killTrialProcesses(this.workDir);
    await this.connection?.close().catch(() => undefined);
    await this.temporal?.down('SIGTERM');
    if (this.s.ok && !this.opts.keepDir) rmSync(this.dir, { recursive: true, force: true });
    else this.s.dir = this.dir;
  }
}
