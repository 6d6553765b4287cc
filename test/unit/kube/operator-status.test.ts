/** The status the operator writes, as a pure function of what it observed (no cluster, no Temporal). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildStatus, sameStatus, setCondition } from '../../../src/operator/status.js';
import type { SearchProgress } from '../../../src/common/search-types.js';
import { at } from '../../../src/common/indexing.js';

const T0 = new Date('2026-01-01T00:00:00Z');
const T1 = new Date('2026-01-01T00:01:00Z');

function progress(over: Partial<SearchProgress> = {}): SearchProgress {
  return {
    searchId: 'ns/s/uid',
    algorithm: 'evolution',
    phase: 'Running',
    maxTrials: 10,
    parallelism: 2,
    counts: { succeeded: 3, failed: 1, infraRetries: 2, running: 2, cancelled: 0 },
    best: { trialId: 'ns/s/uid/1/0', accuracy: 91.234567, testAccuracy: 90.5, summary: 'cell:sep_3x3' },
    running: ['ns/s/uid/2/0', 'ns/s/uid/2/1'],
    recent: [{ trialId: 'ns/s/uid/1/0', status: 'succeeded', attempt: 1 }],
    elapsedMs: 1000,
    runs: 1,
    ...over,
  };
}

const base = { generation: 4, workflowId: 'nas/ns/s/uid', workflowUrl: 'http://ui/namespaces/default/workflows/nas%2Fns%2Fs%2Fuid', now: T0 };

void describe('buildStatus', () => {
  void it('summarises a running search: counts, best trial as decimal strings, link, conditions with observedGeneration', () => {
    const s = buildStatus({ ...base, previous: undefined, view: { kind: 'running', progress: progress(), suspended: false } });
    assert.equal(s.phase, 'Running');
    assert.deepEqual(s.trials, { succeeded: 3, failed: 1, running: 2, completed: 4, infraRetries: 2, maxTrials: 10 });
    assert.deepEqual(s.best, { trialId: 'ns/s/uid/1/0', accuracy: '91.23', testAccuracy: '90.50', summary: 'cell:sep_3x3' });
    assert.equal(s.workflowUrl, base.workflowUrl);
    assert.equal(s.observedGeneration, 4);
    for (const c of s.conditions!) assert.equal(c.observedGeneration, 4);
    assert.deepEqual(
      s.conditions!.map((c) => `${c.type}=${c.status}/${c.reason}`),
      ['Finished=False/InProgress', 'Running=True/TrialsLaunching', 'WorkflowStarted=True/WorkflowRunning'],
    );
    assert.ok(!JSON.stringify(s).includes('ns/s/uid/2/0'), 'running trial ids are not listed');
  });

  void it('names the PONAS one-shot stage in the Running condition while the supernet trains', () => {
    const oneShot = { stage: 'table' as const, rowsDone: 2, rows: 19, winners: ['e6k5', 'e3k3'] };
    const s = buildStatus({ ...base, previous: undefined, view: { kind: 'running', progress: progress({ oneShot }), suspended: false } });
    assert.match(s.conditions!.find((c) => c.type === 'Running')!.message, /^supernet table row 3\/19; 2 trials running/);
    const later = buildStatus({
      ...base,
      previous: undefined,
      view: { kind: 'running', progress: progress({ oneShot: { ...oneShot, stage: 'children', rowsDone: 19 } }), suspended: false },
    });
    assert.match(later.conditions!.find((c) => c.type === 'Running')!.message, /^2 trials running/);
  });

  void it('summarises the final stage: counts and the best final training beside its search accuracy, never a list', () => {
    const final = {
      stage: 'training' as const,
      size: 'N=2 F=8 3 epochs',
      trials: [
        { trialId: 'ns/s/uid/final/0', sourceTrialId: 'ns/s/uid/1/0', searchAccuracy: 91.23, summary: 'a', status: 'succeeded' as const, accuracy: 93.456 },
        { trialId: 'ns/s/uid/final/1', sourceTrialId: 'ns/s/uid/0/1', searchAccuracy: 90.1, summary: 'b', status: 'running' as const },
        { trialId: 'ns/s/uid/final/2', sourceTrialId: 'ns/s/uid/0/0', searchAccuracy: 89.9, summary: 'c', status: 'failed' as const, reason: 'exit 3: NaN' },
      ],
    };
    const s = buildStatus({ ...base, previous: undefined, view: { kind: 'running', progress: progress({ final }), suspended: false } });
    assert.deepEqual(s.final, {
      stage: 'training',
      succeeded: 1,
      failed: 1,
      total: 3,
      best: { trialId: 'ns/s/uid/final/0', sourceTrialId: 'ns/s/uid/1/0', accuracy: '93.46', searchAccuracy: '91.23' },
    });
    assert.match(s.conditions!.find((c) => c.type === 'Running')!.message, /^final training 2\/3; 2 trials running/);
    assert.ok(!JSON.stringify(s).includes('final/1'), 'final trials are not listed');
  });

  void it('reports a paused workflow of a suspended resource as Suspended, and Running=False', () => {
    const s = buildStatus({ ...base, previous: undefined, view: { kind: 'running', progress: progress({ phase: 'Paused' }), suspended: true } });
    assert.equal(s.phase, 'Suspended');
    assert.equal(s.conditions!.find((c) => c.type === 'Running')!.status, 'False');
  });

  void it('says Stopping, not the final phase, while the workflow has not closed yet', () => {
    const s = buildStatus({ ...base, previous: undefined, view: { kind: 'running', progress: progress({ phase: 'Failed' }), suspended: false } });
    assert.equal(s.phase, 'Stopping');
    assert.equal(s.completionTime, undefined);
  });

  void it('finishes with completionTime, Finished=True and the reason', () => {
    const s = buildStatus({
      ...base,
      previous: undefined,
      view: { kind: 'closed', outcome: 'Failed', progress: progress({ phase: 'Failed' }), message: '4 trials failed', closedAt: T1 },
    });
    assert.equal(s.phase, 'Failed');
    assert.equal(s.completionTime, T1.toISOString());
    assert.equal(s.message, '4 trials failed');
    const f = s.conditions!.find((c) => c.type === 'Finished')!;
    assert.equal(f.status, 'True');
    assert.equal(f.reason, 'Failed');
  });

  void it('reports an invalid spec as Failed with the field in the message', () => {
    const s = buildStatus({
      ...base,
      previous: undefined,
      view: { kind: 'invalid', message: 'spec.budget.maxFailedTrials: must not exceed budget.maxTrials (2)' },
    });
    assert.equal(s.phase, 'Failed');
    assert.match(at(s.conditions!, 0).message, /spec\.budget\.maxFailedTrials/);
    assert.equal(at(s.conditions!, 0).type, 'InvalidSpec');
  });

  void it('truncates long messages', () => {
    const s = buildStatus({ ...base, previous: undefined, view: { kind: 'closed', outcome: 'Failed', message: 'x'.repeat(5000) } });
    assert.equal(s.message!.length, 1024);
    assert.ok(s.conditions!.every((c) => c.message.length <= 1024));
  });

  void it('is unchanged when the same progress is mirrored again later (no status write)', () => {
    const view = { kind: 'running' as const, progress: progress(), suspended: false };
    const first = buildStatus({ ...base, previous: undefined, view });
    const again = buildStatus({ ...base, now: T1, previous: first, view });
    assert.ok(sameStatus(first, again));
    const moved = buildStatus({
      ...base,
      now: T1,
      previous: first,
      view: { ...view, progress: progress({ counts: { succeeded: 4, failed: 1, infraRetries: 2, running: 2, cancelled: 0 } }) },
    });
    assert.ok(!sameStatus(first, moved));
  });
});

void describe('setCondition', () => {
  const c = { type: 'Running', status: 'True' as const, reason: 'TrialsLaunching', message: 'm', observedGeneration: 1 };
  void it('keeps lastTransitionTime while the status holds, moves it on a change', () => {
    const a = setCondition(undefined, c, T0);
    const b = setCondition(a, { ...c, message: 'other' }, T1);
    assert.equal(at(b, 0).lastTransitionTime, T0.toISOString());
    const d = setCondition(b, { ...c, status: 'False', reason: 'Paused' }, T1);
    assert.equal(at(d, 0).lastTransitionTime, T1.toISOString());
    assert.equal(d.length, 1, 'keyed by type');
  });
});
