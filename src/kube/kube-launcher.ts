/**
 * Runs trained trials as Kubernetes Jobs (one Job per trial attempt, built by trial-job.ts).
 *
 * How the launcher learns the owning resource: the workflow carries only the search spec, but a
 * resource's search id is `<namespace>/<name>/<uid>` (docs/design.md), so the launcher reads the
 * NeuralArchitectureSearch named there and checks its uid. The resource supplies the pod template
 * and the S3 Secret; the Job is owned by it (garbage-collected with it). The template is immutable
 * (CEL), so it is cached per uid. A local search id (`local/<name>/<id>`) has no resource: its Jobs
 * go to `NASFLOW_TRIAL_NAMESPACE` with the worker's defaults and no owner.
 *
 * Idempotent by name: `launch` creates the attempt's Job or finds it (HTTP 409); `poll` reads the
 * Job and its pods, so a new worker re-attaches after a crash; `cancel` deletes the Job.
 */
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { Launcher, TrialRef, TrialState } from '../launch/launcher.js';
import { parseResourceSearchId, type NeuralArchitectureSearch, type ResourceSpecInput } from '../api/resource-spec.js';
import { KubeAdapter, loadKubeConfig } from './adapter.js';
import { TrialJobCache, type JobLookup } from './job-cache.js';
import { trialStateOf } from './job-status.js';
import { buildTrialJob, jobNameFor, type TrialDefaults, type TrialStep } from './trial-job.js';
import { LatencyStepLauncher } from '../launch/latency-step-launcher.js';
import { parseTrialPodExtras } from './trial-pod-extras.js';
import { PackLauncher, perGpuOf } from './pack-launcher.js';
import { ConfigMapPackTables, type PackTables } from './pack-table-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { withPrefix } from '../store/object-store.js';
import { openUri } from '../store/uri.js';

/** The apiserver calls the launcher makes (KubeAdapter implements them). */
export interface TrialJobApi {
  createJob(job: V1Job): Promise<'created' | 'exists'>;
  readJob(namespace: string, name: string): Promise<V1Job | undefined>;
  listJobPods(namespace: string, jobName: string): Promise<V1Pod[]>;
  deleteJob(namespace: string, name: string): Promise<void>;
  readSearch(namespace: string, name: string): Promise<NeuralArchitectureSearch | undefined>;
}

export interface KubeLauncherOptions {
  api: TrialJobApi;
  defaults: TrialDefaults;
  /** Namespace of Jobs for local search ids. Default: "default". */
  localNamespace?: string;
  /** Answers polls of running Jobs from a watch instead of a GET each (job-cache.ts). */
  jobs?: JobLookup & { stop?(): Promise<void> };
  /** Which step its Jobs run. Default: train; latency runs the latency step with the resource's `spec.latency.template`. */
  step?: TrialStep;
  /**
   * Packs trials of specs with `trial.perGpu` > 1 (pack-launcher.ts): the search's pack tables and
   * its storage, where the pack agents read assignments and record exits. Without it such specs
   * are refused at launch.
   */
  packs?: { tables: PackTables; openStorage(storage: string): { store: ObjectStore; uriOf(key: string): string }; idleSeconds?: number };
}

/** The resource a trial belongs to has gone (deleted, or recreated under a new uid). */
export class SearchResourceGoneError extends Error {
  constructor(searchId: string, why: string) {
    super(`NeuralArchitectureSearch of search ${searchId} ${why}; its trials cannot launch`);
    this.name = 'SearchResourceGoneError';
  }
}

interface Placement {
  namespace: string;
  searchName: string;
  owner?: { name: string; uid: string };
  spec?: ResourceSpecInput;
}

export class KubeLauncher implements Launcher {
  private readonly placements = new Map<string, Placement>();
  private readonly step: TrialStep;

  private readonly packs: PackLauncher | undefined;

  constructor(private readonly opts: KubeLauncherOptions) {
    this.step = opts.step ?? 'train';
    const packs = opts.packs;
    this.packs = packs
      ? new PackLauncher({
          tables: packs.tables,
          openStorage: packs.openStorage,
          ...(packs.idleSeconds !== undefined ? { idleSeconds: packs.idleSeconds } : {}),
          createJob: (job) => opts.api.createJob(job),
          readJob: async (namespace, name) => opts.jobs?.lookup(namespace, name) ?? (await opts.api.readJob(namespace, name)),
          siteOf: async (trial) => {
            const p = await this.placement(trial);
            return {
              namespace: p.namespace,
              searchName: p.searchName,
              searchId: trial.searchId,
              ...(p.owner ? { owner: p.owner } : {}),
              template: p.spec?.template ?? {},
              ...(p.spec?.storageSecretRef ? { storageSecretRef: p.spec.storageSecretRef } : {}),
              defaults: opts.defaults,
            };
          },
        })
      : undefined;
  }

  /** The pack launcher when this trial's attempts run in packs (training step, perGpu > 1). */
  private packed(trial: TrialRef): PackLauncher | undefined {
    if (this.step !== 'train' || perGpuOf(trial) <= 1) return undefined;
    if (!this.packs) throw new Error(`trial.perGpu is ${perGpuOf(trial)} but this worker's Kubernetes launcher cannot pack trials; set trial.perGpu to 1`);
    return this.packs;
  }

  async launch(trial: TrialRef): Promise<void> {
    const packed = this.packed(trial);
    if (packed) return packed.launch(trial);
    const p = await this.placement(trial);
    const job = buildTrialJob({
      namespace: p.namespace,
      searchName: p.searchName,
      searchId: trial.searchId,
      trialId: trial.trialId,
      attempt: trial.attempt,
      specUri: trial.specUri,
      ...(p.owner ? { owner: p.owner } : {}),
      template: (this.step === 'latency' ? p.spec?.latency?.template : p.spec?.template) ?? {},
      step: this.step,
      ...(p.spec?.storageSecretRef ? { storageSecretRef: p.spec.storageSecretRef } : {}),
      defaults: this.opts.defaults,
    });
    await this.opts.api.createJob(job);
  }

  async poll(trial: TrialRef): Promise<TrialState> {
    const packed = this.packed(trial);
    if (packed) return packed.poll(trial);
    const { namespace, name } = this.jobOf(trial);
    const job = this.opts.jobs?.lookup(namespace, name) ?? (await this.opts.api.readJob(namespace, name));
    if (!job) return { state: 'missing' };
    const failed = job.status?.conditions?.some((c) => c.type === 'Failed' && c.status === 'True');
    const pods = failed ? await this.opts.api.listJobPods(namespace, name) : [];
    return trialStateOf(job, pods);
  }

  async cancel(trial: TrialRef): Promise<void> {
    const packed = this.packed(trial);
    if (packed) return packed.cancel(trial);
    const { namespace, name } = this.jobOf(trial);
    await this.opts.api.deleteJob(namespace, name);
  }

  async close(): Promise<void> {
    await this.opts.jobs?.stop?.();
  }

  private jobOf(trial: TrialRef): { namespace: string; name: string } {
    const ref = parseResourceSearchId(trial.searchId);
    const namespace = ref?.namespace ?? this.opts.localNamespace ?? 'default';
    return { namespace, name: jobNameFor(ref?.name ?? trial.spec.name, trial.trialId, trial.attempt, this.step) };
  }

  private async placement(trial: TrialRef): Promise<Placement> {
    const ref = parseResourceSearchId(trial.searchId);
    if (!ref) return { namespace: this.opts.localNamespace ?? 'default', searchName: trial.spec.name };
    const cached = this.placements.get(ref.uid);
    if (cached) return cached;
    const res = await this.opts.api.readSearch(ref.namespace, ref.name);
    if (!res) throw new SearchResourceGoneError(trial.searchId, 'no longer exists');
    if (res.metadata.uid !== ref.uid) throw new SearchResourceGoneError(trial.searchId, `was recreated (uid ${res.metadata.uid})`);
    const p: Placement = { namespace: ref.namespace, searchName: ref.name, owner: { name: ref.name, uid: ref.uid }, spec: res.spec };
    this.placements.set(ref.uid, p);
    return p;
  }
}

/** Default trainer image (Helm value trial.image). */
export const DEFAULT_TRIAL_IMAGE = 'ghcr.io/nasflow/trainer:0.1.0';

/**
 * The launcher `nasflow worker --launcher kubernetes` uses. Reads: KUBECONFIG (else in-cluster),
 * NASFLOW_TRIAL_IMAGE, NASFLOW_TRIAL_COMMAND (space-separated), NASFLOW_S3_ENDPOINT, AWS_REGION,
 * NASFLOW_TRIAL_S3_SECRET, NASFLOW_TRIAL_SERVICE_ACCOUNT, NASFLOW_TRIAL_UID, NASFLOW_TRIAL_NAMESPACE,
 * NASFLOW_TRIAL_REQUIRE_GPU (`false`: pods that request GPUs may train on the CPU),
 * NASFLOW_TRIAL_POD_EXTRAS (JSON: the admin's labels, annotations, env, volumes and grace period),
 * NASFLOW_WATCH_NAMESPACE (comma-separated namespaces served: Job watches there only).
 */
export function createKubeLauncherFromEnv(env: NodeJS.ProcessEnv): Launcher {
  const defaults: TrialDefaults = { image: env.NASFLOW_TRIAL_IMAGE || DEFAULT_TRIAL_IMAGE };
  if (env.NASFLOW_TRIAL_COMMAND) defaults.command = env.NASFLOW_TRIAL_COMMAND.split(/\s+/).filter(Boolean);
  if (env.NASFLOW_S3_ENDPOINT) defaults.s3Endpoint = env.NASFLOW_S3_ENDPOINT;
  if (env.AWS_REGION) defaults.s3Region = env.AWS_REGION;
  if (env.NASFLOW_TRIAL_S3_SECRET) defaults.s3SecretName = env.NASFLOW_TRIAL_S3_SECRET;
  if (env.NASFLOW_TRIAL_SERVICE_ACCOUNT) defaults.serviceAccountName = env.NASFLOW_TRIAL_SERVICE_ACCOUNT;
  if (env.NASFLOW_TRIAL_UID) defaults.uid = Number(env.NASFLOW_TRIAL_UID);
  // Clusters whose GPU nodes are simulated (kwok) set false: their trials cannot see a real GPU.
  if (env.NASFLOW_TRIAL_REQUIRE_GPU === 'false') defaults.requireGpu = false;
  if (env.NASFLOW_TRIAL_POD_EXTRAS) defaults.extras = parseTrialPodExtras(env.NASFLOW_TRIAL_POD_EXTRAS);
  const api = new KubeAdapter(loadKubeConfig(env));
  const cacheOpts = { now: () => Date.now(), log: (line: string) => console.error(`${new Date().toISOString()} ${line}`) };
  const namespaces = (env.NASFLOW_WATCH_NAMESPACE ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const jobs = namespaces.length === 0 ? new TrialJobCache(api, cacheOpts) : namespacedJobCaches(api, namespaces, cacheOpts);
  jobs.start();
  const localNamespace = env.NASFLOW_TRIAL_NAMESPACE || namespaces[0] || 'default';
  // Trials with a latency pool (spec latency.device pool) run a second Job after training, on the
  // resource's latency template; both launchers share one Job watch (stopped once, by the trainer's).
  const latency = new KubeLauncher({ api, defaults, localNamespace, jobs: { lookup: (ns, name) => jobs.lookup(ns, name) }, step: 'latency' });
  const packs = { tables: new ConfigMapPackTables(api.core), openStorage: storageOpener(env) };
  return new LatencyStepLauncher(new KubeLauncher({ api, defaults, localNamespace, jobs, packs }), latency);
}

/**
 * One Job watch per served namespace (NASFLOW_WATCH_NAMESPACE=a,b): with namespaced Roles the
 * worker may not list Jobs cluster-wide. A Job in a namespace not watched is read directly.
 */
function namespacedJobCaches(
  api: KubeAdapter,
  namespaces: string[],
  opts: ConstructorParameters<typeof TrialJobCache>[1],
): JobLookup & { start(): void; stop(): Promise<void> } {
  const caches = new Map(
    namespaces.map((ns) => [ns, new TrialJobCache({ trialJobInformer: (selector) => api.trialJobInformer(selector, ns) }, opts)] as const),
  );
  return {
    start: () => caches.forEach((c) => c.start()),
    stop: async () => {
      await Promise.all([...caches.values()].map((c) => c.stop()));
    },
    lookup: (namespace, name) => caches.get(namespace)?.lookup(namespace, name),
  };
}

/**
 * Opens a search's storage URI (s3://bucket/prefix, file:///path or a path) as a store rooted at
 * it, once per URI, with the URI of each key (what pack Jobs are told).
 */
export function storageOpener(env: NodeJS.ProcessEnv): (storage: string) => { store: ObjectStore; uriOf(key: string): string } {
  const opened = new Map<string, { store: ObjectStore; uriOf(key: string): string }>();
  return (storage) => {
    let o = opened.get(storage);
    if (!o) {
      const raw = openUri(storage, env);
      const base = /^(s3|file):\/\//i.test(storage) ? storage.replace(/\/+$/, '') : `file://${storage.replace(/\/+$/, '')}`;
      o = { store: withPrefix(raw.store, raw.key), uriOf: (key) => `${base}/${key}` };
      opened.set(storage, o);
    }
    return o;
  };
}
