/**
 * Generates the NeuralArchitectureSearch CustomResourceDefinition from the zod schema in
 * src/api/resource-spec.ts (the single source, docs/style.md principle 8). `z.toJSONSchema` gives an
 * OpenAPI 3.0 schema; Kubernetes wants a *structural* one, so this module post-processes it:
 * - every field gets a description from src/kube/crd-docs.ts (generation fails on a missing one,
 *   and on a stale entry, so `kubectl explain` documents the whole spec);
 * - `additionalProperties: false` (zod `.strict()`) is dropped: the apiserver prunes unknown fields;
 * - free-form maps become `x-kubernetes-preserve-unknown-fields`, quantity unions become
 *   `x-kubernetes-int-or-string`, so no anyOf/oneOf is left;
 * - the rules zod checks in `superRefine` are restated in CEL (`x-kubernetes-validations`), plus
 *   immutability of every spec field except budget.parallelism, budget.maxTrials and suspend.
 *
 * Pure: returns plain objects; scripts/gen-crd.ts writes them as YAML.
 */
import { z } from 'zod';
import { API_VERSION, GROUP, KIND, LIMITS, PLURAL, VERSION, resourceSpecObject, resourceStatusSchema } from '../api/resource-spec.js';
import { docFor, knownDocPaths } from './crd-docs.js';

type Schema = Record<string, unknown> & { properties?: Record<string, Schema> };

interface Rule {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

const ALGORITHMS = ['random', 'evolution', 'nasnetRL', 'mnasnetRL', 'pnas', 'ponas'];

/** Spec fields that may never change (transition rules); parallelism, maxTrials and suspend may. */
const IMMUTABLE_SPEC_FIELDS = ['algorithm', 'space', 'macro', 'evaluator', 'trial', 'dataset', 'storage', 'seed', 'template', 'storageSecretRef'];
const IMMUTABLE_BUDGET_FIELDS = ['maxFailedTrials', 'trialRetries'];

/** CEL rules by schema path (relative to the resource root). */
const RULES: Record<string, Rule[]> = {
  '': [{
    rule: 'self.metadata.name.matches("^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$")',
    message: `metadata.name must be a DNS label of at most ${LIMITS.nameChars} characters (trial Job names derive from it)`,
  }],
  'spec': [
    { rule: "self.evaluator.type != 'benchmark' || has(self.evaluator.benchmark)", message: 'evaluator.benchmark is required when evaluator.type is benchmark: one of nb201-cifar10, nb201-cifar100, nb201-imagenet16-120', fieldPath: '.evaluator.benchmark', reason: 'FieldValueRequired' },
    { rule: "self.evaluator.type != 'benchmark' || self.space == 'nb201'", message: 'the NAS-Bench-201 benchmark evaluator needs space nb201', fieldPath: '.space' },
    { rule: "self.evaluator.type != 'train' || has(self.dataset)", message: 'dataset is required when evaluator.type is train: a dataset URI such as s3://bucket/cifar10', fieldPath: '.dataset', reason: 'FieldValueRequired' },
    { rule: 'has(self.dataset) == has(oldSelf.dataset) && has(self.storageSecretRef) == has(oldSelf.storageSecretRef)', message: 'dataset and storageSecretRef cannot be added or removed after creation', reason: 'FieldValueForbidden' },
  ],
  'spec.algorithm': [{
    rule: `[${ALGORITHMS.map((a) => `has(self.${a})`).join(', ')}].exists_one(x, x)`,
    message: `set exactly one of ${ALGORITHMS.join(', ')}`,
  }],
  'spec.budget': [{
    // The default (3) stays valid for searches of fewer trials; CEL cannot tell a default from a set value.
    rule: 'self.maxFailedTrials <= self.maxTrials || self.maxFailedTrials <= 3',
    message: 'budget.maxFailedTrials must not exceed budget.maxTrials (values up to the default 3 are always allowed)',
    fieldPath: '.maxFailedTrials',
  }],
};
for (const f of IMMUTABLE_SPEC_FIELDS) (RULES[`spec.${f}`] ??= []).push({ rule: 'self == oldSelf', message: `spec.${f} is immutable after creation`, reason: 'FieldValueForbidden' });
for (const f of IMMUTABLE_BUDGET_FIELDS) (RULES[`spec.budget.${f}`] ??= []).push({ rule: 'self == oldSelf', message: `spec.budget.${f} is immutable after creation`, reason: 'FieldValueForbidden' });

/** The OpenAPI v3 schema of the whole resource (apiVersion, kind, metadata, spec, status). */
export function resourceOpenApiSchema(): Schema {
  const spec = toOpenApi(resourceSpecObject, 'input');
  const status = toOpenApi(resourceStatusSchema, 'output');
  const root: Schema = {
    type: 'object',
    description: `${KIND} runs one neural architecture search as a durable Temporal workflow; each trial is a Kubernetes Job.`,
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
      metadata: { type: 'object' },
      spec,
      status,
    },
  };
  const seen = new Set<string>();
  finish(root, '', seen);
  const stale = knownDocPaths().filter((p) => !seen.has(p));
  if (stale.length > 0) throw new Error(`crd-docs.ts documents fields the schema no longer has: ${stale.join(', ')}`);
  return root;
}

function toOpenApi(schema: z.ZodType, io: 'input' | 'output'): Schema {
  const out = z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'throw' }) as Schema;
  delete out.$schema;
  return out;
}

/** Makes a node structural, documents it, and attaches its CEL rules; recurses into children. */
function finish(node: Schema, path: string, seen: Set<string>): void {
  if (node.additionalProperties === false) delete node.additionalProperties;
  delete node.propertyNames;
  const anyOf = node.anyOf as Schema[] | undefined;
  if (anyOf) {
    const types = anyOf.map((s) => s.type).sort().join(',');
    if (types !== 'integer,string') throw new Error(`${path}: only string|integer unions are representable in a structural schema; received ${types}`);
    delete node.anyOf;
    node['x-kubernetes-int-or-string'] = true;
  }
  const extra = node.additionalProperties as Schema | undefined;
  if (extra && typeof extra === 'object') {
    if (Object.keys(extra).length === 0) {
      // z.unknown() values: a free-form object passed through (trial recipe, pod affinity).
      delete node.additionalProperties;
      node['x-kubernetes-preserve-unknown-fields'] = true;
    } else {
      finish(extra, `${path}.*`, seen);
    }
  }
  if (node.type === 'object' && !node.properties && !extra && !node['x-kubernetes-preserve-unknown-fields'] && path.startsWith('spec.algorithm.')) {
    node.properties = {}; // an algorithm member without settings (random): present means chosen
  }
  // Map values and list items are described by their parent field.
  if ((path.startsWith('spec') || path.startsWith('status')) && !path.endsWith('.*') && !path.endsWith('[]')) {
    seen.add(path);
    const doc = docFor(path);
    if (!doc) throw new Error(`crd-docs.ts has no description for ${path}: add one`);
    node.description = doc;
  }
  const rules = RULES[path];
  if (rules) node['x-kubernetes-validations'] = rules;
  if (node.type === 'array' && node.items) finish(node.items as Schema, `${path}[]`, seen);
  if (path === 'status.conditions') Object.assign(node, { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] });
  for (const [key, child] of Object.entries(node.properties ?? {})) finish(child, path ? `${path}.${key}` : key, seen);
}

/** The CustomResourceDefinition object (apiextensions.k8s.io/v1). */
export function crdObject(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${PLURAL}.${GROUP}`, annotations: { 'nasflow.io/generated-by': 'npm run gen:crd (scripts/gen-crd.js) from src/api/resource-spec.ts; do not edit' } },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: { kind: KIND, listKind: `${KIND}List`, plural: PLURAL, singular: KIND.toLowerCase(), shortNames: ['nas'], categories: ['nasflow'] },
      versions: [{
        name: VERSION,
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'Algorithm', type: 'string', jsonPath: '.status.algorithm' },
          { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
          { name: 'Done', type: 'integer', jsonPath: '.status.trials.completed', description: 'Trials finished (succeeded + failed)' },
          { name: 'Total', type: 'integer', jsonPath: '.spec.budget.maxTrials' },
          { name: 'Best', type: 'string', jsonPath: '.status.best.accuracy', description: 'Best validation accuracy (%)' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
        schema: { openAPIV3Schema: resourceOpenApiSchema() },
      }],
    },
  };
}

export { API_VERSION };
