/** The CRD is generated from the zod schema: committed copies must match, and the schema must stay structural and documented. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CRD_PATHS, crdYaml } from '../../../src/kube/crd-yaml.js';
import { resourceOpenApiSchema } from '../../../src/kube/crd.js';
import { parseResourceSpec, searchSpecOf } from '../../../src/api/resource-spec.js';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');

type Node = Record<string, unknown> & { properties?: Record<string, Node>; items?: Node };

function walk(node: Node, path: string, visit: (n: Node, p: string) => void): void {
  visit(node, path);
  for (const [k, child] of Object.entries(node.properties ?? {})) walk(child, `${path}.${k}`, visit);
  if (node.items) walk(node.items, `${path}[]`, visit);
  if (node.additionalProperties && typeof node.additionalProperties === 'object') walk(node.additionalProperties as Node, `${path}.*`, visit);
}

void describe('generated CRD', () => {
  for (const p of CRD_PATHS) {
    void it(`${p} matches the generator (run "npm run gen:crd" after changing the schema)`, () => {
      assert.equal(readFileSync(join(ROOT, p), 'utf8'), crdYaml());
    });
  }

  void it('is structural: no oneOf/anyOf, no additionalProperties beside properties, a type on every node', () => {
    walk(resourceOpenApiSchema(), '', (n, p) => {
      assert.equal(n.oneOf, undefined, `${p}: oneOf`);
      assert.equal(n.anyOf, undefined, `${p}: anyOf`);
      if (n.properties) assert.equal(n.additionalProperties, undefined, `${p}: additionalProperties beside properties`);
      if (!n['x-kubernetes-int-or-string']) assert.ok(typeof n.type === 'string', `${p}: no type`);
    });
  });

  void it('describes every spec and status field', () => {
    walk(resourceOpenApiSchema(), '', (n, p) => {
      if (/^\.(spec|status)/.test(p) && !p.endsWith('[]') && !p.endsWith('.*')) assert.ok(typeof n.description === 'string' && n.description.length > 10, `${p} has no description`);
    });
  });

  void it('carries the exactly-one-algorithm rule and immutability rules in CEL', () => {
    const spec = resourceOpenApiSchema().properties!.spec as Node;
    const algo = spec.properties!.algorithm as Node & { 'x-kubernetes-validations': { rule: string }[] };
    assert.match(algo['x-kubernetes-validations'][0].rule, /exists_one/);
    const budget = spec.properties!.budget as Node;
    assert.equal(budget.properties!.parallelism['x-kubernetes-validations'], undefined, 'parallelism is mutable');
    assert.equal((budget.properties!.trialRetries['x-kubernetes-validations'] as { rule: string }[])[0].rule, 'self == oldSelf');
  });
});

void describe('resource spec (zod)', () => {
  const examples = ['nasnet-cifar10', 'pnas-cifar10', 'mnasnet-latency', 'ponas', 'nb201-evolution'];
  for (const name of examples) {
    void it(`parses k8s/examples/${name}.yaml and derives the workflow's search spec`, () => {
      const doc = parse(readFileSync(join(ROOT, 'k8s', 'examples', `${name}.yaml`), 'utf8')) as { metadata: { name: string }; spec: unknown };
      const spec = parseResourceSpec(doc.spec);
      const search = searchSpecOf(doc.metadata.name, spec);
      assert.equal(search.name, name);
      assert.equal(search.budget.maxTrials, spec.budget.maxTrials);
      assert.equal((search as Record<string, unknown>).template, undefined, 'Kubernetes-only fields stay out of the search spec');
    });
  }

  void it('rejects maxFailedTrials above maxTrials, naming the field, but keeps the default valid for small searches', () => {
    const spec = (budget: object) => ({ algorithm: { random: {} }, space: 'nb201', evaluator: { type: 'benchmark', benchmark: 'nb201-cifar10' }, budget, storage: 's3://bucket/p' });
    assert.throws(() => parseResourceSpec(spec({ maxTrials: 5, maxFailedTrials: 6 })), /spec\.budget\.maxFailedTrials: must not exceed budget\.maxTrials \(5\)/);
    assert.throws(() => parseResourceSpec(spec({ maxTrials: 2, maxFailedTrials: 4 })), /spec\.budget\.maxFailedTrials/);
    assert.equal(parseResourceSpec(spec({ maxTrials: 2 })).budget.maxFailedTrials, 3);
  });

  void it('rejects more tolerations than the bound', () => {
    const tolerations = Array.from({ length: 33 }, () => ({ operator: 'Exists' }));
    assert.throws(() => parseResourceSpec({ algorithm: { random: {} }, space: 'nb201', evaluator: { type: 'benchmark', benchmark: 'nb201-cifar10' }, budget: { maxTrials: 5 }, storage: 's3://bucket/p', template: { tolerations } }),
      /spec\.template\.tolerations/);
  });
});
