/**
 * Reading a search spec or a NeuralArchitectureSearch manifest from YAML/JSON text, hardened
 * against hostile or broken documents: size, alias bombs and alias cycles, nesting depth, and
 * parser failures all end in a message that names a field path (`(root)` for the document), never
 * in a stack overflow or a "circular structure" error. Validation then goes through the spec's
 * own schema (src/api/search-spec.ts, resource-spec.ts), whose messages name fields too.
 *
 * Takes text, returns values and problems (no I/O); the CLI reads the files.
 */
import { parseDocument } from 'yaml';
import { fieldName, shown, type FieldProblem } from '../api/spec-errors.js';
import { searchSpecProblems, parseSearchSpec, type SearchSpec } from '../api/search-spec.js';
import { API_VERSION, KIND, parseResourceSpec, resourceSpecProblems, searchSpecOf, type ResourceSpec } from '../api/resource-spec.js';

/** Limits on what a spec document may be. */
export const DOCUMENT_LIMITS = { chars: 1024 * 1024, aliases: 100, depth: 32 } as const;

export interface Checked<T> {
  value?: T;
  problems: FieldProblem[];
}

const root = (problem: string): FieldProblem[] => [{ field: '(root)', problem }];

/** Parses YAML (1.2 core schema; JSON is YAML) into plain data, or says why it cannot. */
export function readYaml(text: string): Checked<unknown> {
  if (text.length > DOCUMENT_LIMITS.chars)
    return { problems: root(`the document is ${text.length} characters long; a spec may be at most ${DOCUMENT_LIMITS.chars}`) };
  let value: unknown;
  try {
    const doc = parseDocument(text, { uniqueKeys: true, merge: false, prettyErrors: false });
    const [error] = doc.errors;
    if (error) return { problems: root(`not valid YAML or JSON: ${firstLine(error.message)}`) };
    value = doc.toJS({ maxAliasCount: DOCUMENT_LIMITS.aliases });
  } catch (err) {
    const message = (err as Error).message;
    if (err instanceof RangeError) return { problems: root(`the document nests too deeply to read; a spec nests at most ${DOCUMENT_LIMITS.depth} levels`) };
    if (/alias/i.test(message))
      return { problems: root(`the document expands YAML aliases more than ${DOCUMENT_LIMITS.aliases} times (an alias bomb?); write the values out`) };
    return { problems: root(`not valid YAML or JSON: ${firstLine(message)}`) };
  }
  const shape = shapeProblem(value, [], new Set(), 0);
  return shape ? { problems: [shape] } : { value, problems: [] };
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** A cycle (an alias inside the node it names) or nesting beyond the limit, at its path. */
function shapeProblem(value: unknown, path: PropertyKey[], ancestors: Set<object>, depth: number): FieldProblem | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (ancestors.has(value)) return { field: fieldName(path), problem: 'a YAML alias here refers to a node that contains it (a cycle); write the value out' };
  if (depth >= DOCUMENT_LIMITS.depth) return { field: fieldName(path), problem: `nests deeper than ${DOCUMENT_LIMITS.depth} levels; no spec field does` };
  if (value instanceof Map || value instanceof Set) return { field: fieldName(path), problem: 'a mapping with non-string keys; use plain string keys' };
  ancestors.add(value);
  for (const [k, v] of Object.entries(value)) {
    const p = shapeProblem(v, [...path, k], ancestors, depth + 1);
    if (p) return p;
  }
  ancestors.delete(value);
  return undefined;
}

/** A search spec document (`nasflow search run` input): the spec with every default applied, or its problems. */
export function checkSearchSpec(doc: unknown): Checked<SearchSpec> {
  if (doc === null || doc === undefined)
    return { problems: root('the document is empty; expected a search spec (name, algorithm, space, budget, storage, ...)') };
  if (typeof doc !== 'object' || Array.isArray(doc)) return { problems: root(`expected a mapping of spec fields; received ${shown(doc)}`) };
  const problems = searchSpecProblems(doc);
  return problems.length > 0 ? { problems } : { value: parseSearchSpec(doc), problems: [] };
}

export interface CheckedResource {
  /** The manifest with the spec's defaults applied (what the apiserver would store). */
  manifest: { apiVersion: string; kind: string; metadata: Record<string, unknown>; spec: ResourceSpec };
  /** The search spec the operator derives from it. */
  search: SearchSpec;
}

/** A NeuralArchitectureSearch manifest: apiVersion, kind, metadata.name and spec, each checked by name. */
export function checkResource(doc: unknown): Checked<CheckedResource> {
  if (doc === null || doc === undefined) return { problems: root(`the document is empty; expected a ${KIND} manifest`) };
  if (typeof doc !== 'object' || Array.isArray(doc)) return { problems: root(`expected a ${KIND} manifest; received ${shown(doc)}`) };
  const m = doc as Record<string, unknown>;
  if (m.kind !== KIND)
    return { problems: [{ field: 'kind', problem: `expected ${KIND} (this command checks nasflow search resources); received ${shown(m.kind ?? null)}` }] };
  const problems: FieldProblem[] = [];
  if (m.apiVersion !== API_VERSION) problems.push({ field: 'apiVersion', problem: `expected ${API_VERSION}; received ${shown(m.apiVersion ?? null)}` });
  const metadata = m.metadata;
  const name = metadata && typeof metadata === 'object' ? (metadata as Record<string, unknown>).name : undefined;
  if (typeof name !== 'string') problems.push({ field: 'metadata.name', problem: `required: the search name (a DNS label); received ${shown(name ?? null)}` });
  if (m.spec === null || typeof m.spec !== 'object' || Array.isArray(m.spec)) {
    problems.push({ field: 'spec', problem: `expected a mapping of search fields; received ${shown(m.spec ?? null)}` });
  } else {
    problems.push(...resourceSpecProblems(m.spec).map((p) => ({ field: p.field === '(root)' ? 'spec' : `spec.${p.field}`, problem: p.problem })));
  }
  if (problems.length > 0) return { problems };
  const spec = parseResourceSpec(m.spec);
  const nameProblems = searchSpecProblems({ ...searchOnly(spec), name }).filter((p) => p.field === 'name');
  if (nameProblems.length > 0) return { problems: nameProblems.map((p) => ({ field: 'metadata.name', problem: p.problem })) };
  return {
    value: {
      manifest: { apiVersion: API_VERSION, kind: KIND, metadata: metadata as Record<string, unknown>, spec },
      search: searchSpecOf(name as string, spec),
    },
    problems: [],
  };
}

function searchOnly(spec: ResourceSpec): Record<string, unknown> {
  const { template: _t, storageSecretRef: _s, suspend: _u, ...search } = spec;
  return search;
}

/** Problems as the CLI prints them: one `field: problem` line each. */
export function problemLines(problems: readonly FieldProblem[]): string[] {
  return problems.map((p) => `${p.field}: ${p.problem}`);
}
