/**
 * Descriptions of every field of the NeuralArchitectureSearch resource, shown by `kubectl explain`.
 * A data table keyed by field path, for fields whose zod schema carries no `.describe()` text (the
 * algorithm settings, the macro and the recipe describe themselves where they are defined).
 * src/kube/crd.ts fails generation on a field without a description and on an entry without a
 * field, so the table cannot fall behind the schema.
 */

const DOCS: Record<string, string> = {
  'spec': 'The search: algorithm, search space, evaluator, budget, storage, and where trial pods run. Immutable after creation except budget.parallelism, budget.maxTrials and suspend.',
  'spec.space': 'Search space by registry name: nasnet, pnas, mnasnet, ponas or nb201.',
  'spec.macro': 'Macro network that trained trials build around the searched cells or blocks.',
  'spec.macro.classes': 'Output classes. Default: 10.',
  'spec.evaluator': 'How a trial is answered: by training (a Job per trial) or from a tabular benchmark.',
  'spec.evaluator.type': 'train: run the trainer in a Job; benchmark: answer from a tabular benchmark. Default: train.',
  'spec.evaluator.benchmark': 'Benchmark table when type is benchmark: nb201-cifar10, nb201-cifar100 or nb201-imagenet16-120.',
  'spec.evaluator.secondsPerSimulatedHour': 'Wall seconds per simulated benchmark training hour (0 answers at once). Default: 0.',
  'spec.evaluator.runAs': 'Where benchmark trials run: inline (answered inside the worker) or process (each trial runs as a trial process, a Job under the Kubernetes launcher, like a trained trial). Default: inline.',
  'spec.budget': 'How many trials run, how many at once, and how many failures are tolerated.',
  'spec.budget.maxTrials': 'Trials to run in total. May be changed while the search runs (not below the trials done or running).',
  'spec.budget.parallelism': 'Trials (Jobs) in flight at once. May be changed while the search runs. Default: 1.',
  'spec.budget.maxFailedTrials': 'User failures (trainer exit 2: bad spec or data; 3: NaN loss) tolerated before the search fails; at most maxTrials (or 3). Default: 3.',
  'spec.budget.trialRetries': 'Retries of a trial after infrastructure failures (eviction, node loss, exit codes other than 0, 2, 3); these do not count as failures. Default: 3.',
  'spec.budget.maxDurationSeconds': 'Wall-clock seconds from the start after which no new trial launches; running trials finish and the search completes. Default: no limit.',
  'spec.trial': 'Training recipe passed to the trainer unchanged (epochs, batch size, optimizer; see docs/trainer.md).',
  'spec.dataset': 'Dataset URI (CIFAR-10 binary batches), e.g. s3://bucket/cifar10. Required when evaluator.type is train.',
  'spec.storage': 'Where search state, trial specs, checkpoints and results go: s3://bucket/prefix, file:///path or a path, e.g. s3://bucket/nasflow. Before the first trial the worker writes, reads and deletes a probe object there; unusable storage fails the search at once (StorageError).',
  'spec.seed': 'Seed of every random choice the search makes. Default: 0.',
  'spec.template': 'Where and how trial pods run; unset fields take the worker\'s defaults (Helm values trial.*).',
  'spec.template.image': 'Trainer image. Default: the worker\'s configured trial image.',
  'spec.template.imagePullPolicy': 'Image pull policy of the trainer container: Always, IfNotPresent or Never.',
  'spec.template.resources': 'Compute resources of the trainer container; request GPUs as limits: {nvidia.com/gpu: 1}.',
  'spec.template.resources.requests': 'Minimum resources (cpu, memory, nvidia.com/gpu) by name, as quantities.',
  'spec.template.resources.limits': 'Maximum resources by name, as quantities; extended resources such as nvidia.com/gpu go here.',
  'spec.template.nodeSelector': 'Node labels a trial pod requires (e.g. a GPU node pool).',
  'spec.template.tolerations': 'Taints trial pods tolerate (e.g. nvidia.com/gpu:NoSchedule on GPU nodes).',
  'spec.template.tolerations[].key': 'Taint key the toleration applies to; empty matches all keys (with operator Exists).',
  'spec.template.tolerations[].operator': 'Exists or Equal. Default: Equal.',
  'spec.template.tolerations[].value': 'Taint value for operator Equal.',
  'spec.template.tolerations[].effect': 'Taint effect to match: NoSchedule, PreferNoSchedule or NoExecute; empty matches all.',
  'spec.template.tolerations[].tolerationSeconds': 'For NoExecute: seconds the pod stays bound after the taint appears.',
  'spec.template.affinity': 'Pod affinity and anti-affinity (core/v1 Affinity), passed to trial pods unchanged.',
  'spec.template.priorityClassName': 'PriorityClass of trial pods (lower priority lets serving workloads preempt trials, which then resume from checkpoints).',
  'spec.template.serviceAccountName': 'ServiceAccount trial pods run as. Default: the namespace\'s default.',
  'spec.template.ttlSecondsAfterFinished': 'Seconds a finished trial Job is kept before Kubernetes deletes it. Default: 3600.',
  'spec.storageSecretRef': 'Secret in the resource\'s namespace holding S3 credentials for trial pods. Default: the worker\'s configured Secret.',
  'spec.storageSecretRef.name': 'Name of the Secret.',
  'spec.storageSecretRef.accessKeyIdKey': 'Key of the access key id in the Secret. Default: AWS_ACCESS_KEY_ID.',
  'spec.storageSecretRef.secretAccessKeyKey': 'Key of the secret access key in the Secret. Default: AWS_SECRET_ACCESS_KEY.',
  'spec.suspend': 'true pauses the search: running trials finish, no new ones start; false resumes it. Default: false.',
  'status': 'Summary of the search, mirrored from its workflow by the operator. Per-trial history lives in Temporal and the object store.',
  'status.phase': 'Pending, Initializing, Running, Paused, Suspended, Stopping, Succeeded, Failed or Cancelled.',
  'status.observedGeneration': 'The metadata.generation this status reflects.',
  'status.algorithm': 'Registry name of the algorithm the search runs.',
  'status.conditions': 'Kubernetes-style conditions keyed by type: WorkflowStarted, Running, Finished, InvalidSpec.',
  'status.conditions[].type': 'Condition type.',
  'status.conditions[].status': 'True, False or Unknown.',
  'status.conditions[].reason': 'PascalCase reason for the condition\'s last transition.',
  'status.conditions[].message': 'Human-readable detail (truncated).',
  'status.conditions[].lastTransitionTime': 'When the status last changed.',
  'status.conditions[].observedGeneration': 'The metadata.generation the condition was set from.',
  'status.trials': 'Trial counts.',
  'status.trials.succeeded': 'Trials that produced a result.',
  'status.trials.failed': 'Trials that failed for good (user failures, or infrastructure failures past their retries).',
  'status.trials.running': 'Trials in flight now.',
  'status.trials.completed': 'succeeded + failed.',
  'status.trials.infraRetries': 'Trial attempts retried after infrastructure failures (not counted as failures).',
  'status.trials.maxTrials': 'The trial budget the workflow runs under.',
  'status.best': 'The best trial so far.',
  'status.best.trialId': 'Trial id (<searchId>/<round>/<index>).',
  'status.best.accuracy': 'Validation accuracy in percent, as a decimal string.',
  'status.best.testAccuracy': 'Test accuracy in percent, as a decimal string, when known (reported only, never searched on).',
  'status.best.summary': 'Compact genotype of the best architecture.',
  'status.workflowId': 'Temporal workflow id of the search: nas/<namespace>/<name>/<uid>.',
  'status.workflowUrl': 'Link to the workflow in the Temporal UI.',
  'status.startTime': 'When the operator started the workflow.',
  'status.completionTime': 'When the search finished.',
  'status.message': 'Why the search failed or stopped, when it did.',
};

export function docFor(path: string): string | undefined {
  return DOCS[path];
}

export function knownDocPaths(): string[] {
  return Object.keys(DOCS);
}
