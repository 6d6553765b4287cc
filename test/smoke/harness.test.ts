import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isAlive } from '../../src/dev/service.js';
import { eventually } from '../helpers/wait.js';

const CHILD = fileURLToPath(new URL('./fixtures/hold-s3.js', import.meta.url));

describe('test harness cleanup', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`stops the servers a test process started when that process gets ${signal}`, async () => {
      const child = spawn(process.execPath, [CHILD], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      const serverPid = await eventually(async () => {
        const m = /server-pid (\d+)/.exec(out);
        assert.ok(m, 'child reported its server pid');
        return Number(m[1]);
      }, 60_000);
      assert.ok(isAlive(serverPid));
      child.kill(signal);
      await new Promise((resolve) => child.on('close', resolve));
      await eventually(async () => assert.ok(!isAlive(serverPid), `server ${serverPid} still alive`), 10_000);
    });
  }
});
