/** When the trial Job cache answers a poll and when it sends the caller to the apiserver. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Job } from '@kubernetes/client-node';
import { TrialJobCache } from '../../../src/kube/job-cache.js';
import type { KubeAdapter } from '../../../src/kube/adapter.js';

type Handler = (arg: unknown) => void;

/** An informer stand-in: a map of Jobs, a start that succeeds or reports an error as the real one does. */
class FakeInformer {
  readonly jobs = new Map<string, V1Job>();
  readonly handlers = new Map<string, Handler[]>();
  failStart = false;
  on(verb: string, cb: Handler): void {
    this.handlers.set(verb, [...(this.handlers.get(verb) ?? []), cb]);
  }
  emit(verb: string, arg: unknown): void {
    for (const cb of this.handlers.get(verb) ?? []) cb(arg);
  }
  start(): Promise<void> {
    // The real list+watch reports a failed list through its error handlers and still resolves.
    if (this.failStart) this.emit('error', new Error('forbidden'));
    return Promise.resolve();
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
  get(name: string, namespace?: string): V1Job | undefined {
    return this.jobs.get(`${namespace}/${name}`);
  }
}

function setup(failStart = false) {
  const informer = new FakeInformer();
  informer.failStart = failStart;
  informer.jobs.set('ns/job-a', { metadata: { name: 'job-a', namespace: 'ns' } });
  let now = 1_000_000;
  const cache = new TrialJobCache({ trialJobInformer: () => informer } as unknown as Pick<KubeAdapter, 'trialJobInformer'>, {
    verifyEveryMs: 60_000,
    now: () => now,
    log: () => undefined,
  });
  return { informer, cache, advance: (ms: number) => (now += ms) };
}

const tick = () => new Promise((r) => setImmediate(r));

void describe('TrialJobCache', () => {
  void it('sends every poll to the apiserver until the first list is in', () => {
    const { cache } = setup();
    // start() not called: no watch yet
    assert.equal(cache.lookup('ns', 'job-a'), undefined);
  });

  void it('answers from the watch between reads, and has the caller read a Job again every verifyEveryMs', async () => {
    const { cache, advance } = setup();
    cache.start();
    await tick();
    assert.equal(cache.lookup('ns', 'job-a'), undefined, 'first poll of a Job: the caller reads it');
    advance(1000);
    assert.equal(cache.lookup('ns', 'job-a')?.metadata?.name, 'job-a', 'then the cache answers');
    advance(60_000);
    assert.equal(cache.lookup('ns', 'job-a'), undefined, 'a minute later the caller reads it again');
    advance(1000);
    assert.equal(cache.lookup('ns', 'job-a')?.metadata?.name, 'job-a');
  });

  void it('sends a Job the watch has not seen (just created, or deleted) to the apiserver', async () => {
    const { cache, advance } = setup();
    cache.start();
    await tick();
    assert.equal(cache.lookup('ns', 'job-new'), undefined);
    advance(1000);
    assert.equal(cache.lookup('ns', 'job-new'), undefined);
  });

  void it('stops answering when the watch fails, until it has listed again', async () => {
    const { cache, informer, advance } = setup();
    cache.start();
    await tick();
    cache.lookup('ns', 'job-a');
    advance(1000);
    assert.ok(cache.lookup('ns', 'job-a'));
    informer.emit('error', new Error('watch closed'));
    assert.equal(cache.lookup('ns', 'job-a'), undefined);
    await cache.stop();
  });

  void it('never answers when the list is refused (no RBAC to list Jobs): polls read Jobs as before', async () => {
    const { cache } = setup(true);
    cache.start();
    await tick();
    assert.equal(cache.lookup('ns', 'job-a'), undefined);
    assert.equal(cache.lookup('ns', 'job-a'), undefined);
    await cache.stop();
  });
});
