/**
 * `nasflow latency profile` -> `nasflow latency predict` through the CLI on the native backend:
 * the blocks of the MnasNet zoo models at 8 px (--zoo-only keeps it short on a loaded machine),
 * then mnasnet-a1 predicted from the table and measured whole. Checked: the table's metadata, a
 * positive finite prediction and measurement (no timing value beyond that), a genotype the table
 * does not price refused naming the key, and bad flags refused naming the flag.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { Rng } from '../../../src/common/rng.js';
import { mnasnetSpace } from '../../../src/space/mnasnet.js';
import { parseLatencyTable } from '../../../src/api/latency-table.js';

const env = { ...process.env, NASFLOW_TF_BACKEND: 'node' };

void describe('nasflow latency profile -> predict', { timeout: 20 * 60_000 }, () => {
  void it('profiles the zoo blocks, predicts mnasnet-a1 and measures it whole', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'nasflow-lat-cli-')), 'mnasnet.json');
    const prof = await runCli(
      ['latency', 'profile', '--space', 'mnasnet', '--zoo-only', '--image-size', '8', '--warmup', '1', '--runs', '3', '--device', 'ci', '--out', out],
      env,
    );
    assert.equal(prof.code, 0, prof.stderr);
    assert.match(prof.stdout, /wrote .*space mnasnet, \d+ entries .* on tensorflow \(tfjs-node\)/);
    const table = parseLatencyTable(readFileSync(out, 'utf8'), 'out', out);
    assert.equal(table.device, 'ci');
    assert.equal(table.imageSize, 8);
    assert.deepEqual([table.protocol.warmup, table.protocol.runs], [1, 3]);

    const pred = await runCli(['latency', 'predict', '--table', out, '--space', 'mnasnet', '--zoo', 'mnasnet-a1', '--measure', '--json'], env);
    assert.equal(pred.code, 0, pred.stderr);
    const r = JSON.parse(pred.stdout) as { predictedMs: number; measuredMs: number; relativeError: number; keys: string[] };
    assert.equal(r.keys.length, 8, 'seven blocks and the head');
    for (const v of [r.predictedMs, r.measuredMs]) assert.ok(Number.isFinite(v) && v > 0, `${v}`);
    assert.ok(Number.isFinite(r.relativeError));
    const text = await runCli(['latency', 'predict', '--table', out, '--zoo', 'mnasnet-b1'], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^mnasnet-b1: predicted \d+\.\d+ ms \(8 entries \+ base/);

    const g = JSON.stringify(mnasnetSpace.serialize(mnasnetSpace.sample(Rng.seeded(11))));
    const unpriced = await runCli(['latency', 'predict', '--table', out, '--genotype', g], env);
    assert.notEqual(unpriced.code, 0);
    assert.match(unpriced.stderr, /latencyTable\.entries\["block\d\/c\d+\//);
    const wrongZoo = await runCli(['latency', 'predict', '--table', out, '--zoo', 'ponas-a'], env);
    assert.match(wrongZoo.stderr, /--zoo ponas-a: a ponas model; the table prices space mnasnet/);
    const badSpace = await runCli(['latency', 'profile', '--space', 'nasnet', '--out', out], env);
    assert.match(badSpace.stderr, /--space must be one of mnasnet, ponas/);
    const missing = await runCli(['latency', 'predict', '--table', join(tmpdir(), 'no-such-table.json'), '--zoo', 'mnasnet-a1'], env);
    assert.match(missing.stderr, /--table: no latency table at .*nasflow latency profile/);
  });
});
