/**
 * The operator as the e2e tests run it: in the test's process, on the test's apiserver and
 * Temporal, resyncing every 500 ms with a 5 s lease so a search starts without waiting. Started
 * once the CRD is served (it is created just before, and served a moment later).
 */
import type { CustomObjectsApi } from '@kubernetes/client-node';
import type { Client } from '@temporalio/client';
import { GROUP, PLURAL, VERSION } from '../../src/api/resource-spec.js';
import type { KubeAdapter } from '../../src/kube/adapter.js';
import { Operator } from '../../src/operator/operator.js';
import { TemporalSearchControl } from '../../src/operator/search-control.js';
import { eventually, TIMEOUTS } from '../helpers/wait.js';

export interface InProcessOperatorOptions {
  adapter: KubeAdapter;
  custom: CustomObjectsApi;
  client: Client;
  taskQueue: string;
  temporalNamespace: string;
  /** The namespace its searches live in, and its lease. */
  namespace: string;
  identity: string;
}

export async function startInProcessOperator(o: InProcessOperatorOptions): Promise<Operator> {
  await eventually(() => o.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: o.namespace, plural: PLURAL }), TIMEOUTS.medium);
  const operator = new Operator({
    kube: o.adapter,
    temporal: new TemporalSearchControl(o.client, o.taskQueue),
    temporalNamespace: o.temporalNamespace,
    leaseNamespace: o.namespace,
    identity: o.identity,
    resyncMs: 500,
    leaseSeconds: 5,
    leaseRetryMs: 500,
    now: () => new Date(),
    log: () => undefined,
  });
  operator.start();
  return operator;
}
