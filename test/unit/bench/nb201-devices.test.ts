import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NB201_LATENCY_DEVICES } from '../../../src/space/nb201-devices.js';
import { nb201LatencyDevices } from '../../../src/bench/nb201-table.js';
import { answerTrial } from '../../../src/launch/benchmark-answer.js';
import { loadNb201, loadNb201Latency } from '../../../src/bench/nb201-table.js';
import { fromArchString, nb201Space } from '../../../src/space/nb201.js';
import { parseSearchSpec } from '../../../src/api/search-spec.js';
import { at } from '../../../src/common/indexing.js';

void describe('NB201 latency devices in the spec', () => {
  void it('the spec list equals the header of nb201-hwlatency.json', () => {
    assert.deepEqual([...NB201_LATENCY_DEVICES], nb201LatencyDevices());
  });
  void it('a benchmark trial with a latency target answers the device latency as its cost', () => {
    const spec = parseSearchSpec({
      name: 'lat',
      space: 'nb201',
      storage: '/tmp/nasflow-lat',
      evaluator: { type: 'benchmark', benchmark: 'nb201-cifar10' },
      algorithm: { mnasnetRL: { cost: { metric: 'latency', target: 3, device: 'fpga' } } },
      budget: { maxTrials: 2 },
    });
    const row = at(loadNb201('nb201-cifar10').rows, 123);
    const answer = answerTrial(spec, nb201Space.serialize(fromArchString(row.arch)));
    assert.equal(answer.cost, loadNb201Latency('fpga')[row.idx]);
    assert.equal(answer.valAccuracy, row.val12 / 100);
  });
});
