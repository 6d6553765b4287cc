/**
 * One scale run (issue 13): the real control path end to end with simulated trainers.
 *
 * kubectl applies a NeuralArchitectureSearch; `nasflow operator` starts its workflow; `nasflow
 * worker --launcher kubernetes` creates one batch/v1 Job per trial (nvidia.com/gpu: 1) that the
 * scheduler places on a kwok GPU node; the simulator (scale-simulator.ts) trains it and writes its
 * result.json to S3; the worker collects it. Faults (scale-faults.ts) land on the way. At the end:
 * wall time against the ideal, concurrency, the trial audit (lost, duplicated, retries), history
 * sizes, the apiserver's request rate and each process's CPU and peak memory.
 *
 * Search: regularized evolution (AmoebaNet, Real et al. 2019) over the PNAS cell space. Evolution
 * is asynchronous — each finished trial frees a slot that the next proposal fills — so hundreds of
 * slots stay busy; the RL controller learns in batches and would make the slots wait on its
 * update. The PNAS space is NASNet's cell space narrowed to one cell type and 8 ops; NASNet's own
 * two-cell space makes the algorithm state (a ledger of every trial) 1.7x larger (see the report).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { CoreV1Api, CustomObjectsApi, KubeConfig, makeInformer, type KubernetesObject, type V1Job } from '@kubernetes/client-node';
import { CRD_PATHS } from '../../src/kube/crd-yaml.js';
import { ANNOTATION_TRIAL_ID } from '../../src/kube/trial-job.js';
import { TRIAL_JOB_SELECTOR } from '../../src/kube/job-cache.js';
import { API_VERSION, GROUP, KIND, PLURAL, VERSION, type NeuralArchitectureSearch } from '../../src/api/resource-spec.js';
import { FaultDriver, type FaultRecord } from './scale-faults.js';
import { loadAverage, ProcStats, type RoleStats } from './scale-proc-stats.js';
import { TrialSimulator } from './scale-simulator.js';
import { ScaleStack } from './scale-stack.js';
import { fetchRunHistories, replayRuns, workflowTaskFailures } from './soak-audit.js';
import { apiserverRequests, requestRates, type RequestRate } from './scale-apiserver.js';

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
const NS = 'default';
const NAME = 'scale';

export interface ScaleOptions {
  trials: number;
  nodes: number;
  parallelism: number;
  minSeconds: number;
  maxSeconds: number;
  faults: boolean;
  seed: number;
  /** etcd and Temporal's SQLite on tmpfs. */
  fastDisk: boolean;
  /** Finished trial Jobs (and their pods) are deleted this long after they finish. */
  jobTtlSeconds: number;
  /** Replay every run's history against the current workflow code at the end. */
  replay: boolean;
  /** Give up after this long (the run is then reported as not finished). */
  limitSeconds: number;
  keepDir: boolean;
  /** CRD file to apply. Default: the repository's generated one. */
  crdPath?: string;
  log: (line: string) => void;
}

export interface ScaleResult {
  options: Omit<ScaleOptions, 'log'>;
  phase: string;
  wallSeconds: number;
  idealSeconds: number;
  meanTrialSeconds: number;
  concurrency: { peak: number; median: number; reachedParallelismAtS?: number };
  trials: {
    succeeded: number;
    failed: number;
    completed: number;
    workflowInfraRetries: number;
    podReplacements: number;
    /** Replacement pods that found the trial's result.json (written before their predecessor was failed) and ended without training. */
    resultAlreadyWritten: number;
    lost: number;
    duplicated: number;
    launched: number;
    trained: number;
  };
  history: {
    runs: number;
    continueAsNew: number;
    maxEvents: number;
    meanEvents: number;
    taskFailures: number;
    nondeterminism: number;
    replayFailures: number | undefined;
  };
  requests: { total: number; perSecond: number; top: RequestRate[] };
  processes: RoleStats[];
  faults: FaultRecord[];
  faultsPlanned: number;
  simulatorErrors: number;
  loadAverage: { start: number; middle: number; end: number };
  stackSeconds: number;
  dir: string;
}

function kubectl(kubeconfig: string, args: string[], input?: string): string {
  const r = spawnSync('kubectl', ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8', input, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function searchResource(o: ScaleOptions): object {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: NAME, namespace: NS },
    spec: {
      algorithm: { evolution: { population: 100, sample: 25 } },
      space: 'pnas',
      evaluator: { type: 'train' },
      dataset: 's3://scale/datasets/simulated',
      storage: 's3://scale/searches',
      budget: { maxTrials: o.trials, parallelism: o.parallelism, maxFailedTrials: 0 },
      seed: o.seed,
      template: { resources: { limits: { 'nvidia.com/gpu': 1 } }, ttlSecondsAfterFinished: o.jobTtlSeconds },
      storageSecretRef: { name: 's3-creds' },
    },
  };
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function runScale(o: ScaleOptions): Promise<ScaleResult> {
  const stats = new ProcStats();
  stats.track('bench (simulator, faults)', process.pid);
  stats.start();
  const stack = new ScaleStack({ nodes: o.nodes, fastDisk: o.fastDisk, stats, log: o.log });
  const tStack = Date.now();
  let simulator: TrialSimulator | undefined;
  let jobWatch: ReturnType<typeof makeInformer<V1Job & KubernetesObject>> | undefined;
  let connection: Connection | undefined;
  try {
    await stack.start();
    const stackSeconds = (Date.now() - tStack) / 1000;
    const kc = new KubeConfig();
    kc.loadFromFile(stack.kube.kubeconfig);
    const custom = kc.makeApiClient(CustomObjectsApi);
    kubectl(stack.kube.kubeconfig, ['apply', '--server-side', '-f', o.crdPath ?? join(REPO_ROOT, CRD_PATHS[0])]);
    kubectl(stack.kube.kubeconfig, ['wait', '--for', 'condition=established', '--timeout', '120s', `crd/${PLURAL}.${GROUP}`]);
    await kc.makeApiClient(CoreV1Api).createNamespacedSecret({
      namespace: NS,
      body: { metadata: { name: 's3-creds' }, stringData: { AWS_ACCESS_KEY_ID: stack.s3.accessKeyId, AWS_SECRET_ACCESS_KEY: stack.s3.secretAccessKey } },
    });

    simulator = new TrialSimulator(kc, { minSeconds: o.minSeconds, maxSeconds: o.maxSeconds, s3: stack.s3Client, log: o.log });
    await simulator.start();
    // Every trial Job ever created, by trial id: the audit's "launched" set.
    const launched = new Map<string, Set<string>>();
    const batch = kc.makeApiClient((await import('@kubernetes/client-node')).BatchV1Api);
    jobWatch = makeInformer<V1Job & KubernetesObject>(
      kc,
      '/apis/batch/v1/jobs',
      () => batch.listJobForAllNamespaces({ labelSelector: TRIAL_JOB_SELECTOR }),
      TRIAL_JOB_SELECTOR,
    );
    jobWatch.on('add', (j: V1Job) => {
      const id = j.metadata?.annotations?.[ANNOTATION_TRIAL_ID] ?? j.metadata?.name ?? '?';
      launched.set(id, (launched.get(id) ?? new Set()).add(j.metadata?.name ?? '?'));
    });
    jobWatch.on('error', () => setTimeout(() => void jobWatch?.start().catch(() => undefined), 1000));
    await jobWatch.start();

    const procs = { operator: stack.startNasflow('operator'), worker: stack.startNasflow('worker') };
    const requestsBefore = apiserverRequests(stack.kube.kubeconfig);
    const load = { start: loadAverage(), middle: 0, end: 0 };

    kubectl(stack.kube.kubeconfig, ['apply', '-f', '-'], JSON.stringify(searchResource(o)));
    const t0 = Date.now();
    o.log(`search applied: ${o.trials} trials, parallelism ${o.parallelism}, ${o.nodes} nodes, simulated ${o.minSeconds}-${o.maxSeconds} s`);
    const faults = o.faults
      ? new FaultDriver(kc, stack, procs, {
          trials: o.trials,
          nodes: stack.kube.gpuNodes,
          seed: o.seed,
          t0,
          log: o.log,
          runningPods: () => simulator!.runningPods(),
        })
      : undefined;

    const samples: { t: number; running: number; launchedAll: boolean }[] = [];
    let phase = 'Pending';
    let status: NeuralArchitectureSearch['status'];
    let lastLog = 0;
    let reachedAt: number | undefined;
    for (let tick = 0; ; tick++) {
      await sleep(1000);
      const t = (Date.now() - t0) / 1000;
      const running = simulator.running;
      samples.push({ t, running, launchedAll: launched.size >= o.trials });
      if (reachedAt === undefined && running >= o.parallelism) reachedAt = t;
      const progress = simulator.finished.length / o.trials;
      if (load.middle === 0 && progress >= 0.5) load.middle = loadAverage();
      if (faults) void faults.tick(progress).catch((err: unknown) => o.log(`fault failed: ${String(err)}`));
      if (tick % 5 === 0) {
        const cr = (await custom
          .getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, name: NAME })
          .catch(() => undefined)) as NeuralArchitectureSearch | undefined;
        status = cr?.status ?? status;
        phase = status?.phase ?? phase;
      }
      if (Date.now() - lastLog > 30_000) {
        lastLog = Date.now();
        o.log(
          `${t.toFixed(0)} s: ${simulator.finished.length}/${o.trials} trained, ${running} running, ${launched.size} launched, phase ${phase}, load ${loadAverage()}`,
        );
      }
      if (['Succeeded', 'Failed', 'Cancelled'].includes(phase) || t > o.limitSeconds) break;
    }
    const wallSeconds = (Date.now() - t0) / 1000;
    load.end = loadAverage();
    stats.sample();
    const requestsAfter = apiserverRequests(stack.kube.kubeconfig);
    o.log(`search ${phase} after ${wallSeconds.toFixed(0)} s: ${status?.message ?? ''}`);

    // The audit: what trained (the simulator's ledger) against what the search launched and counted.
    const trainedBy = new Map<string, number>();
    const secondsOf = new Map<string, number>();
    for (const f of simulator.finished) {
      trainedBy.set(f.trialId, (trainedBy.get(f.trialId) ?? 0) + 1);
      secondsOf.set(f.trialId, f.seconds);
    }
    const counted = status?.trials;
    const neverTrained = [...launched.keys()].filter((id) => !trainedBy.has(id)).length;
    const lost = neverTrained + Math.max(0, o.trials - (counted?.completed ?? 0));
    const duplicated = [...trainedBy.values()].reduce((s, n) => s + Math.max(0, n - 1), 0) + Math.max(0, (counted?.succeeded ?? 0) - trainedBy.size);
    const idealSeconds = [...secondsOf.values()].reduce((s, x) => s + x, 0) / o.parallelism;

    // Histories: every run of the workflow, replayed if asked.
    connection = await Connection.connect({ address: stack.temporal.address });
    const client = new Client({ connection, namespace: stack.temporal.namespace });
    const cr = (await custom.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NS,
      plural: PLURAL,
      name: NAME,
    })) as NeuralArchitectureSearch;
    const workflowId = `nas/${NS}/${NAME}/${cr.metadata.uid}`;
    const runs = await fetchRunHistories(client, workflowId).catch((err: unknown) => {
      o.log(`no workflow history for ${workflowId}: ${String(err)}`);
      return [];
    });
    const lengths = runs.map((r) => r.history.events?.length ?? 0);
    const taskFailures = workflowTaskFailures(runs);
    for (const f of taskFailures.slice(0, 5)) o.log(`workflow task failure in run ${f.runId} at event ${f.eventId}: ${f.message}`);
    const replayFailures = o.replay ? (await replayRuns(workflowId, runs)).length : undefined;

    const rates = requestRates(requestsBefore, requestsAfter, wallSeconds);
    const steady = samples.filter((s) => !s.launchedAll && s.t > (reachedAt ?? Infinity)).map((s) => s.running);
    return {
      options: { ...o, log: undefined } as unknown as ScaleResult['options'],
      phase,
      wallSeconds,
      idealSeconds,
      meanTrialSeconds: secondsOf.size > 0 ? [...secondsOf.values()].reduce((s, x) => s + x, 0) / secondsOf.size : 0,
      concurrency: {
        peak: Math.max(0, ...samples.map((s) => s.running)),
        median: median(steady.length > 0 ? steady : samples.map((s) => s.running)),
        ...(reachedAt !== undefined ? { reachedParallelismAtS: reachedAt } : {}),
      },
      trials: {
        succeeded: counted?.succeeded ?? 0,
        failed: counted?.failed ?? 0,
        completed: counted?.completed ?? 0,
        workflowInfraRetries: counted?.infraRetries ?? 0,
        podReplacements: simulator.interrupted,
        resultAlreadyWritten: simulator.skipped,
        lost,
        duplicated,
        launched: launched.size,
        trained: trainedBy.size,
      },
      history: {
        runs: runs.length,
        continueAsNew: Math.max(0, runs.length - 1),
        maxEvents: Math.max(0, ...lengths),
        meanEvents: lengths.length > 0 ? Math.round(lengths.reduce((s, x) => s + x, 0) / lengths.length) : 0,
        taskFailures: taskFailures.length,
        nondeterminism: taskFailures.filter((f) => f.nondeterminism).length,
        replayFailures,
      },
      requests: { total: rates.total, perSecond: rates.total / wallSeconds, top: rates.top },
      processes: stats.byRole(),
      faults: faults?.done ?? [],
      faultsPlanned: faults?.planned ?? 0,
      simulatorErrors: simulator.errors,
      loadAverage: load,
      stackSeconds,
      dir: stack.dir,
    };
  } finally {
    stats.stop();
    await connection?.close().catch(() => undefined);
    await jobWatch?.stop().catch(() => undefined);
    await simulator?.stop().catch(() => undefined);
    await stack.stop(o.keepDir);
  }
}
