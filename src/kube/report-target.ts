/**
 * Which search a NeuralArchitectureSearch resource runs and where it keeps its store, for `nasflow
 * search report --resource ns/name`: the search id is the one the operator gives the resource's
 * workflow (status.workflowId is `nas/<searchId>`; before the operator wrote it, the id follows
 * from the resource's uid, src/api/resource-spec.ts), the storage is spec.storage. Reading goes
 * through the adapter, the only module that talks to the apiserver.
 */
import { resourceSearchId, type NeuralArchitectureSearch } from '../api/resource-spec.js';
import { workflowIdFor } from '../common/ids.js';
import type { KubeAdapter } from './adapter.js';

export interface ReportTarget {
  searchId: string;
  storage: string;
  /** The Secret trial pods read S3 credentials from, when the resource names one (for error hints). */
  secret?: string;
  /** `NeuralArchitectureSearch ns/name (uid …)`, for the report's header. */
  source: string;
}

/** `ns/name` split, or a message naming the flag and the fix. */
export function parseResourceName(text: string): { namespace: string; name: string } {
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/.exec(text);
  if (!m) throw new Error(`--resource: expected <namespace>/<name> of a NeuralArchitectureSearch (e.g. default/my-search); received ${JSON.stringify(text)}`);
  return { namespace: m[1]!, name: m[3]! }; // both groups match when the whole pattern does
}

/** The search id and storage of a resource (pure). */
export function reportTargetOf(nas: NeuralArchitectureSearch): ReportTarget {
  const { namespace, name, uid } = nas.metadata;
  const derived = resourceSearchId(namespace, name, uid);
  const wf = nas.status?.workflowId;
  const prefix = workflowIdFor('');
  const searchId = wf?.startsWith(prefix) ? wf.slice(prefix.length) : derived;
  const storage = nas.spec.storage;
  if (typeof storage !== 'string' || storage === '') {
    throw new Error(`NeuralArchitectureSearch ${namespace}/${name} has no spec.storage; the report reads the search's store from it`);
  }
  return {
    searchId,
    storage,
    ...(nas.spec.storageSecretRef?.name ? { secret: nas.spec.storageSecretRef.name } : {}),
    source: `NeuralArchitectureSearch ${namespace}/${name} (uid ${uid})`,
  };
}

/** Reads the resource and answers its report target; a missing resource is an error saying how to check. */
export async function readReportTarget(kube: Pick<KubeAdapter, 'readSearch'>, server: string, text: string): Promise<ReportTarget> {
  const { namespace, name } = parseResourceName(text);
  let nas: NeuralArchitectureSearch | undefined;
  try {
    nas = await kube.readSearch(namespace, name);
  } catch (err) {
    throw new Error(
      `could not read NeuralArchitectureSearch ${namespace}/${name} from the apiserver at ${server}: ${err instanceof Error ? err.message : String(err)}; check KUBECONFIG and that the CRD is installed (kubectl get crd neuralarchitecturesearches.nasflow.io)`,
    );
  }
  if (!nas) throw new Error(`NeuralArchitectureSearch ${namespace}/${name} not found at ${server}; list them with: kubectl get nas -n ${namespace}`);
  return reportTargetOf(nas);
}
