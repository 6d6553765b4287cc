/**
 * Fuzzes the path a spec file takes through the CLI (`checkSpecText`: YAML parsing, then the
 * schema): seeded mutations of the corpus's valid specs, as data and as text, plus hostile
 * documents (deep nesting, alias bombs and cycles, oversize, multi-document). Every document must
 * end either as a valid spec that re-validates to itself, or as problems that each name a field
 * path with a bounded message; nothing may throw.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { Rng } from '../../../src/common/rng.js';
import { parseSearchSpec } from '../../../src/api/search-spec.js';
import { checkSpecText } from '../../../src/cli/spec-file.js';
import { CORPUS, manifestOf } from '../../integration/kube/spec-corpus.js';
import { at } from '../../../src/common/indexing.js';

const SEED = 15;
const DATA_CASES = 450;
const TEXT_CASES = 250;

const VALUES: unknown[] = [
  null,
  '',
  'x'.repeat(100_000),
  -1,
  0,
  1.5,
  2 ** 53 + 2,
  Infinity,
  -Infinity,
  NaN,
  true,
  [],
  {},
  [1, 2],
  { a: 1 },
  'N',
  '.inf',
  1e308,
  'nb201',
  'random',
];
const TEXT_BITS = [
  ':',
  '[',
  ']',
  '{',
  '}',
  '&a ',
  '*a',
  '!!binary ',
  '\t',
  '- ',
  '.inf',
  '.nan',
  '<<: *a',
  '? ',
  '---\n',
  '"',
  "'",
  '#',
  '~',
  'N: 2',
  '%YAML 1.1\n',
  '!!python/object ',
  '\u0000',
  '\uFEFF',
];

type Json = Record<string, unknown>;

function paths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const out: string[][] = prefix.length > 0 ? [prefix] : [];
  for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function typo(key: string, rng: Rng): string {
  const i = rng.int(key.length + 1);
  return rng.next() < 0.5 && key.length > 1 ? key.slice(0, i) + key.slice(i + 1) : `${key.slice(0, i)}${String.fromCharCode(97 + rng.int(26))}${key.slice(i)}`;
}

/** One structural mutation of a deep copy of `spec`. */
function mutate(spec: Json, rng: Rng): Json {
  const copy = structuredClone(spec);
  const all = paths(copy);
  const path = rng.pick(all);
  const parentPath = path.slice(0, -1);
  let parent: Json = copy;
  for (const p of parentPath) parent = parent[p] as Json;
  const key = at(path, path.length - 1, 'path key');
  switch (rng.int(5)) {
    case 0:
      delete parent[key];
      break;
    case 1:
      parent[key] = rng.pick(VALUES);
      break;
    case 2:
      parent[typo(key, rng)] = parent[key];
      delete parent[key];
      break;
    case 3:
      parent[`${key}${rng.int(100)}`] = rng.pick(VALUES);
      break;
    default:
      copy.macro = { ...(copy.macro as Json | undefined), [rng.pick(['N', 'F', 'false', 'y', 'cellsPerStage'])]: rng.pick([2, 16, 'x', null]) };
  }
  return copy;
}

function mutateText(text: string, rng: Rng): string {
  const pos = rng.int(text.length + 1);
  switch (rng.int(4)) {
    case 0:
      return text.slice(0, pos) + rng.pick(TEXT_BITS) + text.slice(pos);
    case 1:
      return text.slice(0, pos) + text.slice(Math.min(text.length, pos + 1 + rng.int(20)));
    case 2:
      return text.slice(0, pos);
    default: {
      const lines = text.split('\n');
      const i = rng.int(lines.length);
      lines.splice(i, 0, lines[i] ?? '');
      return lines.join('\n');
    }
  }
}

function hostile(rng: Rng, i: number): string {
  const depth = 10 + rng.int(5000);
  switch (i % 6) {
    case 0:
      return `name: x\nalgorithm: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
    case 1:
      return `name: x\nmacro: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}\n`;
    case 2:
      return [
        'a: &a [x, x, x, x, x, x, x, x, x]',
        ...Array.from(
          { length: 8 },
          (_, k) =>
            `${String.fromCharCode(98 + k)}: &${String.fromCharCode(98 + k)} [${Array(9)
              .fill(`*${String.fromCharCode(97 + k)}`)
              .join(', ')}]`,
        ),
      ].join('\n');
    case 3:
      return 'name: &n [*n]\n';
    case 4:
      return `name: ${'y'.repeat(1024 * 1024 + rng.int(10))}\n`;
    default:
      return `${stringify(at(CORPUS, 0).spec)}---\n${stringify(at(CORPUS, 0).spec)}`;
  }
}

function assertWellFormed(text: string, resource: boolean, label: string): 'valid' | 'invalid' {
  let out: ReturnType<typeof checkSpecText>;
  try {
    out = checkSpecText(text, { resource });
  } catch (err) {
    assert.fail(`${label}: threw ${(err as Error).stack ?? String(err)}`);
  }
  if (out.value) {
    assert.equal(out.problems.length, 0, label);
    assert.deepEqual(parseSearchSpec(out.value), out.value, `${label}: the normalised spec re-validates to itself`);
    return 'valid';
  }
  assert.ok(out.problems.length > 0, `${label}: invalid without a problem`);
  for (const p of out.problems) {
    assert.match(p.field, /^(\(root\)|[A-Za-z"])/, `${label}: a problem without a field path: ${JSON.stringify(p)}`);
    assert.ok(p.field.length < 400, `${label}: field path of ${p.field.length} characters`);
    assert.ok(p.problem.length > 0 && p.problem.length < 700, `${label}: ${p.field}: message of ${p.problem.length} characters`);
  }
  return 'invalid';
}

void describe('spec parsing under fuzzing', () => {
  const seeds = CORPUS.map((c, i) => ({ c, i })).filter(({ c }) => c.valid);

  void it(`${DATA_CASES} mutated specs and ${TEXT_CASES} mutated or hostile texts: no crash, every problem names a field`, (t) => {
    const rng = Rng.seeded(SEED);
    const verdicts = { valid: 0, invalid: 0 };
    for (let n = 0; n < DATA_CASES; n++) {
      const { c, i } = rng.pick(seeds);
      const resource = rng.next() < 0.5;
      const doc = resource ? { ...manifestOf(c, i), spec: mutate(c.spec, rng) } : mutate({ name: `fuzz-${i}`, ...c.spec }, rng);
      const text = rng.next() < 0.5 ? (JSON.stringify(doc) ?? 'null') : stringify(doc);
      verdicts[assertWellFormed(text, resource, `data case ${n} (${c.title})`)]++;
    }
    for (let n = 0; n < TEXT_CASES; n++) {
      const { c, i } = rng.pick(seeds);
      const text = n % 5 === 4 ? hostile(rng, n) : mutateText(stringify({ name: `fuzz-${i}`, ...c.spec }), rng);
      verdicts[assertWellFormed(text, false, `text case ${n}`)]++;
    }
    t.diagnostic(`seed ${SEED}: ${verdicts.valid} valid, ${verdicts.invalid} invalid`);
    assert.ok(verdicts.valid > 20 && verdicts.invalid > 300, `both verdicts occur: ${JSON.stringify(verdicts)}`);
  });
});
