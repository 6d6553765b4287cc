/**
 * The scale bench's servers and nasflow processes: a Kubernetes control plane with N kwok GPU
 * nodes (one `nvidia.com/gpu` each) tuned for thousands of Jobs, a Temporal dev server, versitygw
 * with one bucket, and `nasflow operator` / `nasflow worker --launcher kubernetes` as separate
 * processes that the fault schedule kills and replaces.
 *
 * Tuning, each measured as a bottleneck first (BENCHMARKS.md, section scale):
 * - controller manager and scheduler client QPS: the defaults (20 and 50 requests/s) cap Job and pod
 *   churn below what 450 trials of ~60 s need (several writes per trial);
 * - kwok without its pod-complete stage: the simulator, not kwok, decides when a trial ends;
 * - no node leases (and a node grace period of hours): 500 fake kubelets renewing a Lease every
 *   10 s are 50 writes/s that a real cluster has too, but that say nothing about nasflow (a deleted
 *   node's pods are still collected, by the pod garbage collector);
 * - etcd and the Temporal database on tmpfs when asked (`fastDisk`): fsync on a shared disk
 *   otherwise sets the pace.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { KubeEndpoints } from '../../src/dev/kube.js';
import { kwokStagesPath } from '../../src/dev/kwok-stages.js';
import { startService, stopService, killNow, isAlive, type ServiceProcess } from '../../src/dev/service.js';
import { startTemporal as startTemporalComponent, type TemporalEndpoints } from '../../src/dev/temporal.js';
import { ensureTools } from '../../src/dev/tools.js';
import { s3ClientFromEnv } from '../../src/store/s3-store.js';
import { CLI_ENTRY } from '../../src/worker/search-deps.js';
import { startKube, startS3, s3Env, type Handle } from './infra.js';
import type { ProcStats } from './scale-proc-stats.js';
import { at } from '../../src/common/indexing.js';

export interface ScaleStackOptions {
  nodes: number;
  /** etcd data and the Temporal database on /dev/shm. */
  fastDisk: boolean;
  stats: ProcStats;
  log: (line: string) => void;
}

/** kwok's stages without pod-complete: a trial pod stays Running until the simulator ends it. */
function runOnlyStages(dir: string, kwokBinary: string): string {
  const docs = readFileSync(kwokStagesPath(kwokBinary), 'utf8').split(/\n---\n/);
  const kept = docs.filter((d) => !/\n\s*name: pod-complete\n/.test(d));
  if (kept.length !== docs.length - 1) throw new Error(`kwok stages at ${kwokStagesPath(kwokBinary)}: expected one pod-complete stage`);
  const file = join(dir, 'kwok-stages-run-only.yaml');
  writeFileSync(file, kept.join('\n---\n'));
  return file;
}

export class ScaleStack {
  readonly dir: string;
  kube!: Handle<KubeEndpoints>;
  temporal!: TemporalEndpoints & { stop(): Promise<void>; pid: number };
  s3!: Awaited<ReturnType<typeof startS3>>;
  s3Client!: S3Client;
  readonly bucket = 'scale';
  private readonly fastDir: string;
  private readonly nasflow = new Map<string, ServiceProcess>();
  private seq = 0;

  constructor(private readonly opts: ScaleStackOptions) {
    // The harness stops the servers it started on any exit; these processes are this class's own.
    process.on('exit', () => {
      for (const p of this.nasflow.values()) killNow(p.pid);
      if (this.temporal) killNow(this.temporal.pid);
    });
    this.dir = mkdtempSync(join(tmpdir(), 'nasflow-scale-'));
    this.fastDir = opts.fastDisk ? mkdtempSync('/dev/shm/nasflow-scale-') : join(this.dir, 'fast');
    mkdirSync(this.fastDir, { recursive: true });
  }

  async start(): Promise<void> {
    const tools = await ensureTools({ env: process.env, only: ['kwok', 'temporal'], log: (m) => this.opts.log(`[tools] ${m}`) });
    const t0 = Date.now();
    const [kube, temporal, s3] = await Promise.all([
      startKube({
        gpuNodes: this.opts.nodes,
        gpusPerNode: 1,
        kwokStages: runOnlyStages(this.dir, tools.kwok.path),
        etcdDataDir: join(this.fastDir, 'etcd'),
        extraArgs: {
          // Without leases a node's last heartbeat is its initialisation: a long grace keeps it Ready.
          'kube-controller-manager': [
            '--kube-api-qps',
            '300',
            '--kube-api-burst',
            '500',
            '--concurrent-job-syncs',
            '20',
            '--concurrent-gc-syncs',
            '40',
            '--concurrent-ttl-after-finished-syncs',
            '20',
            '--node-monitor-grace-period',
            '6h',
          ],
          kwok: ['--node-lease-duration-seconds', '0'],
          'kube-scheduler': ['--kube-api-qps', '300', '--kube-api-burst', '500'],
          'kube-apiserver': ['--max-requests-inflight', '1000', '--max-mutating-requests-inflight', '500'],
        },
      }),
      this.startTemporal(tools.temporal.path),
      startS3(),
    ]);
    this.kube = kube;
    this.temporal = temporal;
    this.s3 = s3;
    this.s3Client = s3ClientFromEnv(s3Env(s3));
    await this.s3Client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    this.opts.log(`stack up in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${this.opts.nodes} kwok GPU nodes, Temporal ${temporal.address}, S3 ${s3.endpoint}`);
    for (const p of [...kube.processes, ...s3.processes]) this.opts.stats.track(p.name, p.pid);
    this.opts.stats.track('temporal', temporal.pid);
  }

  private async startTemporal(binary: string): Promise<ScaleStack['temporal']> {
    const dir = join(this.fastDir, 'temporal');
    // Free ports are chosen before the server binds them; on a busy machine another process can
    // take one in between, so a failed start is retried on new ports.
    let started: Awaited<ReturnType<typeof startTemporalComponent>> | undefined;
    for (let attempt = 1; !started; attempt++) {
      started = await startTemporalComponent(binary, { dir }).catch((err: unknown) => {
        if (attempt >= 3) throw err;
        this.opts.log(`Temporal dev server did not start (attempt ${attempt}); retrying: ${String(err).split('\n')[0]}`);
        return undefined;
      });
    }
    const proc = at(started.processes, 0, 'Temporal dev server process');
    return { ...started.endpoints, pid: proc.pid, stop: () => stopService(proc) };
  }

  /** Environment of the nasflow processes: the cluster, S3, and trial pods' settings. */
  private env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      ...s3Env(this.s3),
      KUBECONFIG: this.kube.kubeconfig,
      TEMPORAL_ADDRESS: this.temporal.address,
      NASFLOW_TRIAL_IMAGE: 'nasflow/trainer:simulated',
      NASFLOW_TRIAL_NAMESPACE: 'default',
    };
  }

  /** Starts `nasflow worker --launcher kubernetes` or `nasflow operator` as a new process. */
  startNasflow(role: 'worker' | 'operator'): ServiceProcess {
    const label = `${role}-${++this.seq}`;
    const args =
      role === 'worker'
        ? [CLI_ENTRY, 'worker', '--launcher', 'kubernetes', '--work-dir', join(this.dir, label)]
        : [CLI_ENTRY, 'operator', '--resync-ms', '5000', '--lease-seconds', '15', '--identity', label];
    const proc = startService({ name: label, command: process.execPath, args, logFile: join(this.dir, `${label}.log`), env: this.env() });
    this.nasflow.set(label, proc);
    this.opts.stats.track(role, proc.pid);
    this.opts.log(`${label} started (pid ${proc.pid})`);
    return proc;
  }

  /** SIGKILL (a crash) or SIGTERM (a rollout) to one nasflow process; resolves once it is gone. */
  async signal(proc: ServiceProcess, how: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    this.opts.stats.sample(); // its CPU up to now
    if (how === 'SIGKILL') killNow(proc.pid);
    else await stopService(proc, 120_000);
    while (isAlive(proc.pid)) await new Promise((r) => setTimeout(r, 100));
  }

  async stop(keepDir: boolean): Promise<void> {
    for (const p of this.nasflow.values()) await stopService(p, 10_000);
    this.s3Client?.destroy();
    await Promise.allSettled([this.kube?.stop(), this.temporal?.stop(), this.s3?.stop()]);
    rmSync(this.fastDir, { recursive: true, force: true });
    if (!keepDir) rmSync(this.dir, { recursive: true, force: true });
  }
}
