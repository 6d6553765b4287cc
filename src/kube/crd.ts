/**
 * Generates the NeuralArchitectureSearch CustomResourceDefinition from the zod schema in
 * src/api/resource-spec.ts (the single source, docs/style.md principle 8). `z.toJSONSchema` gives an
 * OpenAPI 3.0 schema; Kubernetes wants a *structural* one, so this module post-processes it:
 * - every field gets a description: the zod `.describe()` text where the schema has one, else
 *   src/kube/crd-docs.ts (generation fails on a missing one, and on a stale entry, so
 *   `kubectl explain` documents the whole spec);
 * - `additionalProperties: false` (zod `.strict()`) is dropped, as a structural schema must; unknown
 *   fields are then errors under kubectl's default `--validate=strict` (server-side field
 *   validation). Old macro keys (RENAMED_MACRO_KEYS) stay declared and are rejected by CEL, so
 *   they are never pruned silently even under `--validate=false`;
 * - free-form maps become `x-kubernetes-preserve-unknown-fields`; quantity unions become
 *   `x-kubernetes-int-or-string` with the quantity pattern in CEL; unions of literals become one
 *   enum; discriminated unions of objects become one object whose CEL rules forbid the fields of
 *   the other members; so no anyOf/oneOf is left;
 * - the cross-field rules zod checks (src/api/spec-rules.ts) are the CEL rules on `spec`, plus
 *   immutability of every spec field except budget.parallelism, budget.maxTrials and suspend.
 *
 * Pure: returns plain objects; scripts/gen-crd.ts writes them as YAML.
 */
import { z } from 'zod';
import { API_VERSION, GROUP, KIND, LIMITS, PLURAL, QUANTITY_PATTERN, VERSION, resourceSpecObject, resourceStatusSchema } from '../api/resource-spec.js';
import { SPEC_RULES } from '../api/search-spec.js';
import type { SpecRule } from '../api/spec-rules.js';
import { RENAMED_MACRO_KEYS } from '../api/macro.js';
import { isAmbiguousYamlKey } from '../api/yaml-keys.js';
import { docFor, knownDocPaths } from './crd-docs.js';
import { at } from '../common/indexing.js';

type Schema = Record<string, unknown> & { properties?: Record<string, Schema> };

interface Rule {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

/** Spec fields that may never change (transition rules); parallelism, maxTrials and suspend may. */
const IMMUTABLE_SPEC_FIELDS = ['algorithm', 'space', 'macro', 'evaluator', 'trial', 'dataset', 'storage', 'seed', 'template', 'storageSecretRef'];
const IMMUTABLE_BUDGET_FIELDS = ['maxFailedTrials', 'trialRetries'];

/** A property name as CEL spells it: names that are CEL keywords are escaped (Kubernetes CEL rules). */
function celField(name: string): string {
  return [
    'true',
    'false',
    'null',
    'in',
    'as',
    'break',
    'const',
    'continue',
    'else',
    'for',
    'function',
    'if',
    'import',
    'let',
    'loop',
    'package',
    'namespace',
    'return',
    'var',
    'void',
    'while',
  ].includes(name)
    ? `__${name}__`
    : name;
}

/** CEL rules by schema path (relative to the resource root), with the spec's cross-field rules. */
function rulesFor(specRules: readonly SpecRule[]): Record<string, Rule[]> {
  const RULES: Record<string, Rule[]> = {
    '': [
      {
        rule: 'self.metadata.name.matches("^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$")',
        message: `metadata.name must be a DNS label of at most ${LIMITS.nameChars} characters (trial Job names derive from it)`,
      },
    ],
    spec: [
      ...specRules.map((r): Rule => ({ rule: r.cel, message: r.message, fieldPath: `.${r.path.join('.')}`, ...(r.reason ? { reason: r.reason } : {}) })),
      {
        rule: 'has(self.dataset) == has(oldSelf.dataset) && has(self.storageSecretRef) == has(oldSelf.storageSecretRef)',
        message: 'dataset and storageSecretRef cannot be added or removed after creation',
        reason: 'FieldValueForbidden',
      },
    ],
    'spec.macro': Object.entries(RENAMED_MACRO_KEYS).map(([key, r]) => ({
      rule: `!has(self.${celField(key)})`,
      message: `macro.${key}: ${r.why}; use macro.${r.use}`,
      reason: 'FieldValueForbidden' as const,
    })),
  };
  for (const f of IMMUTABLE_SPEC_FIELDS)
    (RULES[`spec.${f}`] ??= []).push({ rule: 'self == oldSelf', message: `spec.${f} is immutable after creation`, reason: 'FieldValueForbidden' });
  for (const f of IMMUTABLE_BUDGET_FIELDS)
    (RULES[`spec.budget.${f}`] ??= []).push({
      rule: 'self == oldSelf',
      message: `spec.budget.${f} is immutable after creation`,
      reason: 'FieldValueForbidden',
    });
  return RULES;
}

/** Where the spec's schema comes from: the built-in one, or one built over another algorithm list (tests). */
export interface SpecSource {
  specObject: z.ZodType;
  rules: readonly SpecRule[];
}

/** The OpenAPI v3 schema of the whole resource (apiVersion, kind, metadata, spec, status). */
export function resourceOpenApiSchema(source: SpecSource = { specObject: resourceSpecObject, rules: SPEC_RULES }): Schema {
  const spec = toOpenApi(source.specObject, 'input');
  const rules = rulesFor(source.rules);
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
  finish(root, '', seen, rules);
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
function finish(node: Schema, path: string, seen: Set<string>, RULES: Record<string, Rule[]>): void {
  if (node.additionalProperties === false) delete node.additionalProperties;
  delete node.propertyNames;
  const rules: Rule[] = [...(RULES[path] ?? [])];
  if (node.anyOf) rules.push(...mergeUnion(node, path));
  const extra = node.additionalProperties as Schema | undefined;
  if (extra && typeof extra === 'object') {
    if (Object.keys(extra).length === 0) {
      // z.unknown() values: a free-form object passed through (pod affinity).
      delete node.additionalProperties;
      node['x-kubernetes-preserve-unknown-fields'] = true;
    } else {
      finish(extra, `${path}.*`, seen, RULES);
    }
  }
  if (node.type === 'object' && !node.properties && !extra && !node['x-kubernetes-preserve-unknown-fields'] && path.startsWith('spec.algorithm.')) {
    node.properties = {}; // an algorithm member without settings (random): present means chosen
  }
  if (path === 'spec.macro') declareRenamedKeys(node);
  // Map values and list items are described by their parent field.
  if ((path.startsWith('spec') || path.startsWith('status')) && !path.endsWith('.*') && !path.endsWith('[]')) {
    seen.add(path);
    const doc = docFor(path) ?? (node.description as string | undefined);
    if (!doc) throw new Error(`${path} has no description: add .describe() to its zod schema or an entry to crd-docs.ts`);
    node.description = doc;
  }
  if (rules.length > 0) node['x-kubernetes-validations'] = rules;
  if (node.type === 'array' && node.items) finish(node.items as Schema, `${path}[]`, seen, RULES);
  if (path === 'status.conditions') Object.assign(node, { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] });
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    if (path === 'spec.macro' && key in RENAMED_MACRO_KEYS) continue; // declared only to be rejected
    if (isAmbiguousYamlKey(key)) throw new Error(`${path}.${key}: kubectl's YAML 1.1 reads this key as a boolean, null or number; rename the field`);
    finish(child, path ? `${path}.${key}` : key, seen, RULES);
  }
}

/** Old macro keys stay in the schema (so they are never pruned) and the CEL rules on spec.macro reject them. */
function declareRenamedKeys(node: Schema): void {
  for (const [key, r] of Object.entries(RENAMED_MACRO_KEYS)) {
    node.properties = { ...node.properties, [key]: { 'x-kubernetes-int-or-string': true, description: `Not accepted: ${r.why}; use ${r.use}.` } };
  }
}

/**
 * Replaces an anyOf (not allowed in a structural schema) by one node, returning the CEL rules that
 * keep its meaning:
 * - string | non-negative integer (a Kubernetes quantity): int-or-string, pattern checked in CEL;
 * - literals of one type: one enum;
 * - objects told apart by a `type` literal (zod discriminatedUnion): one object with every member's
 *   properties, and per member a rule forbidding the properties only other members have. Defaults
 *   of those properties are dropped, since the apiserver would apply them to every member.
 */
function mergeUnion(node: Schema, path: string): Rule[] {
  const members = node.anyOf as Schema[];
  const first = at(members, 0, `${path}: union member`);
  delete node.anyOf;
  const types = members
    .map((m) => m.type)
    .sort()
    .join(',');
  if (types === 'integer,string') {
    node['x-kubernetes-int-or-string'] = true;
    const str = members.find((m) => m.type === 'string')!;
    node.maxLength = str.maxLength; // bounds the CEL cost estimate of the pattern match
    if (str.pattern !== QUANTITY_PATTERN)
      throw new Error(`${path}: only quantity unions (string|integer) are representable; received pattern ${String(str.pattern)}`);
    return [
      {
        rule: `type(self) == int ? self >= 0 : self.matches('${QUANTITY_PATTERN.replaceAll('\\', '\\\\')}')`,
        message: 'must be a Kubernetes quantity such as 1, 500m or 16Gi',
      },
    ];
  }
  if (members.every((m) => Array.isArray(m.enum) && m.type === first.type)) {
    Object.assign(node, { type: first.type, enum: members.flatMap((m) => m.enum as unknown[]) });
    return [];
  }
  // Objects tagged by a `type` property: each member's properties and its tag's schema.
  const tagged = members.map((m) => (m.type === 'object' && m.properties?.type ? { properties: m.properties, tag: m.properties.type } : undefined));
  if (tagged.every((t) => t !== undefined)) {
    const props: Record<string, Schema> = {};
    for (const { properties } of tagged) for (const [k, v] of Object.entries(properties)) props[k] = k === 'type' ? (props.type ?? { ...v, enum: [] }) : v;
    const tags = tagged.flatMap((t) => t.tag.enum as unknown[]);
    props.type = { ...props.type, enum: tags, description: `One of: ${tags.join(', ')}.` };
    const everywhere = (k: string): boolean => tagged.every((t) => k in t.properties);
    for (const [k, v] of Object.entries(props)) if (!everywhere(k)) delete v.default;
    const required = Object.keys(props).filter((k) => members.every((m) => (m.required as string[] | undefined)?.includes(k)));
    Object.assign(node, { type: 'object', properties: props, ...(required.length > 0 ? { required } : {}) });
    return tagged.flatMap(({ properties, tag: tagSchema }) => {
      const tag = (tagSchema.enum as string[])[0];
      const foreign = Object.keys(props).filter((k) => !(k in properties));
      return foreign.length === 0
        ? []
        : [
            {
              rule: `self.type != '${tag}' || !(${foreign.map((k) => `has(self.${celField(k)})`).join(' || ')})`,
              message: `type ${tag} takes none of: ${foreign.join(', ')}`,
            },
          ];
    });
  }
  throw new Error(`${path}: this union is not representable in a structural schema; received member types ${types}`);
}

/** The CustomResourceDefinition object (apiextensions.k8s.io/v1). */
export function crdObject(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${PLURAL}.${GROUP}`,
      annotations: { 'nasflow.io/generated-by': 'npm run gen:crd (scripts/gen-crd.js) from src/api/resource-spec.ts; do not edit' },
    },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: { kind: KIND, listKind: `${KIND}List`, plural: PLURAL, singular: KIND.toLowerCase(), shortNames: ['nas'], categories: ['nasflow'] },
      versions: [
        {
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
        },
      ],
    },
  };
}

export { API_VERSION };
