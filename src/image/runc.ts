/**
 * Runs a built image with runc, as a kubelet would run a trial pod's container: the image's
 * root filesystem unpacked once (umoci) and shared read-only, a fresh tmpfs at /tmp (the pod's
 * emptyDir), the pod's user id, command and environment. The container shares the host's network
 * namespace, so servers on 127.0.0.1 (the test S3 server) are reachable as from a pod on the node.
 * runc as root starts the container; the process inside runs as the non-root user. SIGTERM to the
 * runc process is forwarded to the container's process (runc run, not detached).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Runner } from './buildah.js';

/** The parts of an OCI runtime config.json this module edits (umoci writes the rest). */
export interface RuntimeConfig {
  process: { user: { uid: number; gid: number; additionalGids?: number[] }; args: string[]; env: string[]; cwd: string; terminal?: boolean };
  root: { path: string; readonly?: boolean };
  mounts: { destination: string; type: string; source: string; options?: string[] }[];
  linux: { namespaces: { type: string; path?: string }[]; [k: string]: unknown };
  [k: string]: unknown;
}

export interface Unpacked {
  /** Absolute path of the image's root filesystem. */
  rootfs: string;
  /** The runtime config umoci derived from the image config (entrypoint, env, user, workdir). */
  base: RuntimeConfig;
}

/**
 * Unpacks an OCI archive once into `<dir>/bundle` (rootfs + config.json); later calls read it.
 * skopeo turns the archive into an OCI layout, umoci applies the layers (whiteouts included).
 */
export async function unpackArchive(r: Runner, archive: string, dir: string): Promise<Unpacked> {
  const bundle = join(dir, 'bundle');
  if (!existsSync(join(bundle, 'config.json'))) {
    const staging = join(dir, `.unpack-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    try {
      await r.run('skopeo', ['copy', `oci-archive:${archive}`, `oci:${join(staging, 'layout')}:image`]);
      await r.run('umoci', ['unpack', '--image', `${join(staging, 'layout')}:image`, join(staging, 'bundle')]);
      rmSync(bundle, { recursive: true, force: true });
      renameSync(join(staging, 'bundle'), bundle);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  return { rootfs: join(bundle, 'rootfs'), base: JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as RuntimeConfig };
}

export interface ContainerSpec {
  /** Replaces the image's entrypoint and command (as a pod's `command` does); default: the image's. */
  args?: string[];
  /** Added to the image's environment; a name given here wins. */
  env?: Record<string, string>;
  uid?: number;
  gid?: number;
  /** Size of the /tmp tmpfs. Default: 1g. */
  tmpSize?: string;
}

/** The config.json of one container over a shared read-only rootfs (pure). */
export function containerConfig(u: Unpacked, c: ContainerSpec): RuntimeConfig {
  const base = structuredClone(u.base);
  const env = new Map(base.process.env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  for (const [k, v] of Object.entries(c.env ?? {})) env.set(k, v);
  return {
    ...base,
    process: {
      ...base.process,
      terminal: false,
      user: { uid: c.uid ?? base.process.user.uid, gid: c.gid ?? base.process.user.gid },
      args: c.args ?? base.process.args,
      env: [...env].map(([k, v]) => `${k}=${v}`),
    },
    root: { path: u.rootfs, readonly: true },
    mounts: [
      ...base.mounts.filter((m) => m.destination !== '/tmp'),
      { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777', `size=${c.tmpSize ?? '1g'}`] },
    ],
    // The host's network namespace: loopback servers are the test cluster's services.
    linux: { ...base.linux, namespaces: base.linux.namespaces.filter((n) => n.type !== 'network' && n.type !== 'user') },
  };
}

export interface StartedContainer {
  child: ChildProcess;
  /** Resolves with the container process's exit code (128+signal when killed). */
  exited: Promise<number>;
}

/**
 * Starts `runc run` for a container in `workDir/<id>` (bundle with config.json; state under
 * `workDir/state`). Output goes to the child's stdout/stderr pipes.
 */
export function startContainer(u: Unpacked, c: ContainerSpec, workDir: string, id: string): StartedContainer {
  const bundle = join(workDir, id);
  mkdirSync(bundle, { recursive: true });
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(containerConfig(u, c)));
  const state = join(workDir, 'state');
  mkdirSync(state, { recursive: true });
  const child = spawn('runc', ['--root', state, 'run', '--bundle', bundle, id], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number>((resolve) => {
    child.on('error', () => resolve(127));
    child.on('exit', (code, signal) => {
      // runc removes its state after a foreground run; a killed runc may leave it behind.
      if (code === null) spawn('runc', ['--root', state, 'delete', '--force', id], { stdio: 'ignore' });
      resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15));
    });
  });
  return { child, exited };
}
