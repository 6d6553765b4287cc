/**
 * What a chaos soak checks once its search has ended (or got stuck): every run's history replays
 * against the current workflow code, no workflow task failed on nondeterminism, and the trials add
 * up — each (trial, attempt) launched once, every extra attempt an infrastructure retry the search
 * counted, and exactly `maxTrials` distinct trials with a result, none counted twice.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../src/worker/worker.js';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

export interface RunHistory {
  runId: string;
  history: History;
}

/**
 * Every run of `workflowId`, first to last, following continue-as-new from the first run. The
 * first run id comes from the description of the latest run (`firstRunId`), or from the caller.
 */
export async function fetchRunHistories(client: Client, workflowId: string, firstRunId?: string): Promise<RunHistory[]> {
  let runId = firstRunId;
  if (!runId) {
    const d = await client.workflow.getHandle(workflowId).describe();
    runId = d.raw.workflowExecutionInfo?.firstRunId || d.runId;
  }
  const runs: RunHistory[] = [];
  const seen = new Set<string>();
  while (runId && !seen.has(runId)) {
    seen.add(runId);
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.push({ runId, history });
    const last = history.events?.[history.events.length - 1];
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs;
}

export interface TaskFailure {
  runId: string;
  eventId: number;
  message: string;
  nondeterminism: boolean;
}

const NONDETERMINISM = /TMPRL1100|nondetermin/i;
/** WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR in temporal.api.enums.v1. */
const NON_DETERMINISTIC_CAUSE = 24;

/** Workflow task failures recorded in the histories (the first of each streak; retries are not recorded). */
export function workflowTaskFailures(runs: readonly RunHistory[]): TaskFailure[] {
  const out: TaskFailure[] = [];
  for (const { runId, history } of runs) {
    for (const e of history.events ?? []) {
      const f = e.workflowTaskFailedEventAttributes;
      if (!f) continue;
      const message = `${f.failure?.message ?? ''}`.split('\n')[0]!.slice(0, 300);
      out.push({ runId, eventId: Number(e.eventId), message, nondeterminism: NONDETERMINISM.test(message) || Number(f.cause) === NON_DETERMINISTIC_CAUSE });
    }
  }
  return out;
}

export interface ReplayFailure {
  runId: string;
  error: string;
}

/** Replays each run against the workflow code this process would run (the current bundle). */
export async function replayRuns(workflowId: string, runs: readonly RunHistory[]): Promise<ReplayFailure[]> {
  const failures: ReplayFailure[] = [];
  if (runs.length === 0) return failures;
  const input = runs.map((r) => ({ workflowId, history: r.history }));
  let i = 0;
  for await (const result of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH, replayName: 'chaos-soak' }, input)) {
    if (result.error) failures.push({ runId: result.runId || runs[i]?.runId || '?', error: String(result.error).split('\n')[0]!.slice(0, 300) });
    i++;
  }
  return failures;
}

interface LaunchLine {
  trialId: string;
  attempt: number;
  pid: number;
}

export interface TrialAudit {
  /** Trial processes started: attempts whose shell recorded its pid (or whose launch was recorded). */
  launches: number;
  /** Lines in the launcher's launches.log (a worker killed right after the spawn leaves one out). */
  logLines: number;
  /** Distinct trial ids launched. */
  launchedTrials: number;
  /** (trial, attempt) pairs started more than once. */
  duplicateLaunches: string[];
  /** Distinct trials with a result.json in the store. */
  resultTrials: number;
  /** Trials launched that never wrote a result. */
  withoutResult: string[];
  /** Attempts claimed by the launcher beyond the first of each trial (each should be a counted infrastructure retry). */
  extraAttempts: number;
  /** Attempts claimed whose process never started (the worker died in between): retried, never run. */
  interruptedLaunches: number;
}

/** Reads the local launcher's log and the store's trial folders. */
export function auditTrials(opts: { workDir: string; storage: string; searchId: string }): TrialAudit {
  const logFile = join(opts.workDir, 'launches.log');
  const lines = existsSync(logFile)
    ? readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as LaunchLine)
    : [];
  const attempts = new Map<string, number>();
  const duplicateLaunches: string[] = [];
  const trials = new Map<string, number>();
  for (const l of lines) {
    const key = `${l.trialId}#${l.attempt}`;
    attempts.set(key, (attempts.get(key) ?? 0) + 1);
    if (attempts.get(key) === 2) duplicateLaunches.push(key);
    trials.set(l.trialId, Math.max(trials.get(l.trialId) ?? 0, l.attempt));
  }
  const results = resultTrialIds(opts.storage, opts.searchId);
  const withoutResult = [...trials.keys()].filter((id) => !results.has(id)).sort();
  const claimed = claimedAttempts(opts.workDir);
  return {
    launches: claimed.attempts - claimed.interrupted,
    logLines: lines.length,
    launchedTrials: trials.size,
    duplicateLaunches,
    resultTrials: results.size,
    withoutResult,
    extraAttempts: claimed.attempts - claimed.trials,
    interruptedLaunches: claimed.interrupted,
  };
}

/**
 * The local launcher claims an attempt by creating `trials/<trial-hash>/attempt-<n>/`; the
 * attempt's shell writes `pid` first thing, and the launcher writes `launch.json` after the spawn.
 * A worker killed between the claim and the spawn leaves a claim with neither, which the next poll
 * reports as an infrastructure failure (retried, not counted).
 */
function claimedAttempts(workDir: string): { trials: number; attempts: number; interrupted: number } {
  const root = join(workDir, 'trials');
  const out = { trials: 0, attempts: 0, interrupted: 0 };
  if (!existsSync(root)) return out;
  for (const trial of readdirSync(root)) {
    out.trials++;
    for (const attempt of readdirSync(join(root, trial)).filter((a) => a.startsWith('attempt-'))) {
      out.attempts++;
      const dir = join(root, trial, attempt);
      if (!['pid', 'launch.json', 'exit'].some((f) => existsSync(join(dir, f)))) out.interrupted++;
    }
  }
  return out;
}

/** Trial ids (`<searchId>/<round>/<index>`) that have a result.json under the search's trials folder. */
function resultTrialIds(storage: string, searchId: string): Set<string> {
  const root = join(storage, 'searches', searchId, 'trials');
  const out = new Set<string>();
  const walk = (dir: string, rel: string): void => {
    if (existsSync(join(dir, 'result.json'))) out.add(rel);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name !== 'checkpoints' && entry.name !== 'logs') walk(join(dir, entry.name), rel ? `${rel}/${entry.name}` : entry.name);
    }
  };
  if (existsSync(root)) walk(root, '');
  return out;
}

/** Counts result.json files under the search's trials folder (cheap enough to poll every second). */
export function countResults(storage: string, searchId: string): number {
  return resultTrialIds(storage, searchId).size;
}
