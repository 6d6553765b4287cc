/**
 * The build context of image/Containerfile: exactly the files the image is made from, copied into
 * a staging folder (so edits made while buildah runs cannot leak into the image) and hashed. The
 * hash names the result in the cache: an unchanged tree makes `nasflow image build` a no-op.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Paths, relative to the repository root, that the Containerfile copies (files or folders). */
export const CONTEXT_PATHS = [
  'image/Containerfile',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'scripts/provision-tfjs-node.sh',
  'bin',
  'src',
  'workflows',
  'activities',
  'data',
] as const;

/** Files under `paths`, relative to `root`, sorted; build outputs and editor files excluded. */
export function contextFiles(root: string, paths: readonly string[] = CONTEXT_PATHS): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const abs = join(root, rel);
    const st = statSync(abs, { throwIfNoEntry: false });
    if (!st) throw new Error(`image context: ${rel} is missing under ${root}`);
    if (st.isDirectory()) {
      for (const name of readdirSync(abs)) {
        if (name.startsWith('.') || name.endsWith('~')) continue;
        walk(join(rel, name));
      }
    } else if (st.isFile()) {
      out.push(rel);
    }
  };
  for (const p of paths) walk(p);
  return out.sort();
}

/** sha256 over every file's path, mode bit for "executable" and bytes, plus the extra inputs. */
export function contextHash(root: string, files: readonly string[], extra: unknown): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(extra));
  for (const rel of files) {
    const abs = join(root, rel);
    const exec = (statSync(abs).mode & 0o111) !== 0;
    h.update(`\0${rel}\0${exec ? 'x' : '-'}\0`);
    h.update(readFileSync(abs));
  }
  return h.digest('hex');
}

/** Copies the files into `dest` (which must be empty or absent); copyFileSync keeps the mode bits. */
export function stageContext(root: string, files: readonly string[], dest: string): void {
  for (const rel of files) {
    const target = join(dest, rel);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(root, rel), target);
  }
}
