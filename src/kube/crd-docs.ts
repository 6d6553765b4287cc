/**
 * Descriptions of the resource's status fields, shown by `kubectl explain`. The spec's fields
 * describe themselves where they are defined (zod `.describe()` in src/api and the algorithm
 * definitions), so the CLI's schema and the CRD share one text; the status is written by the
 * operator only and is documented here. src/kube/crd.ts fails generation on a field without a
 * description and on an entry without a field, so the table cannot fall behind the schema.
 */

const DOCS: Record<string, string> = {
  status: 'Summary of the search, mirrored from its workflow by the operator. Per-trial history lives in Temporal and the object store.',
  'status.phase': 'Pending, Initializing, Running, Paused, Suspended, Stopping, Succeeded, Failed or Cancelled.',
  'status.observedGeneration': 'The metadata.generation this status reflects.',
  'status.algorithm': 'Registry name of the algorithm the search runs.',
  'status.conditions': 'Kubernetes-style conditions keyed by type: WorkflowStarted, Running, Finished, InvalidSpec.',
  'status.conditions[].type': 'Condition type.',
  'status.conditions[].status': 'True, False or Unknown.',
  'status.conditions[].reason': "PascalCase reason for the condition's last transition.",
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
  'status.final': 'The final stage (spec.final): the top-K architectures trained again at the final size.',
  'status.final.stage': 'preparing, training or done.',
  'status.final.succeeded': 'Final trainings that produced a result.',
  'status.final.failed': 'Final trainings that failed (the search still succeeds).',
  'status.final.total': 'Architectures the final stage trains.',
  'status.final.best': 'The best final training so far.',
  'status.final.best.trialId': 'Final trial id (<searchId>/final/<k>).',
  'status.final.best.sourceTrialId': 'The search trial whose architecture it trained again.',
  'status.final.best.accuracy': 'Validation accuracy at the final size in percent, as a decimal string.',
  'status.final.best.searchAccuracy': "The source trial's validation accuracy in the search, in percent.",
  'status.final.best.testAccuracy': 'Test accuracy at the final size in percent, when the trainer measured it.',
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
