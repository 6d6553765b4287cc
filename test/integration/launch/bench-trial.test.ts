/**
 * The trial spec is one contract (src/api/trial-spec.ts) for every process that reads it:
 * `nasflow bench-trial` answers a table-backed spec and writes a result.json the search's schema
 * accepts, and refuses a trainer's spec with exit 2 (never retried) naming the missing field.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { EXIT_BAD_INPUT } from '../../../src/api/exit-codes.js';
import { trialResultSchema } from '../../../src/api/trial-result.js';
import { TRIAL_SPEC_VERSION, trialSpecSchema, type TrialSpecInput } from '../../../src/api/trial-spec.js';
import { parseSearchSpec } from '../../../src/api/search-spec.js';
import { makeSearch } from '../../helpers/search-builder.js';

describe('nasflow bench-trial reads the trial-spec contract', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'nasflow-bench-trial-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  void it('answers a benchmark trial spec with a valid result.json', async () => {
    const search = parseSearchSpec(makeSearch('contract', dir).obj());
    const spec: TrialSpecInput = {
      schemaVersion: TRIAL_SPEC_VERSION,
      trialId: 's/0/0',
      space: 'nb201',
      genotype: { edges: ['nor_conv_3x3', 'skip_connect', 'nor_conv_3x3', 'avg_pool_3x3', 'skip_connect', 'nor_conv_1x1'] },
      macro: search.macro,
      recipe: search.trial,
      seed: 1,
      benchmark: { evaluator: search.evaluator, algorithm: search.algorithm },
    };
    trialSpecSchema.parse(spec);
    mkdir(join(dir, 'b'));
    writeFileSync(join(dir, 'b', 'spec.json'), JSON.stringify(spec));
    const run = await runCli(['bench-trial', '--spec', join(dir, 'b', 'spec.json')]);
    assert.equal(run.code, 0, run.stderr);
    const result = trialResultSchema.parse(JSON.parse(readFileSync(join(dir, 'b', 'result.json'), 'utf8')));
    assert.equal(result.kind, 'benchmark');
  });

  void it("refuses a trainer's spec with exit 2, naming the benchmark field", async () => {
    const example = readFileSync(join(import.meta.dirname, '..', '..', '..', '..', 'examples', 'trial-tiny.json'), 'utf8');
    mkdir(join(dir, 't'));
    writeFileSync(join(dir, 't', 'spec.json'), example);
    const run = await runCli(['bench-trial', '--spec', join(dir, 't', 'spec.json')]);
    assert.equal(run.code, EXIT_BAD_INPUT, run.stderr);
    assert.match(run.stderr, /spec\.json#benchmark: expected the benchmark/);
  });
});

function mkdir(path: string): void {
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
}
