/** EventRecorder: dedupes repeats into a series and bounds distinct Events per object. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventsV1Event } from '@kubernetes/client-node';
import { EventRecorder, type EventsApi } from '../../../src/kube/event-recorder.js';
import { at } from '../../../src/common/indexing.js';

class RecordingApi implements EventsApi {
  created: EventsV1Event[] = [];
  patches: { name: string; count: number }[] = [];
  fail = false;
  createEvent(_ns: string, e: EventsV1Event): Promise<string> {
    if (this.fail) return Promise.reject(new Error('apiserver down'));
    this.created.push(e);
    return Promise.resolve(`ev-${this.created.length}`);
  }
  patchEventSeries(_ns: string, name: string, s: { count: number }): Promise<void> {
    this.patches.push({ name, count: s.count });
    return Promise.resolve();
  }
}

const target = { apiVersion: 'nasflow.io/v1alpha1', kind: 'NeuralArchitectureSearch', namespace: 'team-a', name: 's1', uid: 'u1' };

void describe('EventRecorder', () => {
  const make = (api: EventsApi, clock: { t: number }, extra = {}) =>
    new EventRecorder({
      api,
      controller: 'nasflow.io/operator',
      instance: 'op-0',
      now: () => new Date(clock.t),
      windowMs: 600_000,
      seriesPatchMs: 60_000,
      maxPerObject: 5,
      ...extra,
    });

  void it('writes an events.k8s.io/v1 Event regarding the resource', async () => {
    const api = new RecordingApi();
    await make(api, { t: 0 }).record(target, 'Warning', 'PolicyRejected', 'Validate', 'image x is not allowed');
    const e = at(api.created, 0);
    assert.equal(e.reason, 'PolicyRejected');
    assert.equal(e.type, 'Warning');
    assert.equal(e.reportingController, 'nasflow.io/operator');
    assert.deepEqual(e.regarding, target);
    assert.match(e.metadata?.name ?? '', /^s1\.[0-9a-f]+$/);
  });

  void it('turns repeats of the same note into one Event with a series patched at most once a minute', async () => {
    const api = new RecordingApi();
    const clock = { t: 0 };
    const r = make(api, clock);
    for (let i = 0; i < 100; i++) {
      clock.t = i * 1000; // one a second for 100 s
      await r.record(target, 'Normal', 'TrialRetried', 'RetryTrial', 'retried');
    }
    assert.equal(api.created.length, 1);
    assert.deepEqual(api.patches, [{ name: 'ev-1', count: 61 }]);
  });

  void it('writes at most maxPerObject distinct Events per window, then one EventsThrottled, then none', async () => {
    const api = new RecordingApi();
    const clock = { t: 0 };
    const r = make(api, clock);
    for (let i = 0; i < 20_000; i++) await r.record(target, 'Warning', 'TrialFailed', 'RunTrial', `trial ${i} failed`);
    assert.equal(api.created.length, 6);
    assert.equal(at(api.created, 5).reason, 'EventsThrottled');
    assert.equal(r.stats.dropped, 20_000 - 5);
    clock.t = 600_000; // a new window: a new budget
    await r.record(target, 'Warning', 'TrialFailed', 'RunTrial', 'trial 20000 failed');
    assert.equal(api.created.length, 7);
  });

  void it('keeps a separate budget per resource and never throws when the apiserver fails', async () => {
    const api = new RecordingApi();
    const r = make(api, { t: 0 });
    for (let i = 0; i < 5; i++) await r.record(target, 'Warning', 'TrialFailed', 'RunTrial', `a${i}`);
    await r.record({ ...target, name: 's2', uid: 'u2' }, 'Warning', 'TrialFailed', 'RunTrial', 'b');
    assert.equal(api.created.at(-1)?.regarding?.name, 's2');
    api.fail = true;
    await r.record({ ...target, uid: 'u3' }, 'Normal', 'SearchRunning', 'UpdateStatus', 'x');
  });
});
