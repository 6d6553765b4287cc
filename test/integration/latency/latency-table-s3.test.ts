/**
 * A latency table on a real S3 server (versitygw on loopback): PONAS's cost rows read through the
 * spec's s3:// `cost.latencyTable` (the synchronous read, a child process reusing the store code),
 * a missing object refused as a spec error naming the field and the fix, and `nasflow latency
 * predict --table s3://…` pricing a genotype through the CLI.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startS3Bucket, type S3Bucket } from '../../helpers/infra.js';
import { runCli } from '../../helpers/cli.js';
import { S3Store } from '../../../src/store/s3-store.js';
import { putJson } from '../../../src/store/object-store.js';
import { isSpecError, parseSearchSpec } from '../../../src/api/search-spec.js';
import { ponasCostTableFor } from '../../../src/search/ponas-costs.js';
import { ponasLatencyCosts } from '../../../src/search/ponas-latency-costs.js';
import { ponasSpace } from '../../../src/space/ponas.js';
import { Rng } from '../../../src/common/rng.js';
import { tableLatency } from '../../../src/algorithms/rl/latency-table.js';
import { madeUpLatencyTable, ponasSpecWith } from '../../helpers/made-up-latency-table.js';

void describe('latency tables on S3', { timeout: 15 * 60_000 }, () => {
  let s3: S3Bucket;
  const table = madeUpLatencyTable('ponas', 32, { device: 's3-test' });
  before(async () => {
    s3 = await startS3Bucket('latency-tables');
    await putJson(new S3Store(s3.client, s3.bucket), 'tables/ponas.json', table);
  });
  after(async () => s3?.stop());

  void it('PONAS reads its cost rows from an s3:// table; a missing one is a spec error naming the field', () => {
    const saved = { ...process.env };
    Object.assign(process.env, s3.env);
    try {
      const spec = (uri: string) => parseSearchSpec(ponasSpecWith({ budget: 5, cost: { metric: 'latency', latencyTable: uri } }, 32));
      assert.deepEqual(ponasCostTableFor(spec('s3://latency-tables/tables/ponas.json')).costs, ponasLatencyCosts(table, 32).costs);
      assert.throws(
        () => ponasCostTableFor(spec('s3://latency-tables/tables/none.json')),
        (e: unknown) =>
          isSpecError(e) && e.field === 'algorithm.ponas.cost.latencyTable' && /no latency table at s3:\/\/latency-tables\/tables\/none\.json/.test(e.message),
      );
    } finally {
      process.env = saved;
    }
  });

  void it('nasflow latency predict reads an s3:// table', async () => {
    const g = ponasSpace.sample(Rng.seeded(4));
    const r = await runCli(
      ['latency', 'predict', '--table', 's3://latency-tables/tables/ponas.json', '--genotype', JSON.stringify(ponasSpace.serialize(g)), '--json'],
      {
        ...process.env,
        ...s3.env,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { predictedMs: number; keys: string[] };
    assert.equal(out.keys.length, 19);
    assert.ok(Math.abs(out.predictedMs - tableLatency(ponasSpace, g, table)) < 1e-9);
  });
});
