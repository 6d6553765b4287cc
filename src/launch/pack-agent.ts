/**
 * The agent of a pack pod (`nasflow trial pack`; spec `trial.perGpu` > 1, docs/gpu.md "Packing
 * small trials"): one pod that requests one GPU runs up to `slots` trainers at once, each a
 * separate `nasflow train --spec <uri>` process, so that small trials whose per-op overhead leaves
 * a GPU idle fill it together.
 *
 * It talks to the worker only through the search's storage (src/api/pack-layout.ts), so a pack pod
 * needs the same rights as a trial pod (the storage Secret) and none on the apiserver. Each turn it
 * lists its assignments and cancel requests, starts pending trainers while a slot is free (writing
 * `started` first), stops the cancelled ones, and records each trainer's exit before its slot is
 * reused, so at no moment do more than `slots` trainers run. With nothing to run for `idleMs` it
 * writes `closed` and returns: the Job completes and the GPU is free. On `stop` (SIGTERM: pod
 * deletion, eviction) it closes the pack, its trainers get SIGTERM, checkpoint and exit 75, and
 * those exits are recorded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { attemptKeyOfRecord, PACK_CLOSED, packAssignmentSchema, packRecordKey, type PackAssignment, type PackExit } from '../api/pack-layout.js';
import { getJson, putJson, type ObjectStore } from '../store/object-store.js';

export interface PackAgentOptions {
  /** The pack's records (a store rooted at `searches/<searchId>/packs/<pack>`). */
  store: ObjectStore;
  /** Trainers at once (the spec's trial.perGpu). */
  slots: number;
  /** Idle time after which the agent closes the pack and returns. */
  idleMs: number;
  /** Time between turns. Default: 1000. */
  pollMs?: number;
  /** Command that trains one trial; `--spec <uri>` is appended. */
  command: readonly string[];
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  /** Aborted on SIGTERM: the agent stops its trainers, records their exits and returns. */
  signal?: AbortSignal;
}

export interface PackAgentSummary {
  /** Trainers started. */
  started: number;
  /** The most trainers that ran at once. */
  peak: number;
  /** Why the agent returned. */
  ended: 'idle' | 'stopped';
}

/** Characters of a failed trainer's output kept as its exit message. */
const TAIL_CHARS = 2000;

interface Trainer {
  child: ChildProcess;
  tail: string;
  cancelled: boolean;
  /** Resolves once the exit is recorded and the slot is free. */
  recorded: Promise<void>;
}

export async function runPackAgent(o: PackAgentOptions): Promise<PackAgentSummary> {
  const pollMs = o.pollMs ?? 1000;
  const running = new Map<string, Trainer>();
  const done = new Set<string>();
  let started = 0;
  let peak = 0;
  let idleSince = Date.now();
  const stopped = (): boolean => o.signal?.aborted === true;
  const stopRequested = new Promise<void>((resolve) => o.signal?.addEventListener('abort', () => resolve(), { once: true }));

  // A previous pod of this pack cannot have left a trainer running (pack Jobs never replace a pod),
  // so an attempt started without an exit was lost with it: record that as an infrastructure failure.
  const startedBefore = await keysOf(o.store, 'started');
  const exitedBefore = await keysOf(o.store, 'exited');
  for (const key of startedBefore) {
    if (exitedBefore.has(key)) continue;
    await writeExit(o.store, key, { exitCode: 137, message: 'an earlier pod of this pack ended while the trial ran' });
    done.add(key);
  }

  while (!stopped()) {
    const assigned = await keysOf(o.store, 'assigned');
    const exited = await keysOf(o.store, 'exited');
    const cancels = await keysOf(o.store, 'cancel');
    for (const key of cancels) {
      const t = running.get(key);
      if (t && !t.cancelled) {
        t.cancelled = true;
        o.log(`${key}: cancel requested; SIGTERM`);
        t.child.kill('SIGTERM');
      }
    }
    let pending = 0;
    for (const key of assigned) {
      if (running.has(key) || done.has(key) || exited.has(key)) continue;
      if (cancels.has(key)) {
        await writeExit(o.store, key, { exitCode: 143, message: 'cancelled before it started' });
        done.add(key);
        continue;
      }
      if (running.size >= o.slots || stopped()) {
        pending++;
        continue;
      }
      const a = packAssignmentSchema.parse(await getJson(o.store, packRecordKey('assigned', key)));
      await putJson(o.store, packRecordKey('started', key), { startedAt: new Date().toISOString() });
      running.set(key, startTrainer(o, key, a, running, done));
      started++;
      peak = Math.max(peak, running.size);
    }
    if (running.size > 0 || pending > 0) idleSince = Date.now();
    else if (Date.now() - idleSince >= o.idleMs) {
      // Written before returning and after the last start: the launcher reads "closed, not started"
      // as "will never run here" and places such an attempt in another pack.
      await putJson(o.store, PACK_CLOSED, { closedAt: new Date().toISOString() });
      o.log(`idle for ${Math.round(o.idleMs / 1000)} s after ${started} trainer(s); closing the pack`);
      return { started, peak, ended: 'idle' };
    }
    await Promise.race([sleep(pollMs), stopRequested, ...[...running.values()].map((t) => t.recorded)]);
  }
  // Closed once the loop can start nothing more (never from the signal handler, which could race
  // a start in flight): the launcher places no new attempt here while the pod winds down.
  await putJson(o.store, PACK_CLOSED, { closedAt: new Date().toISOString(), stopped: true });
  o.log(`stop requested: SIGTERM to ${running.size} trainer(s)`);
  // Once each (a trainer's second SIGTERM exits without finishing its checkpoint); a cancelled one already has it.
  for (const t of running.values()) if (!t.cancelled) t.child.kill('SIGTERM');
  await Promise.all([...running.values()].map((t) => t.recorded));
  return { started, peak, ended: 'stopped' };
}

function startTrainer(o: PackAgentOptions, key: string, a: PackAssignment, running: Map<string, Trainer>, done: Set<string>): Trainer {
  const [cmd, ...args] = [...o.command, '--spec', a.specUri];
  const child = spawn(cmd!, args, {
    // TensorFlow maps nearly all GPU memory into the first process that touches the GPU; growth on
    // demand lets the pack-mates' trainers share it (an admin's explicit setting wins).
    env: { TF_FORCE_GPU_ALLOW_GROWTH: 'true', ...o.env, NASFLOW_TRIAL_SPEC: a.specUri, NASFLOW_TRIAL_ATTEMPT: String(a.attempt) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  o.log(`${key}: started trial ${a.trialId} attempt ${a.attempt} (pid ${child.pid ?? '?'})`);
  const t: Trainer = { child, tail: '', cancelled: false, recorded: Promise.resolve() };
  const keep = (b: Buffer): void => {
    t.tail = (t.tail + b.toString()).slice(-TAIL_CHARS);
    for (const line of b.toString().split('\n')) if (line.trim() !== '') o.log(`${key}: ${line}`);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  t.recorded = new Promise<void>((resolve) => {
    const finish = (exitCode: number): void => {
      // The slot is freed only once the exit is on record, so the launcher never sees a free slot
      // while the trainer that held it still runs.
      void recordUntilWritten(o, key, { exitCode, ...(exitCode === 0 ? {} : { message: t.tail.trimEnd() }) }).then(() => {
        running.delete(key);
        done.add(key);
        o.log(`${key}: exited ${exitCode}`);
        resolve();
      });
    };
    child.on('error', (err) => {
      t.tail += `\n${err.message}`;
      finish(127);
    });
    child.on('exit', (code, sig) => finish(code ?? 128 + (sig === 'SIGKILL' ? 9 : sig === 'SIGTERM' ? 15 : 1)));
  });
  return t;
}

/** Writes an exit record, retrying through a storage outage (the slot stays held meanwhile). */
async function recordUntilWritten(o: PackAgentOptions, key: string, exit: PackExit): Promise<void> {
  for (let wait = 500; ; wait = Math.min(wait * 2, 30_000)) {
    try {
      await writeExit(o.store, key, exit);
      return;
    } catch (err) {
      o.log(`${key}: cannot record exit ${exit.exitCode} (${err instanceof Error ? err.message : String(err)}); retrying in ${wait} ms`);
      await sleep(wait);
    }
  }
}

function writeExit(store: ObjectStore, key: string, exit: PackExit): Promise<void> {
  return putJson(store, packRecordKey('exited', key), { ...exit, endedAt: new Date().toISOString() });
}

async function keysOf(store: ObjectStore, kind: 'assigned' | 'cancel' | 'started' | 'exited'): Promise<Set<string>> {
  const keys = await store.list(`${kind}/`);
  return new Set(keys.map(attemptKeyOfRecord).filter((k): k is string => k !== undefined));
}
