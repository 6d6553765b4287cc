/** `nasflow image build`: the trial (and platform) image, built without a Docker daemon. */
import type { Command } from 'commander';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { commandRunner, storageIn } from '../image/buildah.js';
import { buildImage, copyArchive, type BuiltImage } from '../image/build.js';
import { checkCreds, pushArchive, pushDestination } from '../image/push.js';
import type { ImageTarget } from '../image/names.js';

interface BuildFlags {
  gpu?: boolean;
  target: string;
  out?: string;
  push?: string;
  insecure?: boolean;
  creds?: string;
  json?: boolean;
}

export function imageCacheDir(env: NodeJS.ProcessEnv): string {
  return env.NASFLOW_IMAGE_CACHE ?? join(env.HOME ?? homedir(), '.cache', 'nasflow', 'images');
}

export function registerImageCommands(program: Command): void {
  const image = program.command('image').description('the nasflow container images (buildah, no Docker daemon)');
  image
    .command('build')
    .description('build image/Containerfile into an OCI archive (cached by content hash under ~/.cache/nasflow/images) and print its digest')
    .option('--gpu', 'the GPU variant: TensorFlow 2.21 with CUDA 12 / cuDNN 9 libraries (docs/gpu.md)')
    .option('--target <name>', 'trainer (trial pods, entrypoint "nasflow train") or platform (operator and worker)', 'trainer')
    .option('--out <file>', 'also copy the OCI archive to this file')
    .option('--push <ref>', 'push to a registry with skopeo, e.g. ghcr.io/me/nasflow-trainer:0.1.0')
    .option('--insecure', 'with --push: skip TLS verification, allow plain HTTP (a registry on loopback or in a test cluster)')
    .option('--creds <user:password>', 'with --push: registry credentials (user:password or user:token)')
    .option('--json', 'print the result as JSON')
    .action(async (f: BuildFlags) => {
      if (f.target !== 'trainer' && f.target !== 'platform') {
        throw new Error(`--target: expected trainer or platform, received ${JSON.stringify(f.target)}`);
      }
      // Push flags are checked before the build, which can take minutes.
      if (!f.push && (f.creds !== undefined || f.insecure))
        throw new Error(`${f.creds !== undefined ? '--creds' : '--insecure'} only applies with --push <ref>`);
      if (f.push) pushDestination(f.push);
      if (f.creds !== undefined) checkCreds(f.creds);
      const env = process.env;
      if (process.getuid?.() !== 0) {
        throw new Error('nasflow image build runs buildah with chroot isolation, which needs root here; run it as root (CI does)');
      }
      const cacheDir = imageCacheDir(env);
      const runner = commandRunner(env);
      const built = await buildImage({
        repoRoot: join(import.meta.dirname, '..', '..', '..'),
        cacheDir,
        target: f.target as ImageTarget,
        flavour: f.gpu ? 'gpu' : 'cpu',
        storage: storageIn(cacheDir, env),
        runner,
        caBundle: env.SSL_CERT_FILE ?? '/etc/ssl/certs/ca-certificates.crt',
        log: (m) => console.error(m),
        now: () => performance.now(),
      });
      if (f.out) copyArchive(built, f.out);
      if (f.push) await pushArchive(runner, built.archive, f.push, { insecure: f.insecure, creds: f.creds });
      print(built, f);
    });
}

function print(b: BuiltImage, f: BuildFlags): void {
  if (f.json) {
    console.log(JSON.stringify({ ...b, ...(f.out ? { out: f.out } : {}), ...(f.push ? { pushed: f.push } : {}) }));
    return;
  }
  const mb = (n: number) => `${(n / 1e6).toFixed(0)} MB`;
  console.log(`${b.ref}  ${b.digest}`);
  console.log(`archive ${f.out ?? b.archive} (${mb(b.compressedBytes)} compressed, ${mb(b.uncompressedBytes)} uncompressed)`);
  console.log(b.cached ? `unchanged since its build (${b.buildSeconds} s); nothing to do` : `built in ${b.buildSeconds} s`);
  if (f.push) console.log(`pushed ${f.push}`);
}
