/**
 * A test-only kubelet for trial pods: kwok nodes run no containers, so end-to-end tests register
 * a few extra GPU nodes that kwok does not manage and this executor plays their kubelet. For each
 * pod bound to one of them it runs the trainer container's own command and environment (secrets
 * resolved) as a local process, reports Running, and on exit writes the pod's terminal phase with
 * the exit code and the log tail (as FallbackToLogsOnError does). A pod being deleted (eviction,
 * Job deletion) gets SIGTERM, like a real kubelet, then its deletion is confirmed.
 *
 * So the whole contract runs for real: Job → pod env → trainer → result in the store → workflow.
 * Given an unpacked image, it runs each pod's container from that image under runc instead (as
 * the pod's runAsUser, read-only root, /tmp tmpfs; src/image/runc.ts), so the artefact users
 * deploy is what trains.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoordinationV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { gpuNodeManifest } from '../../src/dev/kube-nodes.js';
import { startContainer, type Unpacked } from '../../src/image/runc.js';
import { at } from '../../src/common/indexing.js';

export const EXECUTOR_LABEL = 'nasflow.io/test-executor';
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
/** Pod conditions merge by type, so a DisruptionTarget set by an eviction survives our status writes. */
const STRATEGIC = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

interface Running {
  child: ChildProcess;
  log: string;
  terminating: boolean;
}

export class PodExecutor {
  private readonly core: CoreV1Api;
  private readonly leases: CoordinationV1Api;
  private readonly running = new Map<string, Running>();
  private readonly done = new Set<string>();
  private stopped = false;
  private loop: Promise<void> | undefined;
  /** Exit codes of every process the executor ran, by pod name (tests assert on them). */
  readonly exits = new Map<string, number>();

  /** `image`: run containers from this image under runc (bundles and state under `workDir`). */
  constructor(
    kc: KubeConfig,
    readonly nodes: string[],
    private readonly gpusPerNode = 1,
    private readonly image?: { unpacked: Unpacked; workDir: string },
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.leases = kc.makeApiClient(CoordinationV1Api);
  }

  async start(): Promise<void> {
    for (const name of this.nodes) {
      const node = gpuNodeManifest(name, this.gpusPerNode) as {
        metadata: { annotations: Record<string, string>; labels: Record<string, string> };
        status: Record<string, unknown>;
      };
      delete node.metadata.annotations['kwok.x-k8s.io/node'];
      node.metadata.labels[EXECUTOR_LABEL] = 'true';
      node.metadata.labels.type = 'executor';
      node.status.conditions = [this.ready()];
      await this.core.createNode({ body: node as never });
    }
    await this.heartbeat();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    for (const r of this.running.values()) r.child.kill('SIGKILL');
  }

  private ready() {
    const now = new Date().toISOString();
    return { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'test executor', lastHeartbeatTime: now, lastTransitionTime: now };
  }

  /** Node status and Lease renewals, so the node lifecycle controller keeps the nodes Ready. */
  private async heartbeat(): Promise<void> {
    const micro = `${new Date().toISOString().slice(0, -1)}000Z` as unknown as Date;
    for (const name of this.nodes) {
      await this.core.patchNodeStatus({ name, body: { status: { conditions: [this.ready()] } } }, MERGE);
      const body = { metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: micro } };
      try {
        const cur = await this.leases.readNamespacedLease({ name, namespace: 'kube-node-lease' });
        await this.leases.replaceNamespacedLease({
          name,
          namespace: 'kube-node-lease',
          body: { ...body, metadata: { ...body.metadata, resourceVersion: cur.metadata!.resourceVersion! } },
        });
      } catch {
        await this.leases.createNamespacedLease({ namespace: 'kube-node-lease', body }).catch(() => undefined);
      }
    }
  }

  private async run(): Promise<void> {
    let beat = Date.now();
    while (!this.stopped) {
      try {
        if (Date.now() - beat > 5000) {
          beat = Date.now();
          await this.heartbeat();
        }
        for (const node of this.nodes) {
          const pods = await this.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` });
          for (const pod of pods.items) await this.step(pod);
        }
      } catch (err) {
        if (!this.stopped) console.error(`pod executor: ${err instanceof Error ? err.message : String(err)}`);
      }
      await sleep(200);
    }
  }

  private async step(pod: V1Pod): Promise<void> {
    const key = `${pod.metadata!.namespace}/${pod.metadata!.name}`;
    const r = this.running.get(key);
    if (pod.metadata!.deletionTimestamp) {
      if (r && !r.terminating) {
        r.terminating = true;
        r.child.kill('SIGTERM'); // the trainer checkpoints and exits 75
      }
      if (!r)
        await this.core.deleteNamespacedPod({ namespace: pod.metadata!.namespace!, name: pod.metadata!.name!, gracePeriodSeconds: 0 }).catch(() => undefined);
      return;
    }
    if (r || this.done.has(key) || pod.status?.phase !== 'Pending') return;
    await this.launch(key, pod);
  }

  private async launch(key: string, pod: V1Pod): Promise<void> {
    const ns = pod.metadata!.namespace!;
    const c = at(pod.spec!.containers, 0, 'container');
    const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
    for (const e of c.env ?? []) {
      if (e.value !== undefined) env[e.name] = e.value;
      const ref = e.valueFrom?.secretKeyRef;
      if (ref) {
        const secret = await this.core.readNamespacedSecret({ namespace: ns, name: ref.name! });
        const value = secret.data?.[ref.key];
        if (value === undefined) throw new Error(`pod executor: secret ${ns}/${ref.name} has no key ${ref.key} (env ${e.name})`);
        env[e.name] = Buffer.from(value, 'base64').toString('utf8');
      }
    }
    const argv = [...(c.command ?? []), ...(c.args ?? [])];
    const child = this.image ? this.runContainer(pod, argv, env) : spawn(at(argv, 0, 'argv'), argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const entry: Running = { child, log: '', terminating: false };
    const append = (b: Buffer) => {
      entry.log = (entry.log + b.toString()).slice(-4000);
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    this.running.set(key, entry);
    const startedAt = new Date().toISOString();
    // Report Running before the exit is reported, whichever the process does first.
    const running = this.setStatus(pod, {
      phase: 'Running',
      startTime: startedAt,
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: c.name, image: c.image!, imageID: '', ready: true, restartCount: 0, state: { running: { startedAt } } }],
    });
    child.on('exit', (code, signal) => {
      const exitCode = code ?? (signal === 'SIGKILL' ? 137 : 143);
      this.exits.set(pod.metadata!.name!, exitCode);
      const finishedAt = new Date().toISOString();
      const message = exitCode === 0 ? undefined : entry.log.trimEnd().split('\n').slice(-20).join('\n');
      void running
        .catch(() => undefined)
        .then(() =>
          this.setStatus(pod, {
            phase: exitCode === 0 ? 'Succeeded' : 'Failed',
            conditions: [{ type: 'Ready', status: 'False' }],
            containerStatuses: [
              {
                name: c.name,
                image: c.image!,
                imageID: '',
                ready: false,
                restartCount: 0,
                state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt, finishedAt, ...(message ? { message } : {}) } },
              },
            ],
          }),
        )
        .then(async () => {
          this.running.delete(key);
          this.done.add(key);
          if (entry.terminating)
            await this.core
              .deleteNamespacedPod({ namespace: pod.metadata!.namespace!, name: pod.metadata!.name!, gracePeriodSeconds: 0 })
              .catch(() => undefined);
        })
        .catch((err: unknown) => console.error(`pod executor: ${key}: ${err instanceof Error ? err.message : String(err)}`));
    });
    await running;
  }

  /** The pod's container from the image under runc; the pod's env replaces the host PATH with the image's. */
  private runContainer(pod: V1Pod, argv: string[], env: Record<string, string>): ChildProcess {
    const { PATH: _hostPath, ...podEnv } = env;
    const sc = pod.spec!.securityContext;
    const { unpacked, workDir } = this.image!;
    return startContainer(unpacked, { args: argv, env: podEnv, uid: sc?.runAsUser ?? 1000, gid: sc?.runAsGroup ?? 1000 }, workDir, `pod-${pod.metadata!.uid!}`)
      .child;
  }

  private async setStatus(pod: V1Pod, status: Record<string, unknown>): Promise<void> {
    await this.core.patchNamespacedPodStatus({ namespace: pod.metadata!.namespace!, name: pod.metadata!.name!, body: { status } }, STRATEGIC);
  }
}
