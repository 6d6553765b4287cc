/**
 * The image's base: a Debian bookworm root filesystem made by debootstrap (no base image can be
 * pulled here), cached by the hash of its recipe under `<cache>/images/rootfs-<key>.tar` and
 * imported into the image storage as `localhost/nasflow-rootfs:<key>`, which image/Containerfile
 * takes as BASE. The tar is written with sorted names, numeric owners and one mtime, so the same
 * package set gives the same layer; the recipe names the mirror and the package list, and a
 * different recipe gets a different key.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../common/hash.js';
import { buildahGlobals, hasImage, type Runner, type Storage } from './buildah.js';

export interface RootfsRecipe {
  suite: string;
  variant: string;
  arch: string;
  /** Packages added to the variant: CA certificates for HTTPS (S3 endpoints, registries). */
  include: readonly string[];
  mirror: string;
}

export const ROOTFS_RECIPE: RootfsRecipe = {
  suite: 'bookworm',
  variant: 'minbase',
  arch: 'amd64',
  include: ['ca-certificates'],
  mirror: 'http://deb.debian.org/debian',
};

export function rootfsKey(recipe: RootfsRecipe): string {
  return createHash('sha256').update(canonicalJson(recipe)).digest('hex').slice(0, 16);
}

export const rootfsImage = (key: string): string => `localhost/nasflow-rootfs:${key}`;

/** Makes sure the base image exists in storage; returns its name. */
export async function ensureRootfs(r: Runner, s: Storage, cacheDir: string, log: (m: string) => void, recipe = ROOTFS_RECIPE): Promise<string> {
  const key = rootfsKey(recipe);
  const image = rootfsImage(key);
  if (await hasImage(r, s, image)) return image;
  const tarball = join(cacheDir, `rootfs-${key}.tar`);
  if (!existsSync(tarball)) await debootstrap(r, cacheDir, key, tarball, log, recipe);
  log(`importing ${tarball} as ${image}`);
  const g = buildahGlobals(s);
  const ctr = (await r.run('buildah', [...g, 'from', '--name', `nasflow-rootfs-${key}`, 'scratch'])).trim().split('\n').pop()!;
  try {
    await r.run('buildah', [...g, 'add', ctr, tarball, '/']);
    await r.run('buildah', [...g, 'commit', '--timestamp', '0', ctr, image]);
  } finally {
    await r.run('buildah', [...g, 'rm', ctr]).catch(() => undefined);
  }
  return image;
}

async function debootstrap(r: Runner, cacheDir: string, key: string, tarball: string, log: (m: string) => void, recipe: RootfsRecipe): Promise<void> {
  const staging = join(cacheDir, `.rootfs-${key}-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  const logFile = join(cacheDir, `rootfs-${key}.log`);
  log(`debootstrap ${recipe.variant} ${recipe.suite} from ${recipe.mirror} (first build only; about a minute or more; log: ${logFile})`);
  try {
    await r.run(
      'debootstrap',
      [`--variant=${recipe.variant}`, `--arch=${recipe.arch}`, `--include=${recipe.include.join(',')}`, recipe.suite, staging, recipe.mirror],
      { logFile },
    );
    // Downloaded .debs and package lists are build leftovers; apt-get update refetches lists.
    rmSync(join(staging, 'var', 'cache', 'apt', 'archives'), { recursive: true, force: true });
    mkdirSync(join(staging, 'var', 'cache', 'apt', 'archives', 'partial'), { recursive: true });
    rmSync(join(staging, 'var', 'lib', 'apt', 'lists'), { recursive: true, force: true });
    mkdirSync(join(staging, 'var', 'lib', 'apt', 'lists', 'partial'), { recursive: true });
    const partial = `${tarball}.partial`;
    await r.run('tar', ['--sort=name', '--numeric-owner', '--mtime=@0', '--xattrs', '-C', staging, '-cf', partial, '.']);
    renameSync(partial, tarball);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
