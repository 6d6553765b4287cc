/**
 * `nasflow latency profile` -> `nasflow latency predict` through the CLI on the native backend:
 * the blocks of the MnasNet zoo models at 8 px (--zoo-only keeps it short on a loaded machine),
 * then mnasnet-a1 predicted from the table and measured whole. Checked: the table's metadata, a
 * positive finite prediction and measurement (no timing value beyond that), a genotype the table
 * does not price refused naming the key, and bad flags refused naming the flag. NASNet: the pieces
 * of NASNet-A at nasnet-a-mobile's macro at 8 px (--zoo-only), the zoo model and its cells given as
 * a genotype priced alike and measured whole; a zoo model of another macro, a genotype of another
 * space and an unprofiled genotype refused naming the field and the fix.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { Rng } from '../../../src/common/rng.js';
import { mnasnetSpace } from '../../../src/space/mnasnet.js';
import { NASNET_A, nasnetSpace } from '../../../src/space/nasnet.js';
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
    const badSpace = await runCli(['latency', 'profile', '--space', 'pnas', '--out', out], env);
    assert.match(badSpace.stderr, /--space must be one of mnasnet, ponas, nasnet; received "pnas"/);
    const cellsOnChain = await runCli(['latency', 'predict', '--table', out, '--genotype', JSON.stringify(nasnetSpace.serialize(NASNET_A))], env);
    assert.match(cellsOnChain.stderr, /--genotype: not a mnasnet genotype .*the table prices space mnasnet/);
    const missing = await runCli(['latency', 'predict', '--table', join(tmpdir(), 'no-such-table.json'), '--zoo', 'mnasnet-a1'], env);
    assert.match(missing.stderr, /--table: no latency table at .*nasflow latency profile/);
  });

  void it("profiles the NASNet-A pieces at nasnet-a-mobile's macro and predicts the zoo model and its cells", async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'nasflow-lat-cli-')), 'nasnet.json');
    const prof = await runCli(
      [
        'latency',
        'profile',
        '--space',
        'nasnet',
        '--zoo-macro',
        'nasnet-a-mobile',
        '--zoo-only',
        '--image-size',
        '8',
        '--warmup',
        '1',
        '--runs',
        '3',
        '--out',
        out,
      ],
      env,
    );
    assert.equal(prof.code, 0, prof.stderr);
    assert.match(prof.stdout, /wrote .*space nasnet \(imagenet stem, N 4, F 44, stem multiplier 1\), \d+ entries/);
    const table = parseLatencyTable(readFileSync(out, 'utf8'), 'out', out);
    assert.deepEqual(table.macro, { stem: 'imagenet', cellsPerStage: 4, filters: 44, stemMultiplier: 1, skipReductionLayerInput: false });
    assert.equal(table.protocol.composition, 'cell-parts');

    const pred = await runCli(['latency', 'predict', '--table', out, '--zoo', 'nasnet-a-mobile', '--measure', '--json'], env);
    assert.equal(pred.code, 0, pred.stderr);
    const r = JSON.parse(pred.stdout) as { predictedMs: number; measuredMs: number; relativeError: number; keys: string[] };
    assert.ok(r.keys.includes('nasnet/reduction/stem0/sep_5x5/x2/c11'), r.keys.join(' '));
    assert.equal(r.keys.filter((k) => k === 'nasnet/normal/s2/add').length, 5 * 4, 'five adds in each of N = 4 cells');
    for (const v of [r.predictedMs, r.measuredMs]) assert.ok(Number.isFinite(v) && v > 0, `${v}`);
    const cells = await runCli(['latency', 'predict', '--table', out, '--genotype', JSON.stringify(nasnetSpace.serialize(NASNET_A)), '--json'], env);
    assert.equal(cells.code, 0, cells.stderr);
    assert.equal((JSON.parse(cells.stdout) as { predictedMs: number }).predictedMs, r.predictedMs);

    const otherMacro = await runCli(['latency', 'predict', '--table', out, '--zoo', 'nasnet-a-large'], env);
    assert.match(
      otherMacro.stderr,
      /--zoo nasnet-a-large: built with .*filters 168.*the table was profiled for .*macro\.filters 44.*--zoo-macro nasnet-a-large/,
    );
    const chain = await runCli(
      ['latency', 'predict', '--table', out, '--genotype', JSON.stringify(mnasnetSpace.serialize(mnasnetSpace.sample(Rng.seeded(2))))],
      env,
    );
    assert.match(chain.stderr, /--genotype: not a nasnet genotype \(normal\.blocks: .*the table prices space nasnet/);
    const sampled = JSON.stringify(nasnetSpace.serialize(nasnetSpace.sample(Rng.seeded(4))));
    const unpriced = await runCli(['latency', 'predict', '--table', out, '--genotype', sampled], env);
    assert.match(unpriced.stderr, /latencyTable\.entries\["nasnet\//);
    const chainFlag = await runCli(['latency', 'profile', '--space', 'ponas', '--filters', '8', '--out', out], env);
    assert.match(chainFlag.stderr, /set the nasnet macro; use --space nasnet/);
  });
});
