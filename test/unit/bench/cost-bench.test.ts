import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { costBench, feasibleOptimum } from '../../../src/bench/cost-bench.js';
import { nb201Evaluator } from '../../../src/bench/evaluator.js';
import { loadNb201, loadNb201Latency, nb201LatencyDevices } from '../../../src/bench/nb201-table.js';
import { fromArchString } from '../../../src/space/nb201.js';
import { at } from '../../../src/common/indexing.js';

const BIN = fileURLToPath(new URL('../../../../bin/nasflow.js', import.meta.url));
const controller = { hidden: 32, lr: 0.02, batchSize: 5, method: 'reinforce' as const };

void describe('NAS-Bench-201 latency from nb201-hwlatency.json', () => {
  void it('lists the 27 device settings and answers a cell with its device latency', () => {
    const devices = nb201LatencyDevices();
    assert.equal(devices.length, 27);
    for (const d of ['pixel3', 'raspi4', 'fpga', 'eyeriss', '2080ti_1']) assert.ok(devices.includes(d), d);
    const table = loadNb201('nb201-cifar10');
    const row = at(table.rows, 0);
    const e = nb201Evaluator(table, { cost: 'latency', latency: loadNb201Latency('pixel3') }).evaluate(fromArchString(row.arch));
    assert.equal(e.cost, 3.6058); // row 0, column pixel3 of the file
    assert.equal(e.accuracy, row.val12);
  });
  void it('names the field and the devices on an unknown device', () => {
    assert.throws(() => loadNb201Latency('pixel9'), /device: expected one of .*pixel3.*; received "pixel9"/);
  });
  void it('finds the table optimum under a latency target (fpga, 3 ms)', () => {
    const o = feasibleOptimum(loadNb201('nb201-cifar10'), 'latency', 3, loadNb201Latency('fpga'));
    assert.equal(o.testOfBestByVal12, 93.123);
    assert.ok(o.bestTest >= o.testOfBestByVal12);
    assert.ok(o.feasibleShare > 0.28 && o.feasibleShare < 0.3, String(o.feasibleShare));
  });
});

void describe('constrained search bench', () => {
  const run = (seedStart: number) =>
    costBench({
      benchmark: 'nb201-cifar10',
      cost: 'latency',
      device: 'raspi4',
      target: 25,
      alpha: 0,
      beta: -1,
      checkpoints: [10, 30],
      seeds: 1,
      seedStart,
      controller,
      algorithms: ['mnasnet-rl', 'regularized-evolution'],
    });
  void it('honours the first seed (seeds 0 and 500 differ) and repeats itself for the same seed', () => {
    const a = run(0);
    const b = run(500);
    assert.deepEqual(run(0), a);
    assert.notDeepEqual(a.rows, b.rows);
    assert.deepEqual(
      a.rows.map((r) => r.checkpoints.map((c) => c.trials)),
      [
        [10, 30],
        [10, 30],
      ],
    );
    for (const c of a.rows.flatMap((r) => r.checkpoints)) assert.ok(c.withinTargetShare >= 0 && c.withinTargetShare <= 1);
  });
  void it('nasflow bench search --cost latency names --device when it is missing', () => {
    assert.throws(
      () =>
        execFileSync(
          process.execPath,
          [BIN, 'bench', 'search', '--benchmark', 'nb201-cifar10', '--algorithm', 'mnasnet-rl', '--cost', 'latency', '--target', '5'],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
        ),
      (e: { stderr?: string }) => /--device: --cost latency needs a device/.test(e.stderr ?? ''),
    );
  });
  void it('nasflow bench search --cost latency --json reports every algorithm at each checkpoint', () => {
    const args = [
      'bench',
      'search',
      '--benchmark',
      'nb201-cifar10',
      '--algorithm',
      'mnasnet-rl',
      '--cost',
      'latency',
      '--device',
      'fpga',
      '--target',
      '3',
      '--constraint',
      'hard',
      '--trials',
      '10,20',
      '--seeds',
      '1',
      '--seed-start',
      '7',
      '--json',
    ];
    const lines = execFileSync(process.execPath, [BIN, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    const rows = lines.map(
      (l) => JSON.parse(l) as { algorithm: string; device: string; optimum: { testOfBestByVal12: number }; checkpoints: { trials: number }[] },
    );
    assert.deepEqual(
      rows.map((r) => r.algorithm),
      ['random', 'regularized-evolution', 'mnasnet-rl'],
    );
    for (const r of rows) {
      assert.equal(r.device, 'fpga');
      assert.equal(r.optimum.testOfBestByVal12, 93.123);
      assert.deepEqual(
        r.checkpoints.map((c) => c.trials),
        [10, 20],
      );
    }
  });
});
