/**
 * Turns zod issues into messages a user can act on: every message names the field path (from the
 * spec's root), an unknown field gets the nearest valid name ("did you mean `epochs`?"), a renamed
 * macro key gets its new name, a non-finite number is called that, and received values are
 * truncated so a huge input is never echoed whole.
 *
 * Pure: imports zod and the macro renames only.
 */
import type { z } from 'zod';
import { RENAMED_MACRO_KEYS } from './macro.js';
import { valueAt } from '../common/value-at.js';

export interface FieldProblem {
  /** Dotted path from the document root, e.g. `trial.epochs`; `(root)` for the document itself. */
  field: string;
  problem: string;
}

/** Longest received value a message shows before truncating. */
const SHOWN_CHARS = 120;

/** A received value as messages show it: at most ~120 characters. */
export function shown(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'number' && !Number.isFinite(value) ? String(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = '(an unprintable value)';
  }
  return text.length <= SHOWN_CHARS ? text : `${text.slice(0, SHOWN_CHARS)}… (${text.length} characters)`;
}

/** A dotted field path; a key with spaces or odd characters is quoted, and truncated like any value. */
export function fieldName(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.map((k) => (/^[A-Za-z0-9_./-]{1,120}$/.test(String(k)) ? String(k) : shown(String(k)))).join('.');
}

/** Every issue as (field, problem); an unknown-keys issue gives one entry per key. */
export function fieldProblems(schema: z.ZodType, input: unknown, issues: readonly z.core.$ZodIssue[]): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ field: fieldName([...issue.path, key]), problem: unknownKeyProblem(schema, issue.path, key) });
      continue;
    }
    const received = valueAt(input, issue.path);
    if (typeof received === 'number' && !Number.isFinite(received)) {
      out.push({ field: fieldName(issue.path), problem: `must be a finite number; received ${shown(received)}` });
      continue;
    }
    const message = clearer(schema, issue, received);
    out.push({ field: fieldName(issue.path), problem: `${message}${received === undefined ? '' : `; received ${shown(received)}`}` });
  }
  return out;
}

/** zod's message, made specific where it is vague (missing fields, unions), and bounded in length. */
function clearer(schema: z.ZodType, issue: z.core.$ZodIssue, received: unknown): string {
  if (issue.code === 'invalid_type' && received === undefined) return `required: expected ${issue.expected}`;
  if (issue.code === 'invalid_union') {
    const parent = issue.path.slice(0, -1);
    const key = String(issue.path[issue.path.length - 1]);
    const allowed = objectsAt(schema, parent).flatMap((shape) => literalValues(shape[key]));
    if (allowed.length > 0) return `expected one of ${allowed.join(', ')}`;
    return 'does not match any allowed form of this field';
  }
  return issue.message.length > 300 ? `${issue.message.slice(0, 300)}…` : issue.message;
}

function literalValues(s: z.ZodType | undefined): string[] {
  if (!s) return [];
  const def = defOf(s);
  if (def.type === 'literal') return (def.values ?? []).map(String);
  return def.innerType ? literalValues(def.innerType) : [];
}

function unknownKeyProblem(schema: z.ZodType, parent: readonly PropertyKey[], key: string): string {
  const renamed = String(parent[parent.length - 1]) === 'macro' ? RENAMED_MACRO_KEYS[key] : undefined;
  if (renamed) return `unknown field: ${renamed.why}; use macro.${renamed.use}`;
  const known = keysAt(schema, parent);
  if (known.includes(key))
    return `unknown field ${shown(key)} for this kind of ${String(parent[parent.length - 1] ?? 'object')}: it belongs to another \`type\`; remove it or change type`;
  const near = nearest(key, known);
  const shownKey = shown(key);
  if (near) return `unknown field ${shownKey}; did you mean \`${near}\`?`;
  return known.length > 0 ? `unknown field ${shownKey}; valid fields here: ${known.join(', ')}` : `unknown field ${shownKey}`;
}

type Def = {
  type: string;
  values?: unknown[];
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
};
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The object schemas reachable at `path` (several for a union). */
function objectsAt(schema: z.ZodType, path: readonly PropertyKey[]): Record<string, z.ZodType>[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'nullable':
    case 'readonly':
    case 'prefault':
      return objectsAt(def.innerType!, path);
    case 'pipe':
      return objectsAt(def.in!, path);
    case 'union':
      return def.options!.flatMap((o) => objectsAt(o, path));
    case 'object': {
      if (path.length === 0) return [def.shape!];
      const child = def.shape![String(path[0])];
      return child ? objectsAt(child, path.slice(1)) : [];
    }
    case 'array':
      return path.length === 0 ? [] : objectsAt(def.element!, path.slice(1));
    case 'record':
      return path.length === 0 ? [] : objectsAt(def.valueType!, path.slice(1));
    default:
      return [];
  }
}

function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  return [...new Set(objectsAt(schema, path).flatMap((shape) => Object.keys(shape)))];
}

/** The known name closest to `key` (case-insensitive edit distance), if close enough to be a typo. */
export function nearest(key: string, known: readonly string[]): string | undefined {
  if (key.length > 64) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length]!;
}
