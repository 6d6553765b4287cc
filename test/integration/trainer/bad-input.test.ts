/**
 * Non-retryable failures of `nasflow train`: a bad spec or unusable data exits 2 with a message
 * naming the field or URI and leaves the output prefix untouched; a NaN loss exits 3.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore } from '../../../src/store/local-store.js';
import { EXIT_BAD_INPUT, EXIT_NUMERICAL } from '../../../src/api/exit-codes.js';
import { writeSynthetic } from '../../../src/trainer/synth.js';
import { tinySpec } from '../../unit/trainer/fixtures/tiny-model.js';
import { NASFLOW_BIN, TINY_TRAIN, startNode } from './process-helpers.js';
import { at } from '../../../src/common/indexing.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', '..', '..', 'examples', 'trial-tiny.json');

void describe('trainer: bad spec, unusable data, NaN', () => {
  // Created at load time: the case table below names paths inside it.
  const dir = mkdtempSync(join(tmpdir(), 'nasflow-bad-'));
  const data = join(dir, 'data');
  const out = join(dir, 'out');
  let example: Record<string, unknown>;
  const root = new LocalStore('/');
  before(async () => {
    await writeSynthetic(new LocalStore(data), { classes: 10, train: 60, test: 0, seed: 2 });
    // An output prefix that already holds a trial's files, which no failure may touch.
    const o = new LocalStore(out);
    await o.put('checkpoints/0000000007/state.json', '{"step":7}');
    await o.put('checkpoints/0000000007/weights.bin', new Uint8Array([1, 2, 3, 4]));
    await o.put('checkpoints/LATEST', '7\n');
    await o.put('notes.txt', 'keep me');
    example = JSON.parse(await readFile(EXAMPLE, 'utf8')) as Record<string, unknown>;
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  const snapshot = async (): Promise<string> => {
    const store = new LocalStore(out);
    const keys = await store.list('');
    const parts = await Promise.all(
      keys.map(
        async (k) =>
          `${k}:${createHash('sha256')
            .update(await store.get(k))
            .digest('hex')}`,
      ),
    );
    return parts.join('\n');
  };
  const writeSpec = async (name: string, spec: unknown): Promise<string> => {
    const path = join(dir, 'specs', `${name}.json`);
    await root.put(path.slice(1), typeof spec === 'string' ? spec : JSON.stringify(spec));
    return path;
  };
  const train = async (args: string[]) => {
    const run = startNode(NASFLOW_BIN, ['train', ...args]);
    const { code } = await run.exited;
    return { code, stderr: run.stderr() };
  };
  const withOps = (op: string): Record<string, unknown> => {
    const g = structuredClone(example.genotype) as { normal: { blocks: { ops: string[] }[] } };
    at(g.normal.blocks, 2, 'block').ops[1] = op;
    return { ...example, genotype: g };
  };

  const cases: { name: string; args: () => Promise<string[]>; expect: RegExp[] }[] = [
    {
      name: 'an unknown op in the genotype names the genotype field and the op',
      args: async () => ['--spec', await writeSpec('op', withOps('sep_9x9')), '--dataset', data, '--out', out],
      expect: [/genotype\.normal\.blocks\[2\]\.ops\[1\]/, /sep_9x9/],
    },
    {
      name: 'a missing dataset names the dataset URI',
      args: async () => ['--spec', EXAMPLE, '--dataset', join(dir, 'no-such-data'), '--out', out],
      expect: [new RegExp(`dataset ${join(dir, 'no-such-data')}`), /data_batch_<n>\.bin/],
    },
    {
      name: 'an unreadable dataset URI names the field and the URI',
      args: async () => ['--spec', EXAMPLE, '--dataset', 'http://example.com/cifar', '--out', out],
      expect: [/dataset/, /http:\/\/example\.com\/cifar/],
    },
    {
      name: 'a missing spec names the spec URI',
      args: async () => ['--spec', join(dir, 'nope', 'spec.json'), '--out', out],
      expect: [/--spec/, new RegExp(join(dir, 'nope', 'spec.json'))],
    },
    {
      name: 'a spec that is not JSON says so',
      args: async () => ['--spec', await writeSpec('garbage', '{"schemaVersion": 1,'), '--out', out],
      expect: [/not valid JSON/],
    },
    {
      name: 'an out-of-range recipe field names the field and the value',
      args: async () => ['--spec', await writeSpec('batch', { ...example, recipe: { batchSize: 0 } }), '--dataset', data, '--out', out],
      expect: [/#recipe\.batchSize/, /received 0/],
    },
    {
      name: 'an unknown space names the field and the known spaces',
      args: async () => ['--spec', await writeSpec('space', { ...example, space: 'darts' }), '--dataset', data, '--out', out],
      expect: [/space/, /nasnet/, /"darts"/],
    },
    {
      name: 'no dataset anywhere names the dataset field',
      args: async () => ['--spec', await writeSpec('nodata', { ...example, dataset: undefined }), '--out', out],
      expect: [/#dataset: missing/],
    },
    {
      name: 'labels beyond macro.classes make the data unusable',
      args: async () => [
        '--spec',
        await writeSpec('classes', { ...example, macro: { ...(example.macro as object), classes: 2 } }),
        '--dataset',
        data,
        '--out',
        out,
      ],
      expect: [/out of range for macro\.classes=2/],
    },
  ];

  for (const c of cases) {
    void it(`exits ${EXIT_BAD_INPUT}: ${c.name}; the output prefix is untouched`, async () => {
      const before = await snapshot();
      const { code, stderr } = await train(await c.args());
      assert.equal(code, EXIT_BAD_INPUT, stderr);
      for (const re of c.expect) assert.match(stderr, re);
      assert.equal(await snapshot(), before);
    });
  }

  void it(`exits ${EXIT_NUMERICAL} when the loss becomes NaN`, async () => {
    const spec = await writeSpec('nan', tinySpec({ macro: { classes: 10 }, recipe: { lr: { initial: 1e30 }, gradClipNorm: 0 } }));
    const run = startNode(TINY_TRAIN, [spec, data, join(dir, 'nan-out')]);
    const { code } = await run.exited;
    assert.equal(code, EXIT_NUMERICAL, run.stderr());
    assert.match(run.stderr(), /loss is (NaN|Infinity|-Infinity) at step \d+/);
  });
});
