/**
 * Which trial Events a status mirror should record: the workflow's progress carries counts and
 * its ten most recent final outcomes (newest first), so what is new since the last mirror is the
 * growth of the counts. Pure: the reconciler sends what this returns through the EventRecorder,
 * which dedupes and bounds it (a 20,000-trial search cannot write 20,000 Events).
 */
import type { SearchProgress } from '../common/search-types.js';
import type { ResourceStatus } from '../api/resource-spec.js';

export interface PendingEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  action: string;
  note: string;
}

/** The recent outcomes a progress report can name (workflows/search-book.ts RECENT_SIZE). */
const RECENT_SIZE = 10;

export function trialEvents(previous: ResourceStatus['trials'] | undefined, p: SearchProgress): PendingEvent[] {
  const out: PendingEvent[] = [];
  const newFailures = Math.min(RECENT_SIZE, p.counts.failed - (previous?.failed ?? 0));
  if (newFailures > 0) {
    // One Event per failed trial with the trainer's reason; failures past the recent window are summarised.
    const failed = p.recent.filter((o) => o.status === 'failed').slice(0, newFailures);
    for (const o of failed) {
      out.push({
        type: 'Warning',
        reason: 'TrialFailed',
        action: 'RunTrial',
        note: `trial ${o.trialId} attempt ${o.attempt} failed (${o.failure ?? 'user'}): ${o.reason ?? 'no reason reported'}`,
      });
    }
    const unnamed = p.counts.failed - (previous?.failed ?? 0) - failed.length;
    if (unnamed > 0)
      out.push({
        type: 'Warning',
        reason: 'TrialFailed',
        action: 'RunTrial',
        note: `${unnamed} more trials failed since the last status update; see the workflow history for each reason`,
      });
  }
  if (p.counts.infraRetries > (previous?.infraRetries ?? 0)) {
    // A fixed note: repeats become one Event whose series count grows (status.trials.infraRetries has the total).
    out.push({
      type: 'Normal',
      reason: 'TrialRetried',
      action: 'RetryTrial',
      note: 'trial attempts failed for infrastructure reasons (eviction, preemption, node loss) and were retried from their last checkpoint; status.trials.infraRetries has the total',
    });
  }
  return out;
}
