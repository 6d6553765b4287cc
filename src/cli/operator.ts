/**
 * `nasflow operator`: watches NeuralArchitectureSearch resources and runs each as a search
 * workflow (src/operator/). Configuration comes from flags or the environment the Helm chart sets:
 * TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_UI_URL, TEMPORAL_TLS_* , POD_NAMESPACE, POD_NAME,
 * NASFLOW_POLICY (the trial policy JSON, src/kube/trial-policy.ts), NASFLOW_TRIAL_IMAGE and
 * NASFLOW_TRIAL_S3_SECRET (the worker's defaults, always allowed), NASFLOW_METRICS_ADDRESS, and
 * KUBECONFIG (else the in-cluster service account).
 */
import type { Command } from 'commander';
import { hostname } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { TASK_QUEUE } from '../common/ids.js';
import { temporalTls } from '../worker/temporal-tls.js';
import { KubeAdapter, loadKubeConfig } from '../kube/adapter.js';
import { EventRecorder } from '../kube/event-recorder.js';
import { parseTrialPolicy } from '../kube/trial-policy.js';
import { startHealthServer } from '../metrics/health-server.js';
import { createOperatorMetrics } from '../metrics/operator-metrics.js';
import { Operator } from '../operator/operator.js';
import { TemporalSearchControl } from '../operator/search-control.js';

interface OperatorFlags {
  address?: string;
  namespace?: string;
  taskQueue: string;
  uiUrl?: string;
  watchNamespace?: string;
  leaseNamespace?: string;
  identity?: string;
  resyncMs: string;
  leaseSeconds: string;
  metricsAddress?: string;
}

export function registerOperatorCommands(program: Command): void {
  program
    .command('operator')
    .description('run the NeuralArchitectureSearch operator (leader-elected; safe to run several replicas)')
    .option('--address <host:port>', 'Temporal frontend (default: $TEMPORAL_ADDRESS)')
    .option('--namespace <ns>', 'Temporal namespace (default: $TEMPORAL_NAMESPACE or "default")')
    .option('--task-queue <name>', 'task queue of the search workers', TASK_QUEUE)
    .option('--ui-url <url>', 'Temporal UI base URL for status.workflowUrl (default: $TEMPORAL_UI_URL)')
    .option('--watch-namespace <ns[,ns...]>', 'watch these Kubernetes namespaces only, comma-separated (default: $NASFLOW_WATCH_NAMESPACE, else all)')
    .option('--lease-namespace <ns>', 'namespace of the leader Lease (default: $POD_NAMESPACE or "default")')
    .option('--identity <id>', 'leader-election identity (default: $POD_NAME, else host name and pid)')
    .option('--resync-ms <ms>', 'milliseconds between status mirrors of every search', '5000')
    .option('--lease-seconds <s>', 'leader Lease duration: how long a standby waits after a leader dies', '15')
    .option('--metrics-address <host:port>', 'serve /metrics, /healthz and /readyz here (default: $NASFLOW_METRICS_ADDRESS, else none)')
    .action(async (flags: OperatorFlags) => {
      const env = process.env;
      const address = flags.address ?? env.TEMPORAL_ADDRESS;
      if (!address) throw new Error('operator needs --address <host:port> or TEMPORAL_ADDRESS');
      const namespace = flags.namespace ?? env.TEMPORAL_NAMESPACE ?? 'default';
      const tls = temporalTls(env);
      const connection = await Connection.connect({ address, ...(tls ? { tls } : {}) });
      const resyncMs = Number(flags.resyncMs);
      if (!Number.isInteger(resyncMs) || resyncMs < 100) throw new Error(`--resync-ms must be an integer of at least 100; received ${flags.resyncMs}`);
      const leaseSeconds = Number(flags.leaseSeconds);
      if (!Number.isInteger(leaseSeconds) || leaseSeconds < 2)
        throw new Error(`--lease-seconds must be an integer of at least 2; received ${flags.leaseSeconds}`);
      const uiUrl = flags.uiUrl ?? env.TEMPORAL_UI_URL;
      const watchNamespaces = (flags.watchNamespace ?? env.NASFLOW_WATCH_NAMESPACE ?? '')
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean);
      const policy = env.NASFLOW_POLICY ? parseTrialPolicy(env.NASFLOW_POLICY) : undefined;
      const identity = flags.identity ?? env.POD_NAME ?? `${hostname()}-${process.pid}`;
      const kube = new KubeAdapter(loadKubeConfig(env));
      const log = (m: string) => console.error(`${new Date().toISOString()} ${m}`);
      const events = new EventRecorder({ api: kube, controller: 'nasflow.io/operator', instance: identity, now: () => new Date(), log });
      const operator = new Operator({
        kube,
        events,
        ...(policy
          ? {
              policy,
              policyDefaults: {
                ...(env.NASFLOW_TRIAL_IMAGE ? { image: env.NASFLOW_TRIAL_IMAGE } : {}),
                ...(env.NASFLOW_TRIAL_S3_SECRET ? { storageSecret: env.NASFLOW_TRIAL_S3_SECRET } : {}),
              },
            }
          : {}),
        temporal: new TemporalSearchControl(new Client({ connection, namespace }), flags.taskQueue),
        temporalNamespace: namespace,
        leaseNamespace: flags.leaseNamespace ?? env.POD_NAMESPACE ?? 'default',
        identity,
        resyncMs,
        leaseSeconds,
        leaseRetryMs: Math.max(500, Math.floor((leaseSeconds * 1000) / 5)),
        now: () => new Date(),
        log,
        ...(uiUrl ? { uiUrl } : {}),
        ...(watchNamespaces.length > 0 ? { watchNamespaces } : {}),
      });
      const metricsAddress = flags.metricsAddress ?? env.NASFLOW_METRICS_ADDRESS;
      const health = metricsAddress
        ? await startHealthServer({
            address: metricsAddress,
            registry: createOperatorMetrics({
              isLeader: () => operator.elector.isLeader,
              phases: () => operator.phases(),
              events: () => events.stats,
              reconciles: () => ({ ok: operator.reconciles, error: operator.reconcileErrors }),
            }),
          })
        : undefined;
      operator.start();
      console.error(
        `nasflow operator: Temporal ${address} (${namespace}), watching ${watchNamespaces.length > 0 ? `namespaces ${watchNamespaces.join(', ')}` : 'all namespaces'}${policy ? ', trial policy on' : ''}${health ? `, metrics on http://${health.address}` : ''}`,
      );
      await new Promise<void>((resolve) => {
        for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => resolve());
      });
      await operator.stop(); // releases the Lease so a standby replica takes over at once
      await connection.close();
      await health?.close();
    });
}
