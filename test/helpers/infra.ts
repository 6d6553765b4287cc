/**
 * The test harness: starts real servers (Temporal dev server, versitygw S3, kube-apiserver with
 * etcd, controller manager, scheduler and kwok) on free loopback ports in temporary folders, and
 * guarantees they are stopped when the test file ends, fails, or is interrupted.
 *
 * Usage in a test file:
 *   const s3 = await startS3();            // in before()
 *   after(() => s3.stop());
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { s3ClientFromEnv } from '../../src/store/s3-store.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StartedComponent } from '../../src/dev/components.js';
import { startKube as startKubeComponent, type KubeEndpoints, type KubeOptions } from '../../src/dev/kube.js';
import { startRegistry as startRegistryComponent, type RegistryEndpoints } from '../../src/dev/registry.js';
import { startS3 as startS3Component, type S3Endpoints } from '../../src/dev/s3.js';
import { killNow, stopService, type ServiceProcess } from '../../src/dev/service.js';
import { startTemporal as startTemporalComponent, type TemporalEndpoints } from '../../src/dev/temporal.js';
import type { ToolName } from '../../src/dev/tool-catalog.js';
import { ensureTools } from '../../src/dev/tools.js';

/** A started part: its endpoints, its folder, its processes (name and pid, for /proc figures) and how to stop it. */
export type Handle<E> = E & { dir: string; processes: readonly ServiceProcess[]; stop(): Promise<void> };

const running = new Set<number>();
let exitHooksInstalled = false;

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', () => {
    for (const pid of running) killNow(pid);
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      for (const pid of running) killNow(pid);
      process.exit(130);
    });
  }
}

async function tool(name: ToolName): Promise<string> {
  const tools = await ensureTools({ env: process.env, only: [name], log: (m) => console.error(`[tools] ${m}`) });
  return tools[name].path;
}

async function track<E>(prefix: string, start: (dir: string) => Promise<StartedComponent<E>>): Promise<Handle<E>> {
  installExitHooks();
  const dir = mkdtempSync(join(tmpdir(), `nasflow-${prefix}-`));
  let component: StartedComponent<E>;
  try {
    component = await start(dir);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  for (const p of component.processes) running.add(p.pid);
  let stopped = false;
  return {
    ...component.endpoints,
    dir,
    processes: component.processes,
    async stop() {
      if (stopped) return;
      stopped = true;
      // Stop in reverse start order (kwok and controllers before the apiserver, etcd last).
      for (const p of [...component.processes].reverse()) {
        await stopService(p);
        running.delete(p.pid);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startS3(): Promise<Handle<S3Endpoints>> {
  const binary = await tool('versitygw');
  return track('s3', (dir) => startS3Component(binary, { dir }));
}

/** The environment a trainer, worker or CLI reads to reach this S3 server (docs/design.md contract). */
export function s3Env(s3: S3Endpoints): Record<'NASFLOW_S3_ENDPOINT' | 'AWS_REGION' | 'AWS_ACCESS_KEY_ID' | 'AWS_SECRET_ACCESS_KEY', string> {
  return { NASFLOW_S3_ENDPOINT: s3.endpoint, AWS_REGION: s3.region, AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey };
}

/** An S3 server holding one empty bucket, the environment that reaches it and a client of it. */
export interface S3Bucket {
  s3: Handle<S3Endpoints>;
  env: ReturnType<typeof s3Env>;
  client: S3Client;
  bucket: string;
  /** Closes the client, then stops the server. */
  stop(): Promise<void>;
}

export async function startS3Bucket(bucket: string): Promise<S3Bucket> {
  const s3 = await startS3();
  const env = s3Env(s3);
  const client = s3ClientFromEnv(env);
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    s3,
    env,
    client,
    bucket,
    async stop() {
      client.destroy();
      await s3.stop();
    },
  };
}

/** A Temporal dev server; `ports` (gRPC, UI, HTTP, metrics) when a test needs a known address. */
export async function startTemporal(opts: { ports?: readonly number[] } = {}): Promise<Handle<TemporalEndpoints>> {
  const binary = await tool('temporal');
  return track('temporal', (dir) => startTemporalComponent(binary, { dir, ...(opts.ports ? { ports: opts.ports } : {}) }));
}

/** An OCI registry (distribution) on loopback; with `htpasswd` lines every request needs basic auth. */
export async function startRegistry(opts: { htpasswd?: readonly string[] } = {}): Promise<Handle<RegistryEndpoints>> {
  const binary = await tool('registry');
  return track('registry', (dir) => startRegistryComponent(binary, { dir, ...opts }));
}

/** Scale runs also set kwok's stages, extra flags per process and etcd's data folder (KubeOptions). */
export async function startKube(opts: Partial<Omit<KubeOptions, 'dir' | 'detached'>> = {}): Promise<Handle<KubeEndpoints>> {
  const names = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'] as const;
  const tools = await ensureTools({ env: process.env, only: names, log: (m) => console.error(`[tools] ${m}`) });
  return track('kube', (dir) => startKubeComponent(tools, { ...opts, dir, gpuNodes: opts.gpuNodes ?? 0, gpusPerNode: opts.gpusPerNode ?? 8 }));
}
