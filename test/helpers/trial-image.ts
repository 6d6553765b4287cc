/**
 * The CPU trainer image for tests: built by the same code as `nasflow image build` (cached by
 * content hash, so a no-op when nothing changed; scripts/test.js starts it in the background before
 * the unit layer and this call then waits on the build lock) and unpacked once for runc.
 */
import { dirname, join } from 'node:path';
import { homedir } from 'node:os';
import { commandRunner, storageIn } from '../../src/image/buildah.js';
import { buildImage, type BuiltImage } from '../../src/image/build.js';
import { unpackArchive, type Unpacked } from '../../src/image/runc.js';
import { withLock } from '../../src/dev/lock.js';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

export function imageCacheDir(): string {
  return process.env.NASFLOW_IMAGE_CACHE ?? join(process.env.HOME ?? homedir(), '.cache', 'nasflow', 'images');
}

export async function trialImage(): Promise<{ built: BuiltImage; unpacked: Unpacked }> {
  if (process.getuid?.() !== 0) throw new Error('the trial image tests run buildah and runc, which need root here (CI runs as root)');
  const cacheDir = imageCacheDir();
  const runner = commandRunner(process.env);
  const built = await buildImage({
    repoRoot: REPO_ROOT,
    cacheDir,
    target: 'trainer',
    flavour: 'cpu',
    storage: storageIn(cacheDir, process.env),
    runner,
    caBundle: process.env.SSL_CERT_FILE ?? '/etc/ssl/certs/ca-certificates.crt',
    log: (m) => console.error(`[image] ${m}`),
    now: () => performance.now(),
  });
  const dir = dirname(built.archive);
  const unpacked = await withLock(join(dir, '.lock-unpack'), () => unpackArchive(runner, built.archive, dir));
  return { built, unpacked };
}
