/** The CRD is generated from the zod schema: committed copies must match, and the schema must stay structural and documented. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CRD_PATHS, crdYaml } from '../../../src/kube/crd-yaml.js';
import { resourceOpenApiSchema } from '../../../src/kube/crd.js';
import { parseResourceSpec, resourceSpecObject, searchSpecOf } from '../../../src/api/resource-spec.js';
import { searchSpecObject } from '../../../src/api/search-spec.js';
import { trialSpecSchema } from '../../../src/trainer/spec.js';
import { RENAMED_MACRO_KEYS } from '../../../src/api/macro.js';
import { isAmbiguousYamlKey } from '../../../src/api/yaml-keys.js';
import type { z } from 'zod';
import { withAlgorithmsTable } from '../../../src/algorithms/docs-table.js';
import { ALGORITHMS } from '../../../src/algorithms/catalog.js';
import { at } from '../../../src/common/indexing.js';

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

  void it('docs/search.md carries the algorithms table the catalog generates (run "npm run gen:crd")', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'search.md'), 'utf8');
    assert.equal(doc, withAlgorithmsTable(doc, ALGORITHMS));
  });

  void it('is structural: no oneOf/anyOf, no additionalProperties beside properties, a type on every node', () => {
    walk(resourceOpenApiSchema(), '', (n, p) => {
      assert.equal(n.oneOf, undefined, `${p}: oneOf`);
      assert.equal(n.anyOf, undefined, `${p}: anyOf`);
      if (n.properties) assert.equal(n.additionalProperties, undefined, `${p}: additionalProperties beside properties`);
      if (!n['x-kubernetes-int-or-string'] && !n['x-kubernetes-preserve-unknown-fields']) assert.ok(typeof n.type === 'string', `${p}: no type`);
    });
  });

  void it('describes every spec and status field', () => {
    walk(resourceOpenApiSchema(), '', (n, p) => {
      if (/^\.(spec|status)/.test(p) && !p.endsWith('[]') && !p.endsWith('.*'))
        assert.ok(typeof n.description === 'string' && n.description.length > 10, `${p} has no description`);
    });
  });

  void it('has no property name that YAML 1.1 (kubectl) reads as a boolean, null or number, except old keys it rejects', () => {
    const bad: string[] = [];
    walk(resourceOpenApiSchema(), '', (_n, p) => {
      const key = p.slice(p.lastIndexOf('.') + 1);
      const rejected = p.startsWith('.spec.macro.') && key in RENAMED_MACRO_KEYS;
      if (!p.endsWith('[]') && !p.endsWith('.*') && p !== '' && isAmbiguousYamlKey(key) && !rejected) bad.push(p);
    });
    assert.deepEqual(bad, []);
    const macro = (resourceOpenApiSchema().properties!.spec as Node).properties!.macro as Node & { 'x-kubernetes-validations': { rule: string }[] };
    assert.deepEqual(
      macro['x-kubernetes-validations'].map((r) => r.rule).filter((r) => r.startsWith('!has')),
      ['!has(self.N)', '!has(self.F)', '!has(self.__false__)'],
    );
  });

  void it('the key check knows YAML 1.1 booleans, nulls and numbers', () => {
    for (const k of ['N', 'n', 'y', 'Yes', 'off', 'ON', 'false', 'null', '~', '', '1', '1_000', '0x1F', '1:30', '.5', '.inf', '.NaN', '-2'])
      assert.ok(isAmbiguousYamlKey(k), k);
    for (const k of ['F', 'cellsPerStage', 'filters', 'nope', 'yes2', 'onboard', 'x1', 'N2']) assert.ok(!isAmbiguousYamlKey(k), k);
  });

  void it('the zod schemas (search spec, resource spec, trial spec) have no such property name', () => {
    const bad: string[] = [];
    const visit = (s: z.ZodType, path: string, depth: number): void => {
      const def = (s as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
      if (depth > 20) return;
      for (const k of ['innerType', 'in', 'element', 'valueType'] as const) if (def[k]) visit(def[k] as z.ZodType, path, depth + 1);
      for (const o of (def.options as z.ZodType[] | undefined) ?? []) visit(o, path, depth + 1);
      for (const [key, child] of Object.entries((def.shape as Record<string, z.ZodType> | undefined) ?? {})) {
        if (isAmbiguousYamlKey(key)) bad.push(`${path}.${key}`);
        visit(child, `${path}.${key}`, depth + 1);
      }
    };
    visit(searchSpecObject, 'search', 0);
    visit(resourceSpecObject, 'resource', 0);
    visit(trialSpecSchema, 'trial', 0);
    assert.deepEqual(bad, []);
  });

  void it('carries the exactly-one-algorithm rule and immutability rules in CEL', () => {
    const spec = resourceOpenApiSchema().properties!.spec as Node;
    const rules = (spec as Node & { 'x-kubernetes-validations': { rule: string; fieldPath?: string }[] })['x-kubernetes-validations'];
    assert.match(rules.find((r) => r.fieldPath === '.algorithm')!.rule, /exists_one/);
    const budget = spec.properties!.budget as Node;
    const { parallelism, trialRetries } = budget.properties!;
    assert.ok(parallelism && trialRetries, 'budget has parallelism and trialRetries');
    assert.equal(parallelism['x-kubernetes-validations'], undefined, 'parallelism is mutable');
    assert.equal(at(trialRetries['x-kubernetes-validations'] as { rule: string }[], 0).rule, 'self == oldSelf');
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
    const spec = (budget: object) => ({
      algorithm: { random: {} },
      space: 'nb201',
      evaluator: { type: 'benchmark', benchmark: 'nb201-cifar10' },
      budget,
      storage: 's3://bucket/p',
    });
    assert.throws(() => parseResourceSpec(spec({ maxTrials: 5, maxFailedTrials: 6 })), /spec\.budget\.maxFailedTrials: must not exceed budget\.maxTrials/);
    assert.throws(() => parseResourceSpec(spec({ maxTrials: 2, maxFailedTrials: 4 })), /spec\.budget\.maxFailedTrials/);
    assert.equal(parseResourceSpec(spec({ maxTrials: 2 })).budget.maxFailedTrials, 3);
  });

  void it('rejects more tolerations than the bound', () => {
    const tolerations = Array.from({ length: 33 }, () => ({ operator: 'Exists' }));
    assert.throws(
      () =>
        parseResourceSpec({
          algorithm: { random: {} },
          space: 'nb201',
          evaluator: { type: 'benchmark', benchmark: 'nb201-cifar10' },
          budget: { maxTrials: 5 },
          storage: 's3://bucket/p',
          template: { tolerations },
        }),
      /spec\.template\.tolerations/,
    );
  });
});
