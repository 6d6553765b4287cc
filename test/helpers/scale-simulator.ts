/**
 * The trial simulator of the scale bench: the kubelet half that kwok does not play. kwok marks a
 * trial pod Running on its fake GPU node; this controller then keeps it Running for the trial's
 * simulated training time and finishes it as a trainer would: result.json written to the real S3
 * server first (answered from the NAS-Bench-201 table), then the pod's phase Succeeded with exit
 * code 0. The worker collects the result exactly as from a real trainer.
 *
 * The answer: the trial's genotype (from its spec.json) hashes to one of NB201's 15,625 cells; the
 * cell's 12-epoch validation accuracy is the result, and its epoch time, scaled linearly onto
 * [minSeconds, maxSeconds], is the training time. A pod deleted before its time is up (eviction,
 * node loss) writes nothing; its replacement trains from the start. A pod that finds its trial's
 * result.json already written ends at once without training, as the trainer does
 * (src/trainer/run-trial.ts: "not training again").
 *
 * Like a kubelet, it never moves a pod out of a terminal phase: a status write carries the
 * resourceVersion of the Running pod it read, so a completion that races an eviction or the pod
 * garbage collector (which fail the pod, and the Job then starts a replacement) loses with a
 * conflict instead of overwriting Failed with Succeeded.
 *
 * It is also the bench's ledger of what trained: every pod it finished, by trial id, so the audit
 * counts a trial trained twice no matter which Job or attempt did it.
 */
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CoreV1Api, PatchStrategy, makeInformer, setHeaderOptions, type KubeConfig, type KubernetesObject, type V1Pod } from '@kubernetes/client-node';
import { loadNb201, type Nb201Row } from '../../src/bench/nb201-table.js';
import { stableHash } from '../../src/common/hash.js';
import { parseStoreUri } from '../../src/store/uri.js';
import { ANNOTATION_TRIAL_ID, TRAINER_CONTAINER } from '../../src/kube/trial-job.js';
import { at } from '../../src/common/indexing.js';

const STRATEGIC = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const TRIAL_PODS = 'app.kubernetes.io/component=trial';
/** A pod status as JSON for a patch (the client's V1PodStatus types times as Date). */
type PodStatusBody = Record<string, unknown>;

export interface SimulatorOptions {
  /** Shortest and longest simulated training time, seconds (NB201 epoch times map onto them). */
  minSeconds: number;
  maxSeconds: number;
  s3: S3Client;
  log: (line: string) => void;
}

interface Training {
  uid: string;
  trialId: string;
  timer?: NodeJS.Timeout;
  seconds?: number;
}

export interface Finished {
  trialId: string;
  pod: string;
  node: string;
  seconds: number;
}

export class TrialSimulator {
  private readonly core: CoreV1Api;
  private readonly informer;
  private readonly rows: readonly Nb201Row[];
  private readonly epoch: { min: number; max: number };
  private readonly training = new Map<string, Training>();
  /** Uids of deleted pods already reported Failed. */
  private readonly terminated = new Set<string>();
  private stopped = false;
  /** Pods run to completion, in order. */
  readonly finished: Finished[] = [];
  /** Pods that stopped before their time was up (evicted, node deleted). */
  interrupted = 0;
  /** Pods that found their trial's result.json already written and ended without training. */
  skipped = 0;
  /** Simulated seconds of every pod that finished (the ideal's numerator). */
  trainedSeconds = 0;
  errors = 0;

  constructor(
    kc: KubeConfig,
    private readonly opts: SimulatorOptions,
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.informer = makeInformer<V1Pod & KubernetesObject>(
      kc,
      '/api/v1/pods',
      () => this.core.listPodForAllNamespaces({ labelSelector: TRIAL_PODS }),
      TRIAL_PODS,
    );
    this.rows = loadNb201('nb201-cifar10').rows;
    const epochs = this.rows.map((r) => r.epochSeconds);
    this.epoch = { min: Math.min(...epochs), max: Math.max(...epochs) };
  }

  async start(): Promise<void> {
    const onPod = (pod: V1Pod) => this.see(pod);
    this.informer.on('add', onPod);
    this.informer.on('update', onPod);
    this.informer.on('delete', (pod: V1Pod) => this.gone(pod));
    this.informer.on('error', (err: unknown) => {
      if (this.stopped) return;
      this.opts.log(`simulator: pod watch: ${String(err)}; restarting`);
      setTimeout(() => void this.informer.start().catch(() => undefined), 1000);
    });
    await this.informer.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.training.values()) clearTimeout(t.timer);
    await this.informer.stop();
  }

  /** Trial pods training now (Running and not yet finished by the simulator). */
  get running(): number {
    return this.training.size;
  }

  /**
   * Whether the pod is still Running as the watch last saw it. The pod garbage collector marks a
   * pod on a deleted node Failed before deleting it, and the Job then starts a replacement; a
   * kubelet on a deleted node cannot report success afterwards, so neither may the simulator.
   */
  private stillRunning(pod: V1Pod): boolean {
    const latest = this.informer.get(pod.metadata!.name!, pod.metadata!.namespace);
    return !!latest && latest.metadata?.uid === pod.metadata?.uid && latest.status?.phase === 'Running' && !latest.metadata?.deletionTimestamp;
  }

  /** The trial pods training now, as last seen by the watch. */
  runningPods(): V1Pod[] {
    return this.informer.list().filter((p) => this.training.has(podKey(p)));
  }

  /** The simulated training time of a genotype: NB201 epoch time mapped onto [min, max] seconds. */
  answer(genotype: unknown): { seconds: number; valAccuracy: number; testAccuracy: number; cell: string } {
    const row = at(this.rows, parseInt(stableHash(JSON.stringify(genotype), 8), 16) % this.rows.length, 'NB201 row');
    const span = this.epoch.max - this.epoch.min;
    const f = span > 0 ? (row.epochSeconds - this.epoch.min) / span : 0;
    const seconds = this.opts.minSeconds + f * (this.opts.maxSeconds - this.opts.minSeconds);
    return { seconds, valAccuracy: row.val12 / 100, testAccuracy: row.test200 / 100, cell: row.arch };
  }

  private see(pod: V1Pod): void {
    const key = podKey(pod);
    const uid = pod.metadata?.uid ?? '';
    const current = this.training.get(key);
    if (pod.metadata?.deletionTimestamp) {
      this.gone(pod);
      return this.terminate(pod);
    }
    if (current && current.uid !== uid) return this.gone(pod);
    if (current || pod.status?.phase !== 'Running' || this.stopped) return;
    const trialId = pod.metadata?.annotations?.[ANNOTATION_TRIAL_ID] ?? key;
    const t: Training = { uid, trialId };
    this.training.set(key, t);
    void this.begin(key, pod, t).catch((err: unknown) => {
      this.errors++;
      this.opts.log(`simulator: ${key}: ${err instanceof Error ? err.message : String(err)}`);
      if (this.training.get(key) === t) this.training.delete(key);
    });
  }

  private gone(pod: V1Pod): void {
    const key = podKey(pod);
    const t = this.training.get(key);
    if (!t) return;
    clearTimeout(t.timer);
    this.training.delete(key);
    this.interrupted++;
  }

  /**
   * A deleted pod (eviction, drain) that has not ended: as a kubelet would, stop its trainer and
   * report the pod Failed (exit 75, the trainer's "preempted after a checkpoint"). Without a
   * terminal phase the Job controller keeps its tracking finalizer and, with podReplacementPolicy
   * Failed, never starts the replacement; kwok's delete stage does not set one.
   */
  private terminate(pod: V1Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed' || this.terminated.has(uid)) return;
    this.terminated.add(uid);
    const status = terminatedStatus(pod, 'Failed', 75, 'Error');
    this.writeStatusIfRunning(pod, status, `terminating ${podKey(pod)}`, { deleting: true }).catch((err: unknown) => {
      if ((err as { code?: number }).code !== 404) this.opts.log(`simulator: terminating ${podKey(pod)}: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  private async begin(key: string, pod: V1Pod, t: Training): Promise<void> {
    const specUri = pod.spec?.containers.find((c) => c.name === TRAINER_CONTAINER)?.env?.find((e) => e.name === 'NASFLOW_TRIAL_SPEC')?.value;
    if (!specUri) throw new Error('pod has no NASFLOW_TRIAL_SPEC');
    const loc = parseStoreUri(specUri);
    if (loc.kind !== 's3') throw new Error(`trial spec ${specUri} is not in S3`);
    const spec = await retried(
      `reading ${specUri}`,
      async () => {
        const got = await this.opts.s3.send(new GetObjectCommand({ Bucket: loc.bucket, Key: loc.key }));
        return JSON.parse(await got.Body!.transformToString()) as { genotype: unknown; trialId: string };
      },
      this.opts.log,
    );
    const resultKey = loc.key.replace(/spec\.json$/, 'result.json');
    if (await this.exists(loc.bucket, resultKey)) {
      // An earlier pod of this trial trained and wrote its result before it was failed (evicted, node lost).
      if (this.training.get(key) !== t) return;
      this.training.delete(key);
      if (await this.writeStatusIfRunning(pod, terminatedStatus(pod, 'Succeeded', 0, 'Completed'), `completing ${key} (result already written)`))
        this.skipped++;
      return;
    }
    const answer = this.answer(spec.genotype);
    t.seconds = answer.seconds;
    const startedAt = Date.parse(String(pod.status?.startTime ?? new Date().toISOString()));
    const waitMs = Math.max(0, startedAt + answer.seconds * 1000 - Date.now());
    t.timer = setTimeout(() => {
      void this.finish(key, pod, t, loc.bucket, resultKey, answer).catch((err: unknown) => {
        this.errors++;
        this.opts.log(`simulator: finishing ${key}: ${err instanceof Error ? err.message : String(err)}`);
        if (this.training.get(key) === t) this.training.delete(key);
      });
    }, waitMs);
  }

  private async finish(key: string, pod: V1Pod, t: Training, bucket: string, resultKey: string, answer: ReturnType<TrialSimulator['answer']>): Promise<void> {
    if (this.training.get(key) !== t) return; // deleted meanwhile
    if (!this.stillRunning(pod)) {
      // Failed meanwhile (the pod GC on a deleted node): its trainer was stopped before the end.
      this.training.delete(key);
      this.interrupted++;
      return;
    }
    // The `benchmark` kind of result.json (src/api/trial-result.ts): a table answered the trial.
    const result = {
      schemaVersion: 1,
      kind: 'benchmark',
      benchmark: 'nb201-cifar10',
      valAccuracy: answer.valAccuracy,
      testAccuracy: answer.testAccuracy,
      simulatedSeconds: answer.seconds,
      readyAtMs: Date.now(),
    };
    await retried(
      `writing ${resultKey}`,
      () => this.opts.s3.send(new PutObjectCommand({ Bucket: bucket, Key: resultKey, Body: JSON.stringify(result), ContentType: 'application/json' })),
      this.opts.log,
    );
    // Trained: the result exists whatever happens to the pod now (a replacement finds it and does not train again).
    this.training.delete(key);
    this.finished.push({ trialId: t.trialId, pod: pod.metadata!.name!, node: pod.spec?.nodeName ?? '', seconds: answer.seconds });
    this.trainedSeconds += answer.seconds;
    await this.writeStatusIfRunning(pod, terminatedStatus(pod, 'Succeeded', 0, 'Completed'), `completing ${key}`);
  }

  private async exists(bucket: string, key: string): Promise<boolean> {
    return retried(
      `checking ${key}`,
      async () => {
        try {
          await this.opts.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
          return true;
        } catch (err) {
          const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
          if (e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404) return false;
          throw err;
        }
      },
      this.opts.log,
    );
  }

  /**
   * Writes a terminal status on the pod only while it is still the Running pod that was seen
   * (`deleting`: a deletion may be under way): the write carries the resourceVersion just read, so
   * anything that changed the pod since (the pod GC or an eviction failing it) makes it a conflict,
   * read again. Returns whether this write ended the pod.
   */
  private async writeStatusIfRunning(pod: V1Pod, status: PodStatusBody, what: string, o: { deleting?: boolean } = {}): Promise<boolean> {
    const namespace = pod.metadata!.namespace!;
    const name = pod.metadata!.name!;
    return retried(
      what,
      async () => {
        const latest = await this.core.readNamespacedPodStatus({ namespace, name });
        const terminal = latest.status?.phase === 'Succeeded' || latest.status?.phase === 'Failed';
        if (latest.metadata?.uid !== pod.metadata?.uid || terminal || (latest.metadata?.deletionTimestamp && !o.deleting)) return false;
        await this.core.patchNamespacedPodStatus(
          { namespace, name, body: { metadata: { resourceVersion: latest.metadata!.resourceVersion }, status } },
          STRATEGIC,
        );
        return true;
      },
      this.opts.log,
    ).catch((err: unknown) => {
      if ((err as { code?: number }).code === 404) return false;
      throw err;
    });
  }
}

/** The status a kubelet writes when the trainer exits (JSON as the API takes it: times as strings). */
function terminatedStatus(pod: V1Pod, phase: 'Succeeded' | 'Failed', exitCode: number, reason: string): PodStatusBody {
  const now = new Date().toISOString();
  return {
    phase,
    conditions: [
      { type: 'Ready', status: 'False' },
      { type: 'ContainersReady', status: 'False' },
    ],
    containerStatuses: [
      {
        name: TRAINER_CONTAINER,
        image: at(pod.spec!.containers, 0).image!,
        imageID: '',
        ready: false,
        restartCount: 0,
        state: { terminated: { exitCode, reason, startedAt: pod.status?.startTime ?? now, finishedAt: now } },
      },
    ],
  };
}

/**
 * Retries a call to the apiserver or S3 as a kubelet does: a loaded control plane drops
 * connections ("fetch failed"), and a pod whose status is never written would stay Running forever.
 */
async function retried<T>(what: string, call: () => Promise<T>, log: (line: string) => void, attempts = 30): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await call();
    } catch (err) {
      if (i >= attempts || (err as { code?: number }).code === 404) throw err;
      if (i === 1 || i % 10 === 0) log(`simulator: ${what}: ${err instanceof Error ? err.message : String(err)}; retrying (attempt ${i})`);
      await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** Math.min(i, 5))));
    }
  }
}

function podKey(pod: V1Pod): string {
  return `${pod.metadata?.namespace}/${pod.metadata?.name}`;
}
