/** The metrics/health endpoint on loopback: bind address parsing, the three paths, readiness reasons. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Registry } from 'prom-client';
import { parseBindAddress, startHealthServer } from '../../../src/metrics/health-server.js';

void describe('health server', () => {
  void it('parses host:port, IPv6 in brackets, and names the flag for a bad address', () => {
    assert.deepEqual(parseBindAddress('127.0.0.1:9090'), { host: '127.0.0.1', port: 9090 });
    assert.deepEqual(parseBindAddress('[::1]:0'), { host: '::1', port: 0 });
    assert.deepEqual(parseBindAddress(':9090'), { host: '0.0.0.0', port: 9090 });
    assert.throws(() => parseBindAddress('9090'), /--metrics-address must be host:port .*received "9090"/);
    assert.throws(() => parseBindAddress('h:70000'), /--metrics-address/);
  });

  void it('serves /metrics, /healthz and /readyz (503 with the reason until ready)', async () => {
    const registry = new Registry();
    const c = new Counter({ name: 'test_total', help: 'x', registers: [registry] });
    let ready: true | string = 'connecting to Temporal';
    const s = await startHealthServer({ registry, address: '127.0.0.1:0', ready: () => ready });
    try {
      const base = `http://${s.address}`;
      assert.match(s.address, /^127\.0\.0\.1:\d+$/);
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      const notReady = await fetch(`${base}/readyz`);
      assert.equal(notReady.status, 503);
      assert.match(await notReady.text(), /connecting to Temporal/);
      ready = true;
      assert.equal((await fetch(`${base}/readyz`)).status, 200);
      c.inc(3);
      assert.match(await (await fetch(`${base}/metrics`)).text(), /^test_total 3$/m);
      assert.equal((await fetch(`${base}/nope`)).status, 404);
      assert.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);
    } finally {
      await s.close();
    }
  });
});
