/**
 * `nasflow search validate`: prints the normalised spec (every default applied) and exits 0, or
 * prints `field: problem` lines and exits 1; `--resource` checks a manifest and refuses other
 * kinds; hostile YAML gets a clear message. It starts nothing (no Temporal address is needed and
 * none is contacted: TEMPORAL_ADDRESS points at a closed port).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const BIN = join(ROOT, 'bin', 'nasflow.js');

void describe('nasflow search validate', () => {
  let dir: string;
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const validate = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, 'search', 'validate', ...args], { encoding: 'utf8', env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' } });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nasflow-validate-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  void it('prints the quickstart with every default applied and exits 0', () => {
    const r = validate(join(ROOT, 'examples', 'quickstart.yaml'));
    assert.equal(r.status, 0, r.stderr);
    const spec = parse(r.stdout) as { macro: Record<string, number>; budget: { trialRetries: number }; trial: { lr: { schedule: string } } };
    assert.equal(spec.macro.cellsPerStage, 1);
    assert.equal(spec.budget.trialRetries, 3, 'defaults are filled');
    assert.equal(spec.trial.lr.schedule, 'cosine', 'recipe defaults are filled');
  });

  void it('checks a manifest with --resource and prints it with the spec defaults', () => {
    const r = validate('--resource', join(ROOT, 'k8s', 'examples', 'nasnet-cifar10.yaml'));
    assert.equal(r.status, 0, r.stderr);
    const m = parse(r.stdout) as { kind: string; spec: { template: { ttlSecondsAfterFinished: number }; macro: { cellsPerStage: number } } };
    assert.equal(m.kind, 'NeuralArchitectureSearch');
    assert.equal(m.spec.template.ttlSecondsAfterFinished, 3600);
    assert.equal(m.spec.macro.cellsPerStage, 2);
  });

  void it('prints every problem with its field path and exits 1', () => {
    const text = readFileSync(join(ROOT, 'examples', 'quickstart.yaml'), 'utf8')
      .replace('cellsPerStage: 1', 'N: 1')
      .replace('epochs: 2', 'epochz: 2');
    const r = validate(file('bad.yaml', text.replace('maxTrials: 8', 'maxTrials: .inf')));
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /macro\.N: unknown field: macro\.N was renamed; use macro\.cellsPerStage/);
    assert.match(r.stderr, /trial\.epochz: unknown field "epochz"; did you mean `epochs`\?/);
    assert.match(r.stderr, /budget\.maxTrials: must be a finite number; received Infinity/);
  });

  void it('refuses a manifest of another kind, naming kind', () => {
    const r = validate('--resource', file('pod.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: []}\n'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /kind: expected NeuralArchitectureSearch .*received "Pod"/);
  });

  void it('blames spec for spec: null', () => {
    const r = validate('--resource', file('null.yaml', 'apiVersion: nasflow.io/v1alpha1\nkind: NeuralArchitectureSearch\nmetadata: {name: n}\nspec: null\n'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /\n {2}spec: expected a mapping of search fields; received null/);
  });

  void it('explains alias cycles, alias bombs and deep nesting instead of crashing', () => {
    const cycle = validate(file('cycle.yaml', 'name: &a [*a]\n'));
    assert.match(cycle.stderr, /name\.0: a YAML alias here refers to a node that contains it/);
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 8 },
        (_, k) =>
          `${String.fromCharCode(98 + k)}: &${String.fromCharCode(98 + k)} [${Array(9)
            .fill(`*${String.fromCharCode(97 + k)}`)
            .join(', ')}]`,
      ),
    ].join('\n');
    assert.match(validate(file('bomb.yaml', bomb)).stderr, /\(root\): the document expands YAML aliases more than 100 times/);
    assert.match(
      validate(file('deep.yaml', `name: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`)).stderr,
      /\(root\): the document nests too deeply|nests deeper than 32 levels/,
    );
    for (const r of [cycle]) assert.equal(r.status, 1);
  });

  void it('truncates a 100,000-character name in its message', () => {
    const text = readFileSync(join(ROOT, 'examples', 'quickstart.yaml'), 'utf8').replace('name: quickstart', `name: ${'a'.repeat(100_000)}`);
    const r = validate(file('long.yaml', text));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /name: must be a DNS label.*… \(100002 characters\)/);
    assert.ok(r.stderr.length < 2000, `stderr of ${r.stderr.length} characters`);
  });
});
