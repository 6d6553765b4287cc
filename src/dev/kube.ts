/**
 * A real Kubernetes control plane on loopback: etcd, kube-apiserver, kube-controller-manager
 * (Jobs), kube-scheduler (capacity-aware placement) and kwok, which plays the kubelet for fake
 * nodes, including GPU nodes that advertise `nvidia.com/gpu`.
 *
 * Authentication is a static admin token; the apiserver serves a self-signed certificate that the
 * kubeconfig skips verifying. Fine for a loopback playground, never for a real cluster.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ComponentOptions, StartedComponent } from './components.js';
import { gpuNodeManifest } from './kube-nodes.js';
import { kubectl } from './kubectl.js';
import { kwokStagesPath } from './kwok-stages.js';
import { freePorts } from './ports.js';
import { startService, stopService, waitUntil, type ServiceProcess } from './service.js';
import type { ToolInfo } from './tools.js';

export interface KubeEndpoints {
  server: string;
  kubeconfig: string;
  token: string;
  gpuNodes: string[];
}

type KubeTools = Record<'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok', ToolInfo>;

/** The control-plane processes, by the name their log file and ServiceProcess carry. */
export type KubeProcessName = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok';

export interface KubeOptions extends ComponentOptions {
  gpuNodes: number;
  gpusPerNode: number;
  /** kwok stages file; default: kwok's fast stages next to the binary (pods of Jobs complete at once). */
  kwokStages?: string;
  /**
   * Flags appended to a process's own (a repeated flag's last value wins), for what a scale run
   * tunes: client QPS of the controller manager and scheduler, kwok's lease settings, and so on.
   */
  extraArgs?: Partial<Record<KubeProcessName, string[]>>;
  /** Folder of etcd's data (default: `etcd` in `dir`); a tmpfs folder for scale runs. */
  etcdDataDir?: string;
}

export async function startKube(tools: KubeTools, opts: KubeOptions): Promise<StartedComponent<KubeEndpoints>> {
  mkdirSync(opts.dir, { recursive: true });
  const [etcdClient, etcdPeer, apiPort, kwokPort] = await freePorts(4);
  const token = randomBytes(16).toString('hex');
  const files = writeCredentials(opts.dir, token);
  const server = `https://127.0.0.1:${apiPort}`;
  const kubeconfig = join(opts.dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigYaml(server, token));
  const processes: ServiceProcess[] = [];
  const start = (name: KubeProcessName, binary: string, args: string[]): ServiceProcess => {
    args = [...args, ...(opts.extraArgs?.[name] ?? [])];
    const proc = startService({ name, command: binary, args, logFile: join(opts.dir, `${name}.log`), detached: opts.detached, env: opts.env });
    processes.push(proc);
    return proc;
  };

  try {
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const etcd = start('etcd', tools.etcd.path, [
      '--name',
      'nasflow',
      '--data-dir',
      opts.etcdDataDir ?? join(opts.dir, 'etcd'),
      '--listen-client-urls',
      etcdUrl,
      '--advertise-client-urls',
      etcdUrl,
      '--listen-peer-urls',
      `http://127.0.0.1:${etcdPeer}`,
      '--initial-advertise-peer-urls',
      `http://127.0.0.1:${etcdPeer}`,
      '--initial-cluster',
      `nasflow=http://127.0.0.1:${etcdPeer}`,
      '--log-level',
      'warn',
      '--quota-backend-bytes',
      String(2 * 1024 ** 3),
    ]);
    await waitUntil('etcd', async () => (await fetch(`${etcdUrl}/health`)).ok, { timeoutMs: 30_000, proc: etcd });

    const apiserver = start('kube-apiserver', tools['kube-apiserver'].path, [
      '--etcd-servers',
      etcdUrl,
      '--bind-address',
      '127.0.0.1',
      '--advertise-address',
      '127.0.0.1',
      '--secure-port',
      String(apiPort),
      '--cert-dir',
      join(opts.dir, 'certs'),
      '--token-auth-file',
      files.tokens,
      '--authorization-mode',
      'RBAC',
      '--service-cluster-ip-range',
      '10.96.0.0/16',
      '--service-account-issuer',
      'https://kubernetes.default.svc.cluster.local',
      '--service-account-key-file',
      files.saPublic,
      '--service-account-signing-key-file',
      files.saPrivate,
      '--v',
      '1',
    ]);
    await waitUntil('kube-apiserver', async () => (await kubectl(kubeconfig, ['get', '--raw', '/readyz'])).code === 0, { timeoutMs: 120_000, proc: apiserver });

    start('kube-controller-manager', tools['kube-controller-manager'].path, [
      '--kubeconfig',
      kubeconfig,
      '--leader-elect=false',
      '--bind-address',
      '127.0.0.1',
      '--secure-port',
      '0',
      '--service-account-private-key-file',
      files.saPrivate,
      '--use-service-account-credentials=false',
      '--controllers',
      '*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-route',
      '--v',
      '1',
    ]);
    start('kube-scheduler', tools['kube-scheduler'].path, [
      '--kubeconfig',
      kubeconfig,
      '--leader-elect=false',
      '--bind-address',
      '127.0.0.1',
      '--secure-port',
      '0',
      '--v',
      '1',
    ]);
    start('kwok', tools.kwok.path, [
      '--kubeconfig',
      kubeconfig,
      '--config',
      opts.kwokStages ?? kwokStagesPath(tools.kwok.path),
      '--manage-all-nodes=false',
      '--manage-nodes-with-annotation-selector',
      'kwok.x-k8s.io/node=fake',
      '--manage-nodes-with-label-selector',
      '',
      '--server-address',
      `127.0.0.1:${kwokPort}`,
      '--cidr',
      '10.244.0.0/16',
      '--node-ip',
      '10.0.0.1',
      '--node-lease-duration-seconds',
      '40',
    ]);

    // The default service account appears once the controller manager runs; pods need it.
    await waitUntil('kube-controller-manager', async () => (await kubectl(kubeconfig, ['get', 'serviceaccount', 'default', '-n', 'default'])).code === 0, {
      timeoutMs: 60_000,
    });

    const gpuNodes = Array.from({ length: opts.gpuNodes }, (_, i) => `gpu-node-${i}`);
    if (gpuNodes.length > 0) {
      const manifest = gpuNodes.map((name) => JSON.stringify(gpuNodeManifest(name, opts.gpusPerNode))).join('\n');
      const applied = await kubectl(kubeconfig, ['apply', '-f', '-'], manifest);
      if (applied.code !== 0) throw new Error(`creating GPU nodes failed: ${applied.output}`);
      await waitUntil(
        'kwok GPU nodes Ready',
        async () => {
          const res = await kubectl(kubeconfig, [
            'get',
            'nodes',
            '-o',
            'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
          ]);
          const ready = res.output.split('\n').filter((s) => s.trim() === 'True').length;
          return ready >= gpuNodes.length;
        },
        { timeoutMs: Math.max(60_000, gpuNodes.length * 500) },
      );
    }
    return { name: 'kube', processes, endpoints: { server, kubeconfig, token, gpuNodes } };
  } catch (err) {
    for (const p of [...processes].reverse()) await stopService(p);
    throw err;
  }
}

function writeCredentials(dir: string, token: string): { tokens: string; saPublic: string; saPrivate: string } {
  const tokens = join(dir, 'tokens.csv');
  writeFileSync(tokens, `${token},nasflow-admin,nasflow-admin,"system:masters"\n`, { mode: 0o600 });
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const saPublic = join(dir, 'sa.pub');
  const saPrivate = join(dir, 'sa.key');
  writeFileSync(saPublic, publicKey);
  writeFileSync(saPrivate, privateKey, { mode: 0o600 });
  return { tokens, saPublic, saPrivate };
}

function kubeconfigYaml(server: string, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: nasflow-dev',
    '  cluster:',
    `    server: ${server}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    '- name: nasflow-admin',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: nasflow-dev',
    '  context: {cluster: nasflow-dev, user: nasflow-admin, namespace: default}',
    'current-context: nasflow-dev',
    '',
  ].join('\n');
}
