/** Slot placement of packed trials (pure; spec trial.perGpu > 1). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { attemptKey, EMPTY_TABLE, packOf, parsePackTable, placeAttempt, releaseAttempt, type PackFacts, type PackTable } from '../../../src/kube/pack-slots.js';
import { buildPackJob, packName, packTableName } from '../../../src/kube/pack-job.js';
import { at } from '../../../src/common/indexing.js';

const open: PackFacts = { closed: false, exited: new Set() };
const nameOf = (seq: number) => `pack-${seq}`;
const facts =
  (m: Record<string, Partial<PackFacts>> = {}) =>
  (p: string): PackFacts => ({ ...open, ...m[p] });

/** Places keys one after another into the table. */
function placeAll(keys: string[], perGpu: number, f = facts(), table: PackTable = EMPTY_TABLE): PackTable {
  for (const k of keys) table = placeAttempt(table, k, perGpu, f, nameOf).table;
  return table;
}

void describe('placeAttempt', () => {
  void it('fills a pack to perGpu before opening the next: 5 attempts at perGpu 2 make 3 packs', () => {
    const t = placeAll(['a', 'b', 'c', 'd', 'e'], 2);
    assert.deepEqual(t, { next: 3, packs: { 'pack-0': ['a', 'b'], 'pack-1': ['c', 'd'], 'pack-2': ['e'] } });
  });

  void it('is idempotent: an attempt already placed stays where it is and nothing changes', () => {
    const t = placeAll(['a', 'b'], 2);
    const again = placeAttempt(t, 'a', 2, facts(), nameOf);
    assert.deepEqual(again, { pack: 'pack-0', table: t, changed: false, created: false });
  });

  void it('reuses a slot whose attempt has exited, and drops that claim', () => {
    const t = placeAll(['a', 'b'], 2);
    const p = placeAttempt(t, 'c', 2, facts({ 'pack-0': { exited: new Set(['a']) } }), nameOf);
    assert.equal(p.pack, 'pack-0');
    assert.equal(p.created, false);
    assert.deepEqual(p.table.packs['pack-0'], ['b', 'c']);
  });

  void it('never places into a closed pack; a closed pack with nothing live leaves the table', () => {
    const t = placeAll(['a'], 4);
    const p = placeAttempt(t, 'b', 4, facts({ 'pack-0': { closed: true, exited: new Set(['a']) } }), nameOf);
    assert.deepEqual(p.table, { next: 2, packs: { 'pack-1': ['b'] } });
    assert.equal(p.created, true);
  });

  void it('keeps a closed pack that still holds a live claim (its trial is reported from it)', () => {
    const t = placeAll(['a'], 4);
    const p = placeAttempt(t, 'b', 4, facts({ 'pack-0': { closed: true } }), nameOf);
    assert.deepEqual(p.table.packs, { 'pack-0': ['a'], 'pack-1': ['b'] });
  });

  void it('prefers the fullest open pack, so partly used GPUs fill before another is held', () => {
    const t: PackTable = { next: 2, packs: { 'pack-0': ['a'], 'pack-1': ['b', 'c'] } };
    assert.equal(placeAttempt(t, 'd', 4, facts(), nameOf).pack, 'pack-1');
  });

  void it('never names a pack twice: sequence numbers only grow', () => {
    let t = placeAll(['a'], 1);
    t = placeAttempt(t, 'b', 1, facts({ 'pack-0': { closed: true, exited: new Set(['a']) } }), nameOf).table;
    assert.deepEqual(Object.keys(t.packs), ['pack-1']);
    assert.equal(t.next, 2);
  });

  void it('holds at most perGpu live claims per pack for every perGpu and order', () => {
    for (const perGpu of [1, 2, 3, 4, 16]) {
      const t = placeAll(
        Array.from({ length: 37 }, (_, i) => `k${i}`),
        perGpu,
      );
      for (const keys of Object.values(t.packs)) assert.ok(keys.length <= perGpu, `perGpu ${perGpu}: ${keys.length}`);
      assert.equal(Object.keys(t.packs).length, Math.ceil(37 / perGpu));
    }
  });
});

void describe('releaseAttempt, packOf and the stored form', () => {
  void it('releases one claim and leaves the others', () => {
    const t = releaseAttempt(placeAll(['a', 'b'], 2), 'a');
    assert.equal(packOf(t, 'a'), undefined);
    assert.equal(packOf(t, 'b'), 'pack-0');
  });

  void it('round-trips through JSON; a missing table is empty; a damaged one throws instead of forgetting claims', () => {
    const t = placeAll(['a', 'b', 'c'], 2);
    assert.deepEqual(parsePackTable(JSON.stringify(t)), t);
    assert.deepEqual(parsePackTable(undefined), EMPTY_TABLE);
    assert.throws(() => parsePackTable('{"packs":'), SyntaxError);
  });

  void it('derives attempt keys that differ by trial and attempt and are safe as object keys', () => {
    const k = attemptKey('ns/s/uid/0/1', 2);
    assert.match(k, /^[0-9a-f]{16}-a2$/);
    assert.notEqual(k, attemptKey('ns/s/uid/0/1', 1));
    assert.notEqual(k, attemptKey('ns/s/uid/0/2', 2));
  });
});

void describe('buildPackJob', () => {
  const searchId = 'team-a/cifar/0d2f6c1e-1111-2222-3333-444455556666';
  const pack = packName('cifar', searchId, 3);
  const job = buildPackJob({
    namespace: 'team-a',
    searchName: 'cifar',
    searchId,
    owner: { name: 'cifar', uid: '0d2f6c1e-1111-2222-3333-444455556666' },
    template: { resources: { limits: { 'nvidia.com/gpu': 1 } } },
    defaults: { image: 'nasflow/trainer:test', command: ['node', 'cli.js'] },
    pack,
    packUri: `s3://bucket/searches/${searchId}/packs/${pack}`,
    slots: 4,
    idleSeconds: 30,
  });
  const c = at(job.spec!.template.spec!.containers, 0);

  void it('is named by the pack, DNS-safe, distinct from the table ConfigMap', () => {
    assert.equal(job.metadata!.name, pack);
    assert.match(pack, /^cifar-[0-9a-f]{8}-rpack-3$/);
    assert.notEqual(packTableName('cifar', searchId), pack);
  });

  void it('runs the agent with perGpu slots on one requested GPU', () => {
    assert.deepEqual(c.command, [
      'node',
      'cli.js',
      'trial',
      'pack',
      '--dir',
      `s3://bucket/searches/${searchId}/packs/${pack}`,
      '--slots',
      '4',
      '--idle-seconds',
      '30',
    ]);
    assert.equal(c.resources!.limits!['nvidia.com/gpu'], '1');
    assert.equal(job.metadata!.annotations!['nasflow.io/pack-slots'], '4');
  });

  void it('fails as a whole on a lost pod (no pod failure policy, no replacement), and carries no single trial', () => {
    assert.equal(job.spec!.backoffLimit, 0);
    assert.equal(job.spec!.podFailurePolicy, undefined);
    assert.equal(job.metadata!.labels!['nasflow.io/pack'], 'true');
    assert.equal(job.metadata!.labels!['nasflow.io/trial'], undefined);
    assert.equal(job.metadata!.labels!['nasflow.io/search'], 'cifar');
    assert.ok(!(c.env ?? []).some((e) => e.name === 'NASFLOW_TRIAL_SPEC' || e.name === 'NASFLOW_TRIAL_ATTEMPT'));
  });
});
