/**
 * The platform image (target `platform`, entrypoint `nasflow`: the operator and worker pods), run
 * as a kubelet runs those pods: under runc, as uid 1000, read-only root with a tmpfs /tmp, host
 * network (src/image/runc.ts). Its own entrypoint prints the CLI help; `--version` and
 * `operator --help` print. `nasflow worker` in the image polls a real Temporal dev server, answers
 * its readiness probe, runs a NAS-Bench-201 search that `nasflow search run --address` submits
 * from the host (storage on the real S3 server) to the end, and stops cleanly on SIGTERM.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { runCli } from '../../helpers/cli.js';
import { startS3Bucket, startTemporal, type Handle, type S3Bucket } from '../../helpers/infra.js';
import { cpuImage, imageTestsSkipReason, REPO_ROOT } from '../../helpers/trial-image.js';
import { eventually, TIMEOUTS } from '../../helpers/wait.js';
import { freePort } from '../../../src/dev/ports.js';
import type { TemporalEndpoints } from '../../../src/dev/temporal.js';
import { startContainer, type ContainerSpec, type Unpacked } from '../../../src/image/runc.js';
import type { BuiltImage } from '../../../src/image/build.js';
import { localSearchId, workflowIdFor } from '../../../src/common/ids.js';
import { workflowPollers } from '../../../src/client/task-queue.js';
import * as layout from '../../../src/api/store-layout.js';
import { S3Store } from '../../../src/store/s3-store.js';

const Bucket = 'nasflow-platform-it';
const TRIALS = 8;
const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

void describe('platform image under runc (nasflow entrypoint, uid 1000, read-only root)', { skip: imageTestsSkipReason() ?? false }, () => {
  let built: BuiltImage;
  let image: Unpacked;
  let temporal: Handle<TemporalEndpoints>;
  let bucket: S3Bucket;
  let work: string;
  let n = 0;

  before(async () => {
    const started = Date.now();
    ({ built, unpacked: image } = await cpuImage('platform'));
    console.error(
      `[image] ${built.ref} ${built.digest} (${built.cached ? 'cached' : 'built'}; ${(built.compressedBytes / 1e6).toFixed(0)} MB compressed, ${(built.uncompressedBytes / 1e6).toFixed(0)} MB uncompressed) ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    work = mkdtempSync(join(tmpdir(), 'nasflow-platform-'));
    temporal = await startTemporal();
    bucket = await startS3Bucket(Bucket);
  });
  after(async () => {
    await bucket?.stop();
    await temporal?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** A container of the platform image as the operator or worker pod runs it. */
  function run(spec: Omit<ContainerSpec, 'uid' | 'gid'>) {
    const c = startContainer(image, { ...spec, uid: 1000, gid: 1000 }, join(work, 'runc'), `platform-${process.pid}-${n++}`);
    let stdout = '';
    let stderr = '';
    c.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    c.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    return { ...c, stdout: () => stdout, stderr: () => stderr };
  }

  void it("the image's own entrypoint is the nasflow CLI; --version and operator --help print", async () => {
    assert.deepEqual(image.base.process.args, ['nasflow', '--help'], 'ENTRYPOINT nasflow, CMD --help');
    const help = run({});
    assert.equal(await help.exited, 0, help.stderr());
    assert.match(help.stdout(), /Usage: nasflow/);
    for (const cmd of ['operator', 'worker', 'search', 'train']) assert.match(help.stdout(), new RegExp(`^\\s+${cmd}\\b`, 'm'), `help lists ${cmd}`);

    const version = run({ args: ['nasflow', '--version'] });
    assert.equal(await version.exited, 0, version.stderr());
    assert.equal(version.stdout().trim(), VERSION);

    const operator = run({ args: ['nasflow', 'operator', '--help'] });
    assert.equal(await operator.exited, 0, operator.stderr());
    assert.match(operator.stdout(), /Usage: nasflow operator/);
    assert.match(operator.stdout(), /--address <host:port>/);
    assert.match(operator.stdout(), /--watch-namespace/);
  });

  void it('nasflow worker in the image runs a NAS-Bench-201 search to the end, answers its readiness probe, and stops on SIGTERM', async () => {
    const metrics = `127.0.0.1:${await freePort()}`;
    const worker = run({ args: ['nasflow', 'worker', '--address', temporal.address, '--metrics-address', metrics], env: bucket.env });
    let connection: Connection | undefined;
    try {
      await eventually(async () => {
        const res = await fetch(`http://${metrics}/readyz`);
        assert.equal(res.status, 200, `worker not ready: ${await res.text()}\n${worker.stderr()}`);
      }, TIMEOUTS.medium);
      // The line is written before the worker turns ready, but it reaches this process through the
      // container's stderr pipe, which may deliver it after the readiness answer: wait for it.
      await eventually(
        async () => assert.match(worker.stderr(), new RegExp(`nasflow worker: polling task queue nasflow on ${temporal.address.replace(/\./g, '\\.')}`)),
        TIMEOUTS.short,
      );
      // The server lists the worker's long poll (what `search run` checks before it warns that no worker polls).
      connection = await Connection.connect({ address: temporal.address });
      const client = new Client({ connection });
      await eventually(async () => assert.ok((await workflowPollers(client, 'default', Date.now())) > 0, 'no poller on the task queue yet'), TIMEOUTS.medium);

      const dir = mkdtempSync(join(work, 'spec-'));
      const specFile = join(dir, 'spec.yaml');
      writeFileSync(
        specFile,
        `name: platform\nalgorithm: {evolution: {population: 4, sample: 2}}\nspace: nb201\nevaluator: {type: benchmark, benchmark: nb201-cifar10}\nbudget: {maxTrials: ${TRIALS}, parallelism: 2}\nstorage: s3://${Bucket}/store\nseed: 11\n`,
      );
      const search = await runCli(['search', 'run', specFile, '--address', temporal.address, '--id', 'p', '--json'], { ...process.env, ...bucket.env });
      assert.equal(search.code, 0, `${search.stderr}\nworker:\n${worker.stderr()}`);
      assert.doesNotMatch(search.stderr, /no worker polls/, 'the worker in the image polled from the start');
      const summary = JSON.parse(search.stdout.trim().split('\n').at(-1) ?? '') as { phase: string; trials: { succeeded: number } };
      assert.deepEqual([summary.phase, summary.trials.succeeded], ['Succeeded', TRIALS]);

      // The worker in the container did the work: its tasks carry the container's identity
      // (pid@hostname inside its PID and UTS namespaces), and it wrote the results to S3.
      const searchId = localSearchId('platform', 'p');
      const history = await client.workflow.getHandle(workflowIdFor(searchId)).fetchHistory();
      const identities = new Set(
        (history.events ?? [])
          .flatMap((e) => [e.workflowTaskCompletedEventAttributes?.identity, e.activityTaskStartedEventAttributes?.identity])
          .filter(Boolean),
      );
      const hostname = String(image.base.hostname);
      assert.ok(identities.size > 0, 'the history names the worker');
      for (const id of identities) assert.match(String(id), new RegExp(`@${hostname}$`), `task done by ${String(id)}, not by the container's worker`);
      const store = new S3Store(bucket.client, Bucket);
      const keys = await store.list(`store/${layout.searchPrefix(searchId)}/`);
      assert.ok(keys.filter((k) => k.endsWith('/result.json')).length >= TRIALS, `trial results in S3: ${keys.join(', ')}`);
    } finally {
      await connection?.close();
      worker.child.kill('SIGTERM');
    }
    assert.equal(await worker.exited, 0, `SIGTERM stops the worker cleanly (as a pod's termination does):\n${worker.stderr()}`);
  });
});
