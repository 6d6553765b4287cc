import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchSearch } from '../../../src/bench/search-bench.js';

const BIN = fileURLToPath(new URL('../../../../bin/nasflow.js', import.meta.url));

void describe('NAS-Bench-201 benchmark protocol', () => {
  void it('random search at 100 trials reproduces the paper (93.70 test) within 0.1 over 200 seeds', () => {
    const s = benchSearch({ benchmark: 'nb201-cifar10', algorithm: 'random', trials: 100, seeds: 200 }, () => performance.now());
    assert.ok(Math.abs(s.meanTestAccuracy - 93.7) < 0.1, `mean ${s.meanTestAccuracy}`);
    assert.equal(s.replayCheck, 'identical');
  });
  void it('regularized evolution beats random and the paper REINFORCE figure (93.85) over 50 seeds', () => {
    const rea = benchSearch({ benchmark: 'nb201-cifar10', algorithm: 'regularized-evolution', trials: 100, seeds: 50 }, () => performance.now());
    const rs = benchSearch({ benchmark: 'nb201-cifar10', algorithm: 'random', trials: 100, seeds: 50 }, () => performance.now());
    assert.ok(rea.meanTestAccuracy >= 93.85, `REA ${rea.meanTestAccuracy}`);
    assert.ok(rea.meanTestAccuracy > rs.meanTestAccuracy);
  });
  void it('with out-of-order results from 8 simulated workers the search still completes its trials', () => {
    const s = benchSearch({ benchmark: 'nb201-cifar100', algorithm: 'regularized-evolution', trials: 60, seeds: 3, workers: 8 }, () => performance.now());
    assert.ok(s.meanTestAccuracy > 60 && s.meanTestAccuracy < 74);
  });
});

void describe('nasflow bench search', () => {
  void it('prints one JSON object per algorithm with the summary fields', () => {
    const out = execFileSync(
      process.execPath,
      [BIN, 'bench', 'search', '--benchmark', 'nb201-imagenet16-120', '--algorithm', 'random', '--trials', '20', '--seeds', '3', '--json'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const lines = out.trim().split('\n');
    const last = JSON.parse(lines[lines.length - 1]!);
    for (const k of ['algorithm', 'benchmark', 'trials', 'seeds', 'meanTestAccuracy', 'stdTestAccuracy']) assert.ok(k in last, k);
    assert.equal(last.benchmark, 'nb201-imagenet16-120');
    assert.equal(last.trials, 20);
    assert.ok(last.meanTestAccuracy > 15 && last.meanTestAccuracy < 48);
  });
  void it('names the flag and the allowed values on a bad benchmark', () => {
    assert.throws(
      () => execFileSync(process.execPath, [BIN, 'bench', 'search', '--benchmark', 'nb101'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
      (e: { stderr?: string }) => /--benchmark: expected one of nb201-cifar10, nb201-cifar100, nb201-imagenet16-120; received "nb101"/.test(e.stderr ?? ''),
    );
  });
});
