/**
 * Free TCP ports on the loopback interface. A port is free when we probe it, but a server binds it
 * later; ports handed out by this process are remembered so that two parts started at the same
 * time (Temporal and Kubernetes in one test file) never receive the same one.
 */
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const handedOut = new Set<number>();

function probe(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function freePort(): Promise<number> {
  for (;;) {
    const port = await probe();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) ports.push(await freePort());
  return ports;
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.on('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The `preferred` ports when every one of them is free (a restarted server keeps its address),
 * otherwise `count` fresh ones. `waitMs` gives a server that was just stopped time to let go of
 * them: a killed process's sockets close only after all of its threads have exited, which can
 * lag behind on a loaded machine.
 */
export async function portsPreferring(preferred: readonly number[] | undefined, count: number, opts: { waitMs?: number } = {}): Promise<number[]> {
  if (preferred && preferred.length === count && preferred.every((p) => Number.isInteger(p) && p > 0 && !handedOut.has(p))) {
    const deadline = Date.now() + (opts.waitMs ?? 0);
    for (;;) {
      const free = await Promise.all(preferred.map(bindable));
      if (free.every(Boolean)) {
        for (const p of preferred) handedOut.add(p);
        return [...preferred];
      }
      if (Date.now() >= deadline) break;
      await sleep(250);
    }
  }
  return freePorts(count);
}

/** Gives ports back (their server failed to start), so that asking for them again may return them. */
export function releasePorts(ports: readonly number[]): void {
  for (const p of ports) handedOut.delete(p);
}
