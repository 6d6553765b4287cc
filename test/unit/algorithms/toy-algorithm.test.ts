/**
 * Adding a search method takes one folder and one catalog line: the toy (./toy/, registered in
 * ./toy-registry.ts) gets a spec member with its defaults, a CRD schema with descriptions and the
 * exactly-one rule, a docs-table row, and runs through create/propose/observe/restore, without a
 * change anywhere else.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { algorithmRegistry } from '../../../src/algorithms/registry.js';
import { algorithmsTable } from '../../../src/algorithms/docs-table.js';
import { algorithmOneOf, refineWith, searchSpecObjectWith } from '../../../src/api/search-spec.js';
import { resourceSpecObjectWith } from '../../../src/api/resource-spec.js';
import { specRules } from '../../../src/api/spec-rules.js';
import { resourceOpenApiSchema } from '../../../src/kube/crd.js';
import { nb201Space } from '../../../src/space/nb201.js';
import { drive, newDriver } from '../../conformance/cases.js';
import { WITH_TOY } from './toy-registry.js';
import { TOY } from './toy/definition.js';
import { at } from '../../../src/common/indexing.js';

type Node = { properties?: Record<string, Node>; description?: string; 'x-kubernetes-validations'?: { rule: string; fieldPath?: string }[] };

const keys = WITH_TOY.map((d) => d.specKey);
const rules = specRules(keys);
const spec = searchSpecObjectWith(algorithmOneOf(WITH_TOY)).superRefine((s, ctx) => refineWith(rules, s, ctx));
const base = { name: 'toy', space: 'nb201', evaluator: { type: 'benchmark', benchmark: 'nb201-cifar10' }, budget: { maxTrials: 5 }, storage: '/tmp/toy' };

void describe('a toy algorithm added by one folder and one registry line', () => {
  void it('is a member of the spec one-of, with its defaults, and the exactly-one rule covers it', () => {
    const parsed = spec.parse({ ...base, algorithm: { bestOfK: {} } });
    assert.deepEqual(parsed.algorithm.bestOfK, { k: 3 });
    assert.equal(spec.safeParse({ ...base, algorithm: { bestOfK: { k: 0 } } }).success, false);
    const two = spec.safeParse({ ...base, algorithm: { bestOfK: {}, random: {} } });
    assert.equal(two.success, false);
    assert.match(at(two.error!.issues, 0).message, /set exactly one of random, evolution, nasnetRL, mnasnetRL, pnas, ponas, bestOfK/);
  });

  void it('gets a CRD schema with descriptions and is part of the CEL one-of', () => {
    const crd = resourceOpenApiSchema({ specObject: resourceSpecObjectWith(algorithmOneOf(WITH_TOY)), rules }) as Node;
    const specNode = crd.properties?.spec;
    assert.ok(specNode, 'the CRD has spec');
    const toy = specNode.properties?.algorithm?.properties?.bestOfK;
    assert.ok(toy, 'the CRD has spec.algorithm.bestOfK');
    assert.match(toy.description ?? '', /Best of k/);
    assert.match(toy.properties?.k?.description ?? '', /Samples drawn per proposal/);
    assert.match(specNode['x-kubernetes-validations']!.find((r) => r.fieldPath === '.algorithm')!.rule, /has\(self\.algorithm\.bestOfK\)/);
  });

  void it('gets a row in the docs table', () => {
    assert.match(algorithmsTable(WITH_TOY), /\| `bestOfK` \| `best-of-k` \| k unseen samples.*`k`: Samples drawn per proposal/);
  });

  void it('runs: proposes, observes, and restores from its JSON state to the same next proposals', async () => {
    const registry = await algorithmRegistry(WITH_TOY);
    const settings = spec.parse({ ...base, algorithm: { bestOfK: { k: 4 } } }).algorithm.bestOfK!;
    const def = registry.byName(TOY);
    const algo = def.create(nb201Space, 5, def.argsFrom(settings, { space: 'nb201' }));
    const d = newDriver();
    drive(algo, d, 0, 30);
    assert.ok(d.proposed.length >= 30, `proposals: ${d.proposed.length}`);
    assert.equal(new Set(d.proposed).size, d.proposed.length, 'no architecture proposed twice');
    const restored = registry.restore(nb201Space, JSON.parse(JSON.stringify(algo.state())));
    assert.equal(restored.name, TOY);
    const [a, b] = [newDriver(), newDriver()];
    drive(algo, a, 30, 5);
    drive(restored, b, 30, 5);
    assert.deepEqual(b.proposed, a.proposed);
  });

  void it('a registry refuses a method registered twice', async () => {
    await assert.rejects(algorithmRegistry([...WITH_TOY, WITH_TOY[6]]), /"best-of-k" is registered twice/);
  });
});
