/**
 * Trained trials packed `trial.perGpu` to a GPU (docs/gpu.md "Packing small trials"): instead of a
 * Job per attempt, an attempt is placed in a pack — a Job whose one pod (one GPU) runs the agent
 * `nasflow trial pack` with `perGpu` slots (src/launch/pack-agent.ts).
 *
 * Durable like the Job-per-trial launcher:
 * - `launch` claims a slot in the search's pack table (one ConfigMap, optimistic concurrency;
 *   pack-slots.ts), creates the pack Job when the pack is new (idempotent by name), then writes the
 *   assignment the agent reads. A retried launch finds its claim and finishes the same steps.
 * - `poll` reads the pack Job, then the agent's records in storage: an exit record is the
 *   attempt's exit; a pack that closed or ended before starting the attempt never ran it, so the
 *   attempt is placed again; a pack Job that ended (pod deleted, evicted, node lost) while the
 *   attempt ran without recording its exit lost it: exit 137, an infrastructure failure that the
 *   search retries as a new attempt from the last checkpoint.
 * - `cancel` asks the agent to stop that one trainer; its pack-mates keep running.
 */
import type { V1Job } from '@kubernetes/client-node';
import type { Launcher, TrialRef, TrialState } from '../launch/launcher.js';
import { PACK_CLOSED, packExitSchema, packPrefix, packRecordKey, type PackAssignment } from '../api/pack-layout.js';
import { getJson, isObjectNotFound, putJson, withPrefix, type ObjectStore } from '../store/object-store.js';
import { attemptKey, packOf, placeAttempt, releaseAttempt, type PackFacts } from './pack-slots.js';
import type { PackTables } from './pack-table-store.js';
import { buildPackJob, packName, packTableName, type PackJobInput } from './pack-job.js';
import { UNKNOWN_EXIT } from './job-status.js';

/** Where a search's packs go and what their Jobs carry (the KubeLauncher's placement of the search). */
export type PackSite = Omit<PackJobInput, 'pack' | 'packUri' | 'slots' | 'idleSeconds'>;

export interface PackLauncherOptions {
  tables: PackTables;
  createJob(job: V1Job): Promise<unknown>;
  /** The pack Job, from a watch cache or the apiserver; undefined when it does not exist. */
  readJob(namespace: string, name: string): Promise<V1Job | undefined>;
  /** The search's storage: a store rooted at it and the URI of a key in it. */
  openStorage(storage: string): { store: ObjectStore; uriOf(key: string): string };
  /** Namespace, owner, template and defaults of the trial's search. */
  siteOf(trial: TrialRef): Promise<PackSite>;
  /** Default: 60 s (DEFAULT_PACK_IDLE_SECONDS). */
  idleSeconds?: number;
}

/** The trial's perGpu (1 when unset): above 1 its attempts run in packs. */
export function perGpuOf(trial: Pick<TrialRef, 'spec'>): number {
  return trial.spec.trial.perGpu ?? 1;
}

export class PackLauncher implements Launcher {
  constructor(private readonly o: PackLauncherOptions) {}

  async launch(trial: TrialRef): Promise<void> {
    const site = await this.o.siteOf(trial);
    const key = attemptKey(trial.trialId, trial.attempt);
    const tableName = packTableName(site.searchName, trial.searchId);
    for (;;) {
      const read = await this.o.tables.read(site.namespace, tableName);
      const facts = await this.factsOf(trial, site.namespace, Object.keys(read.table.packs));
      const placed = placeAttempt(
        read.table,
        key,
        perGpuOf(trial),
        (p) => facts.get(p) ?? { closed: false, exited: new Set() },
        (seq) => packName(site.searchName, trial.searchId, seq),
      );
      if (placed.changed && !(await this.o.tables.write(site.namespace, tableName, placed.table, read, site.owner))) continue;
      const { store, uriOf } = this.o.openStorage(trial.spec.storage);
      const prefix = packPrefix(trial.searchId, placed.pack);
      const packStore = withPrefix(store, prefix);
      // Created on every launch that has not yet written its assignment, so a launch that died
      // between the claim and the Job finishes it; AlreadyExists is the normal answer.
      if (!(await packStore.exists(packRecordKey('assigned', key)))) {
        await this.o.createJob(buildPackJob({ ...site, pack: placed.pack, packUri: uriOf(prefix), slots: perGpuOf(trial), idleSeconds: this.o.idleSeconds }));
        const assignment: PackAssignment = { trialId: trial.trialId, attempt: trial.attempt, specUri: trial.specUri };
        await putJson(packStore, packRecordKey('assigned', key), assignment);
      }
      return;
    }
  }

  async poll(trial: TrialRef): Promise<TrialState> {
    const site = await this.o.siteOf(trial);
    const key = attemptKey(trial.trialId, trial.attempt);
    const { table } = await this.o.tables.read(site.namespace, packTableName(site.searchName, trial.searchId));
    const pack = packOf(table, key);
    if (pack === undefined) return { state: 'missing' };
    const packStore = withPrefix(this.o.openStorage(trial.spec.storage).store, packPrefix(trial.searchId, pack));
    // The Job first: once it has ended the agent writes nothing more, so the records read after it are final.
    const job = await this.o.readJob(site.namespace, pack);
    const ended = jobEnded(job);
    const exit = await readExit(packStore, key);
    if (exit) return exit;
    if (!(await packStore.exists(packRecordKey('assigned', key)))) {
      // Claimed but the launch has not written the assignment (yet, or it died): running while
      // the pack may still get it; a pack that is gone never will.
      return ended ? { state: 'missing' } : { state: 'running' };
    }
    // Closed before started: read in this order, because the agent writes `started` before it
    // starts a trainer and never starts one after writing `closed`.
    const closed = ended || (await packStore.exists(PACK_CLOSED));
    if (!closed) return { state: 'running' };
    if (await packStore.exists(packRecordKey('started', key))) {
      if (!ended) return { state: 'running' }; // the agent is closing after this trainer's exit record
      return {
        state: 'exited',
        exitCode: UNKNOWN_EXIT,
        message: `pack pod of ${pack} ended (${endReason(job)}) while this trial ran; retried as an infrastructure failure`,
      };
    }
    await this.placeAgain(site.namespace, packTableName(site.searchName, trial.searchId), key, pack, site.owner);
    await this.launch(trial);
    return { state: 'running' };
  }

  async cancel(trial: TrialRef): Promise<void> {
    const site = await this.o.siteOf(trial);
    const key = attemptKey(trial.trialId, trial.attempt);
    const { table } = await this.o.tables.read(site.namespace, packTableName(site.searchName, trial.searchId));
    const pack = packOf(table, key);
    if (pack === undefined) return;
    const packStore = withPrefix(this.o.openStorage(trial.spec.storage).store, packPrefix(trial.searchId, pack));
    await putJson(packStore, packRecordKey('cancel', key), {});
  }

  /**
   * Drops the claim of an attempt that `closed` (its pack) will never start, optimistic and retried
   * on a race. Only a claim still in `closed`: another poller of the same attempt may have placed
   * it again already, and that new claim may be running.
   */
  private async placeAgain(namespace: string, tableName: string, key: string, closed: string, owner: PackSite['owner']): Promise<void> {
    for (;;) {
      const read = await this.o.tables.read(namespace, tableName);
      if (packOf(read.table, key) !== closed) return;
      if (await this.o.tables.write(namespace, tableName, releaseAttempt(read.table, key), read, owner)) return;
    }
  }

  /** What storage and the apiserver say about each pack of the table. */
  private async factsOf(trial: TrialRef, namespace: string, packs: readonly string[]): Promise<Map<string, PackFacts>> {
    const { store } = this.o.openStorage(trial.spec.storage);
    const out = new Map<string, PackFacts>();
    await Promise.all(
      packs.map(async (pack) => {
        const packStore = withPrefix(store, packPrefix(trial.searchId, pack));
        const job = await this.o.readJob(namespace, pack);
        const exitedKeys = await packStore.list('exited/');
        const closed = jobEnded(job) || (await packStore.exists(PACK_CLOSED));
        out.set(pack, { closed, exited: new Set(exitedKeys.map((k) => k.slice('exited/'.length, -'.json'.length))) });
      }),
    );
    return out;
  }
}

async function readExit(store: ObjectStore, key: string): Promise<TrialState | undefined> {
  try {
    const e = packExitSchema.parse(await getJson(store, packRecordKey('exited', key)));
    return { state: 'exited', exitCode: e.exitCode, ...(e.message !== undefined && e.message !== '' ? { message: e.message.slice(-1000) } : {}) };
  } catch (err) {
    if (isObjectNotFound(err)) return undefined;
    throw err;
  }
}

/** A pack Job that is gone, complete or failed runs no agent. */
function jobEnded(job: V1Job | undefined): boolean {
  if (!job) return true;
  return (job.status?.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

function endReason(job: V1Job | undefined): string {
  if (!job) return 'Job deleted';
  const c = (job.status?.conditions ?? []).find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  return `Job ${c?.type ?? 'ended'}${c?.reason ? `: ${c.reason}` : ''}`;
}
