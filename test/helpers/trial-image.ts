/**
 * The CPU images for tests: built by the same code as `nasflow image build` (cached by content
 * hash, so a no-op when nothing changed; scripts/test.js starts the builds in the background before
 * the unit layer and these calls then wait on the build lock) and unpacked once for runc.
 */
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { homedir } from 'node:os';
import { commandRunner, storageIn } from '../../src/image/buildah.js';
import { buildImage, type BuiltImage } from '../../src/image/build.js';
import { unpackArchive, type Unpacked } from '../../src/image/runc.js';
import type { ImageTarget } from '../../src/image/names.js';
import { withLock } from '../../src/dev/lock.js';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

export function imageCacheDir(): string {
  return process.env.NASFLOW_IMAGE_CACHE ?? join(process.env.HOME ?? homedir(), '.cache', 'nasflow', 'images');
}

/**
 * Why the image tests cannot run on this machine, or undefined when they can: they are skipped
 * with this reason (node:test prints it), not failed.
 */
export function imageTestsSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root: buildah (chroot isolation) and runc run as root here; CI runs as root';
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const missing = ['buildah', 'skopeo', 'umoci', 'runc'].filter((cmd) => !dirs.some((d) => existsSync(join(d, cmd))));
  if (missing.length > 0) return `needs ${missing.join(', ')} on PATH: \`npm run tools\` installs them (Debian packages, as root)`;
  return undefined;
}

/** The trainer image (trial pods). */
export function trialImage(): Promise<{ built: BuiltImage; unpacked: Unpacked }> {
  return cpuImage('trainer');
}

/** A CPU image of `target`: trainer (trial pods) or platform (operator and worker pods). */
export async function cpuImage(target: ImageTarget): Promise<{ built: BuiltImage; unpacked: Unpacked }> {
  const built = await buildCpuImage(target);
  const dir = dirname(built.archive);
  const runner = commandRunner(process.env);
  const unpacked = await withLock(join(dir, '.lock-unpack'), () => unpackArchive(runner, built.archive, dir));
  return { built, unpacked };
}

/** The build alone (the OCI archive and its digest), for tests that do not run the image. */
export async function buildCpuImage(target: ImageTarget): Promise<BuiltImage> {
  if (process.getuid?.() !== 0) throw new Error('the image tests run buildah and runc, which need root here (CI runs as root)');
  const cacheDir = imageCacheDir();
  const runner = commandRunner(process.env);
  return buildImage({
    repoRoot: REPO_ROOT,
    cacheDir,
    target,
    flavour: 'cpu',
    storage: storageIn(cacheDir, process.env),
    runner,
    caBundle: process.env.SSL_CERT_FILE ?? '/etc/ssl/certs/ca-certificates.crt',
    log: (m) => console.error(`[image] ${m}`),
    now: () => performance.now(),
  });
}
