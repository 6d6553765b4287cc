/**
 * The images: build figures (the last cold build recorded by `nasflow image build`, a warm no-op
 * build timed now, sizes of the CPU and GPU archives; the platform image built after the trainer,
 * whose layers it reuses, and its warm no-op) and the cost of running a trial from the
 * image: examples/trial-tiny.json under runc (uid 1000, read-only root, tmpfs /tmp) against the
 * same trial as a bare process, both against one S3 server on loopback, one run each, as a ratio.
 * Writes BENCHMARKS.md `<!-- bench:image -->`. Needs root (buildah, runc).
 *
 *   node dist/bench/image.bench.js [--no-write]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { commandRunner, storageIn } from '../src/image/buildah.js';
import { buildImage, type BuiltImage } from '../src/image/build.js';
import { startContainer, unpackArchive } from '../src/image/runc.js';
import { startS3 } from '../src/dev/s3.js';
import { stopService } from '../src/dev/service.js';
import { ensureTools } from '../src/dev/tools.js';
import { s3ClientFromEnv, S3Store } from '../src/store/s3-store.js';
import { getJson, putJson } from '../src/store/object-store.js';
import { trialResultKey, trialSpecKey } from '../src/api/store-layout.js';
import { machineLine, table, writeSection } from './report.js';

const REPO = join(import.meta.dirname, '..', '..');
const BUCKET = 'bench-image';

function cacheDir(): string {
  return process.env.NASFLOW_IMAGE_CACHE ?? join(process.env.HOME ?? homedir(), '.cache', 'nasflow', 'images');
}

/** The newest finished build of a variant in the cache (image.json), if any. */
function newestBuilt(dir: string, prefix: string): BuiltImage | undefined {
  const found = readdirSync(dir).filter((n) => n.startsWith(prefix) && !n.endsWith('.building') && existsSync(join(dir, n, 'image.json')));
  const newest = found.map((n) => join(dir, n, 'image.json')).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  return newest ? (JSON.parse(readFileSync(newest, 'utf8')) as BuiltImage) : undefined;
}

async function timed(run: () => Promise<number>): Promise<{ code: number; seconds: number }> {
  const started = performance.now();
  const code = await run();
  return { code, seconds: (performance.now() - started) / 1000 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'no-write': { type: 'boolean', default: false } } });
  const dir = cacheDir();
  const runner = commandRunner(process.env);
  const build = (target: 'trainer' | 'platform' = 'trainer') =>
    buildImage({
      repoRoot: REPO,
      cacheDir: dir,
      target,
      flavour: 'cpu',
      storage: storageIn(dir, process.env),
      runner,
      caBundle: process.env.SSL_CERT_FILE ?? '/etc/ssl/certs/ca-certificates.crt',
      log: (m) => console.error(m),
      now: () => performance.now(),
    });
  const first = await build();
  const warmStarted = performance.now();
  const warm = await build();
  const warmSeconds = (performance.now() - warmStarted) / 1000;
  const platform = await build('platform');
  const platformWarmStarted = performance.now();
  const platformWarm = await build('platform');
  const platformWarmSeconds = (performance.now() - platformWarmStarted) / 1000;
  const gpu = newestBuilt(dir, 'trainer-gpu-');
  const unpacked = await unpackArchive(runner, first.archive, dirname(first.archive));

  const tools = await ensureTools({ env: process.env, only: ['versitygw'] });
  const s3dir = mkdtempSync(join(tmpdir(), 'bench-image-s3-'));
  const work = mkdtempSync(join(tmpdir(), 'bench-image-runc-'));
  const s3 = await startS3(tools.versitygw.path, { dir: s3dir });
  const e = s3.endpoints;
  const env = { NASFLOW_S3_ENDPOINT: e.endpoint, AWS_REGION: e.region, AWS_ACCESS_KEY_ID: e.accessKeyId, AWS_SECRET_ACCESS_KEY: e.secretAccessKey };
  const client = s3ClientFromEnv(env);
  try {
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const store = new S3Store(client, BUCKET);
    const bin = join(REPO, 'bin', 'nasflow.js');
    const node = (args: string[]) =>
      new Promise<number>((resolve) => {
        const child = spawn(process.execPath, [bin, ...args], {
          env: { ...process.env, ...env, NASFLOW_TF_BACKEND: '' },
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        child.on('exit', (code) => resolve(code ?? 1));
      });
    if ((await node(['dataset', 'synth', '--out', `s3://${BUCKET}/data`, '--train', '160', '--test', '32', '--seed', '3'])) !== 0)
      throw new Error('dataset synth failed');
    const example = JSON.parse(readFileSync(join(REPO, 'examples', 'trial-tiny.json'), 'utf8')) as Record<string, unknown>;
    const spec = async (search: string) => {
      const key = trialSpecKey(search, `${search}/0/0`);
      await putJson(store, key, { ...example, trialId: `${search}/0/0`, dataset: `s3://${BUCKET}/data` });
      return `s3://${BUCKET}/${key}`;
    };
    const runcSpec = await spec('runc');
    const bareSpec = await spec('bare');
    const runc = await timed(
      () => startContainer(unpacked, { args: ['nasflow', 'train', '--spec', runcSpec], env, uid: 1000, gid: 1000 }, work, `bench-${process.pid}`).exited,
    );
    const bare = await timed(() => node(['train', '--spec', bareSpec]));
    if (runc.code !== 0 || bare.code !== 0) throw new Error(`trial-tiny failed: runc exit ${runc.code}, bare exit ${bare.code}`);
    const trainer = async (search: string) =>
      (await getJson(store, trialResultKey(search, `${search}/0/0`))) as { wallSeconds: number; backendPackage: string };
    const [r, b] = [await trainer('runc'), await trainer('bare')];
    const mb = (n: number) => `${(n / 1e6).toFixed(0)} MB`;
    const md = [
      `Machine: ${machineLine()} (shared; other jobs ran beside it).`,
      '',
      table(
        ['image', 'build', 'seconds', 'compressed', 'uncompressed', 'digest'],
        [
          [
            'trainer (CPU)',
            first.cached ? 'last real build' : 'this run',
            first.buildSeconds,
            mb(first.compressedBytes),
            mb(first.uncompressedBytes),
            `\`${first.digest.slice(0, 19)}…\``,
          ],
          ['trainer (CPU)', 'warm: unchanged tree (no-op)', warmSeconds.toFixed(2), '', '', warm.cached ? 'cached' : 'REBUILT'],
          [
            'platform (CPU)',
            platform.cached ? 'last real build' : 'this run, after the trainer (its layers reused)',
            platform.buildSeconds,
            mb(platform.compressedBytes),
            mb(platform.uncompressedBytes),
            `\`${platform.digest.slice(0, 19)}…\``,
          ],
          ['platform (CPU)', 'warm: unchanged tree (no-op)', platformWarmSeconds.toFixed(2), '', '', platformWarm.cached ? 'cached' : 'REBUILT'],
          ...(gpu
            ? [['trainer (GPU)', 'last real build', gpu.buildSeconds, mb(gpu.compressedBytes), mb(gpu.uncompressedBytes), `\`${gpu.digest.slice(0, 19)}…\``]]
            : []),
        ],
      ),
      '',
      table(
        ['trial-tiny', 'process wall s', 'trainer wall s', 'backend'],
        [
          ['under runc (image)', runc.seconds.toFixed(1), r.wallSeconds.toFixed(1), r.backendPackage],
          ['bare process', bare.seconds.toFixed(1), b.wallSeconds.toFixed(1), b.backendPackage],
          ['ratio runc / bare', (runc.seconds / bare.seconds).toFixed(2), (r.wallSeconds / b.wallSeconds).toFixed(2), ''],
        ],
      ),
    ].join('\n');
    console.log(md);
    if (!values['no-write']) writeSection('image', md);
  } finally {
    client.destroy();
    for (const p of [...s3.processes].reverse()) await stopService(p);
    rmSync(s3dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
