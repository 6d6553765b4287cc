/**
 * The HTTP endpoint of the operator and the worker: `/metrics` (Prometheus text format from a
 * prom-client Registry), `/healthz` (liveness: the process answers) and `/readyz` (readiness: the
 * caller's check, e.g. the worker is polling Temporal). Bound where the caller says: loopback in
 * tests, the pod address in the chart (Helm values metrics.port).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthServerOptions {
  registry: Registry;
  /** `host:port`; port 0 picks a free port (tests). */
  address: string;
  /** Readiness; a string return is the reason it is not ready. Default: always ready. */
  ready?(): true | string;
}

export interface HealthServer {
  /** The bound `host:port` (the real port when 0 was asked for). */
  address: string;
  close(): Promise<void>;
}

/** Splits `host:port` (IPv6 in brackets); names the flag and the fix when malformed. */
export function parseBindAddress(address: string, flag = '--metrics-address'): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`${flag} must be host:port (e.g. 127.0.0.1:9090, 0.0.0.0:9090 or [::]:9090); received ${JSON.stringify(address)}`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export async function startHealthServer(o: HealthServerOptions): Promise<HealthServer> {
  const { host, port } = parseBindAddress(o.address);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(code, { 'Content-Type': type });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'GET only\n');
    if (path === '/healthz') return reply(200, 'ok\n');
    if (path === '/readyz') {
      const r = o.ready ? o.ready() : true;
      return r === true ? reply(200, 'ready\n') : reply(503, `not ready: ${r}\n`);
    }
    if (path === '/metrics') {
      o.registry.metrics().then(
        (text) => reply(200, text, o.registry.contentType),
        (err: unknown) => reply(500, `${String(err)}\n`),
      );
      return;
    }
    reply(404, 'not found: try /metrics, /healthz or /readyz\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  return {
    address: `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
