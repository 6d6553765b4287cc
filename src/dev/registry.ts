/**
 * A real OCI registry on loopback: distribution's `registry` (the reference implementation that
 * Docker Hub and GHCR descend from), filesystem storage in the component's folder, optional
 * htpasswd basic auth. Plain HTTP on 127.0.0.1: clients push with TLS verification off
 * (`nasflow image build --push … --insecure`, skopeo's `--dest-tls-verify=false`).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ComponentOptions, StartedComponent } from './components.js';
import { at } from '../common/indexing.js';
import { portsPreferring } from './ports.js';
import { startService, stopService, waitUntil } from './service.js';

export interface RegistryEndpoints {
  /** `127.0.0.1:<port>`, the registry part of an image reference. */
  host: string;
  /** `http://127.0.0.1:<port>`, for the registry's HTTP API (`/v2/…`). */
  url: string;
}

export interface RegistryOptions extends ComponentOptions {
  /**
   * Lines of an htpasswd file (`user:<bcrypt hash>`): with them every request needs basic auth.
   * Without, the registry accepts anonymous pushes.
   */
  htpasswd?: readonly string[];
}

export async function startRegistry(binary: string, opts: RegistryOptions): Promise<StartedComponent<RegistryEndpoints>> {
  const port = at(await portsPreferring(opts.ports, 1, { waitMs: opts.portsWaitMs }), 0, 'registry port');
  const host = `127.0.0.1:${port}`;
  const storage = join(opts.dir, 'storage');
  mkdirSync(storage, { recursive: true });
  const config: Record<string, unknown> = {
    version: 0.1,
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: storage }, delete: { enabled: true } },
    // The secret signs upload state between requests; the registry warns when it has to invent one.
    http: { addr: host, secret: randomBytes(16).toString('hex') },
  };
  if (opts.htpasswd) {
    const path = join(opts.dir, 'htpasswd');
    writeFileSync(path, `${opts.htpasswd.join('\n')}\n`, { mode: 0o600 });
    config.auth = { htpasswd: { realm: 'nasflow-registry', path } };
  }
  const configFile = join(opts.dir, 'config.yml');
  writeFileSync(configFile, stringify(config));
  // Tracing is on by default and would export to an OTLP collector on localhost:4318.
  const env = { ...(opts.env ?? process.env), OTEL_TRACES_EXPORTER: 'none', OTEL_SDK_DISABLED: 'true' };
  const proc = startService({
    name: 'registry',
    command: binary,
    args: ['serve', configFile],
    logFile: join(opts.dir, 'registry.log'),
    detached: opts.detached,
    env,
  });
  const url = `http://${host}`;
  try {
    // The API root answers 200, or 401 with a challenge when auth is on.
    await waitUntil('OCI registry (distribution)', async () => [200, 401].includes((await fetch(`${url}/v2/`)).status), { timeoutMs: 30_000, proc });
  } catch (err) {
    await stopService(proc);
    throw err;
  }
  return { name: 'registry', processes: [proc], ports: [port], endpoints: { host, url } };
}
