/**
 * Lease election rules on an in-memory Lease store that behaves like the apiserver's optimistic
 * concurrency (resourceVersion checked on replace, 409 on conflict). The real apiserver case is
 * in test/e2e/operator.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Lease } from '@kubernetes/client-node';
import { LeaderElector, type LeaseApi } from '../../../src/operator/leader.js';

class MemoryLeases implements LeaseApi {
  lease: V1Lease | undefined;
  private version = 0;
  async readLease(): Promise<V1Lease | undefined> {
    return this.lease ? structuredClone(this.lease) : undefined;
  }
  async createLease(_ns: string, body: V1Lease): Promise<V1Lease> {
    if (this.lease) throw Object.assign(new Error('exists'), { code: 409 });
    this.lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(++this.version) } };
    return this.lease;
  }
  async replaceLease(_ns: string, body: V1Lease): Promise<V1Lease> {
    if (body.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion) throw Object.assign(new Error('conflict'), { code: 409 });
    this.lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(++this.version) } };
    return this.lease;
  }
}

void describe('LeaderElector', () => {
  let now = new Date('2026-01-01T00:00:00Z');
  const elector = (api: LeaseApi, identity: string) =>
    new LeaderElector({ api, namespace: 'ns', identity, leaseSeconds: 10, now: () => now, log: () => undefined });

  void it('lets one candidate take a free Lease and keeps the other out while it is renewed', async () => {
    const api = new MemoryLeases();
    const a = elector(api, 'a');
    const b = elector(api, 'b');
    assert.equal(await a.tryAcquireOrRenew(), true);
    assert.equal(await b.tryAcquireOrRenew(), false);
    now = new Date(now.getTime() + 8_000);
    assert.equal(await a.tryAcquireOrRenew(), true, 'renewal');
    now = new Date(now.getTime() + 8_000);
    assert.equal(await b.tryAcquireOrRenew(), false, 'renewed 8 s ago: still valid');
    assert.equal(String(api.lease!.spec!.renewTime).endsWith('000Z'), true, 'MicroTime format');
  });

  void it('hands an expired Lease to the next candidate and counts the transition', async () => {
    const api = new MemoryLeases();
    assert.equal(await elector(api, 'a').tryAcquireOrRenew(), true);
    now = new Date(now.getTime() + 11_000);
    assert.equal(await elector(api, 'b').tryAcquireOrRenew(), true);
    assert.equal(api.lease!.spec!.holderIdentity, 'b');
    assert.equal(api.lease!.spec!.leaseTransitions, 1);
  });

  void it('lets only one of two candidates racing for an expired Lease win', async () => {
    const api = new MemoryLeases();
    assert.equal(await elector(api, 'a').tryAcquireOrRenew(), true);
    now = new Date(now.getTime() + 11_000);
    const results = await Promise.all([elector(api, 'b').tryAcquireOrRenew(), elector(api, 'c').tryAcquireOrRenew()]);
    assert.deepEqual(results.sort(), [false, true]);
  });
});
