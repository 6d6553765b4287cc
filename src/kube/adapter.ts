/**
 * The thin adapter over @kubernetes/client-node: the only module that talks to the apiserver.
 * Each method is one API call with the error translation callers need (404 → undefined, 409 on
 * create → "exists"), so the launcher and the operator stay testable against small interfaces.
 */
import {
  ApiException,
  BatchV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  KubeConfig,
  PatchStrategy,
  makeInformer,
  setHeaderOptions,
  type EventsV1Event,
  type Informer,
  type KubernetesObject,
  type ObjectCache,
  type V1Job,
  type V1Lease,
  type V1Pod,
} from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION, type NeuralArchitectureSearch, type ResourceStatus } from '../api/resource-spec.js';

/** Where the kubeconfig comes from: KUBECONFIG, else the pod's in-cluster service account. */
export function loadKubeConfig(env: NodeJS.ProcessEnv): KubeConfig {
  const kc = new KubeConfig();
  if (env.KUBECONFIG) kc.loadFromFile(env.KUBECONFIG);
  else kc.loadFromCluster();
  return kc;
}

export function isNotFound(err: unknown): boolean {
  return statusOf(err) === 404;
}

export function isConflict(err: unknown): boolean {
  return statusOf(err) === 409;
}

function statusOf(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  return (err as { code?: number } | undefined)?.code;
}

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** metav1.MicroTime wants six fractional digits; a raw patch body is not serialised by the client. */
function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export class KubeAdapter {
  readonly batch: BatchV1Api;
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
  readonly coordination: CoordinationV1Api;
  readonly events: EventsV1Api;

  constructor(readonly kc: KubeConfig) {
    this.batch = kc.makeApiClient(BatchV1Api);
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.coordination = kc.makeApiClient(CoordinationV1Api);
    this.events = kc.makeApiClient(EventsV1Api);
  }

  /** Creates the Job unless one of that name exists (idempotent launch). */
  async createJob(job: V1Job): Promise<'created' | 'exists'> {
    try {
      await this.batch.createNamespacedJob({ namespace: job.metadata!.namespace!, body: job });
      return 'created';
    } catch (err) {
      if (isConflict(err)) return 'exists';
      throw err;
    }
  }

  readJob(namespace: string, name: string): Promise<V1Job | undefined> {
    return orUndefined(this.batch.readNamespacedJob({ namespace, name }));
  }

  async listJobPods(namespace: string, jobName: string): Promise<V1Pod[]> {
    return (await this.core.listNamespacedPod({ namespace, labelSelector: `batch.kubernetes.io/job-name=${jobName}` })).items;
  }

  /** Deletes a Job and (in the background) its pods; absent is fine. */
  async deleteJob(namespace: string, name: string): Promise<void> {
    await orUndefined(this.batch.deleteNamespacedJob({ namespace, name, propagationPolicy: 'Background' }));
  }

  async listJobs(namespace: string, labelSelector: string): Promise<V1Job[]> {
    return (await this.batch.listNamespacedJob({ namespace, labelSelector })).items;
  }

  async deleteJobs(namespace: string, labelSelector: string): Promise<void> {
    await this.batch.deleteCollectionNamespacedJob({ namespace, labelSelector, propagationPolicy: 'Background' });
  }

  readSearch(namespace: string, name: string): Promise<NeuralArchitectureSearch | undefined> {
    return orUndefined(
      this.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name }) as Promise<NeuralArchitectureSearch>,
    );
  }

  async patchSearchStatus(namespace: string, name: string, status: ResourceStatus): Promise<void> {
    await this.custom.patchNamespacedCustomObjectStatus({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: { status } }, MERGE_PATCH);
  }

  /**
   * Replaces metadata.finalizers, guarded by resourceVersion so a concurrent edit makes this fail
   * with 409 (the caller retries on the next event) instead of dropping someone else's finalizer.
   */
  async setSearchFinalizers(s: NeuralArchitectureSearch, finalizers: string[]): Promise<void> {
    const body = { metadata: { finalizers, resourceVersion: s.metadata.resourceVersion } };
    await orUndefined(
      this.custom.patchNamespacedCustomObject(
        { group: GROUP, version: VERSION, namespace: s.metadata.namespace, plural: PLURAL, name: s.metadata.name, body },
        MERGE_PATCH,
      ),
    );
  }

  /** A list+watch cache of every NeuralArchitectureSearch in the cluster (or in one namespace). */
  searchInformer(namespace?: string): Informer<NeuralArchitectureSearch & KubernetesObject> & ObjectCache<NeuralArchitectureSearch & KubernetesObject> {
    const path = namespace ? `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}` : `/apis/${GROUP}/${VERSION}/${PLURAL}`;
    const list = () =>
      (namespace
        ? this.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL })
        : this.custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL })) as Promise<{
        items: (NeuralArchitectureSearch & KubernetesObject)[];
        metadata: { resourceVersion?: string };
      }>;
    return makeInformer(this.kc, path, list);
  }

  /** A list+watch cache of the Jobs matching `labelSelector` in every namespace (or in one: namespaced RBAC suffices). */
  trialJobInformer(labelSelector: string, namespace?: string): Informer<V1Job & KubernetesObject> & ObjectCache<V1Job & KubernetesObject> {
    type JobList = { items: (V1Job & KubernetesObject)[]; metadata?: { resourceVersion?: string } };
    if (namespace) {
      const list = () => this.batch.listNamespacedJob({ namespace, labelSelector }) as Promise<JobList>;
      return makeInformer(this.kc, `/apis/batch/v1/namespaces/${namespace}/jobs`, list, labelSelector);
    }
    const list = () => this.batch.listJobForAllNamespaces({ labelSelector }) as Promise<JobList>;
    return makeInformer(this.kc, '/apis/batch/v1/jobs', list, labelSelector);
  }

  /** Creates an events.k8s.io/v1 Event and returns its (generated) name. */
  async createEvent(namespace: string, event: EventsV1Event): Promise<string> {
    const created = await this.events.createNamespacedEvent({ namespace, body: event });
    return created.metadata!.name!;
  }

  /** Updates a recorded Event's series (count, last time seen) instead of writing a new Event. */
  async patchEventSeries(namespace: string, name: string, series: { count: number; lastObservedTime: Date }): Promise<void> {
    await orUndefined(
      this.events.patchNamespacedEvent(
        { namespace, name, body: { series: { count: series.count, lastObservedTime: microTime(series.lastObservedTime) } } },
        MERGE_PATCH,
      ),
    );
  }

  readLease(namespace: string, name: string): Promise<V1Lease | undefined> {
    return orUndefined(this.coordination.readNamespacedLease({ namespace, name }));
  }

  createLease(namespace: string, body: V1Lease): Promise<V1Lease> {
    return this.coordination.createNamespacedLease({ namespace, body });
  }

  /** Replaces the Lease; fails with 409 when someone else changed it since `body.metadata.resourceVersion`. */
  replaceLease(namespace: string, body: V1Lease): Promise<V1Lease> {
    return this.coordination.replaceNamespacedLease({ namespace, name: body.metadata!.name!, body });
  }
}
