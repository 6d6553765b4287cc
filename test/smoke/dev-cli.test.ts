import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { accessSync, constants, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { isAlive } from '../../src/dev/service.js';
import { TOOLS } from '../../src/dev/tool-catalog.js';
import { runCli } from '../helpers/cli.js';

describe('nasflow dev tools', () => {
  it('prints every pinned tool with a working executable, and a second run rebuilds nothing', async () => {
    const first = await runCli(['dev', 'tools', '--json', '--check']);
    assert.equal(first.code, 0, first.stderr);
    const tools = JSON.parse(first.stdout.trim().split('\n').pop()!) as Record<string, { path: string; version: string }>;
    assert.deepEqual(Object.keys(tools).sort(), TOOLS.map((t) => t.name).sort());
    const mtimes = new Map<string, number>();
    for (const spec of TOOLS) {
      const info = tools[spec.name];
      assert.ok(info, `${spec.name} is not listed`);
      assert.equal(info.version, spec.version);
      accessSync(info.path, constants.X_OK);
      mtimes.set(spec.name, statSync(info.path).mtimeMs);
    }
    const second = await runCli(['dev', 'tools', '--json']);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(JSON.parse(second.stdout.trim()), tools);
    assert.doesNotMatch(second.stderr, /building/);
    for (const [name, info] of Object.entries(tools)) assert.equal(statSync(info.path).mtimeMs, mtimes.get(name), `${name} untouched`);
  });
});

describe('nasflow dev up / status / down', () => {
  it('starts Temporal, Kubernetes with GPU nodes and S3, reports them, and stops every process it started', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nasflow-devstack-'));
    const env = { ...process.env, NASFLOW_DEV_DIR: dir };
    try {
      const up = await runCli(['dev', 'up', '--temporal', '--kube', '--gpu-nodes', '2', '--s3', '--json'], env);
      assert.equal(up.code, 0, up.stderr);
      const state = JSON.parse(up.stdout) as {
        components: Record<'kube' | 's3' | 'temporal', { processes: { pid: number; name: string }[]; endpoints: Record<string, unknown> }>;
      };
      assert.deepEqual(Object.keys(state.components).sort(), ['kube', 's3', 'temporal']);
      const pids = Object.values(state.components).flatMap((c) => c.processes.map((p) => p.pid));
      assert.equal(pids.length, 1 + 1 + 5, 'temporal, versitygw, and etcd/apiserver/controller-manager/scheduler/kwok');
      for (const pid of pids) assert.ok(isAlive(pid), `pid ${pid} alive after up`);

      // The endpoints are real: the UI answers, kubectl sees both GPU nodes, S3 answers.
      const temporal = state.components.temporal.endpoints;
      assert.ok((await fetch(String(temporal.uiUrl))).ok, 'Temporal Web UI serves');
      const nodes = spawnSync('kubectl', ['--kubeconfig', String(state.components.kube.endpoints.kubeconfig), 'get', 'nodes', '-o', 'name'], {
        encoding: 'utf8',
      });
      assert.equal(nodes.stdout.trim().split('\n').length, 2, nodes.stderr);
      assert.ok((await fetch(String(state.components.s3.endpoints.endpoint))).status === 403, 'S3 refuses anonymous requests');

      const status = await runCli(['dev', 'status', '--json'], env);
      const report = JSON.parse(status.stdout) as { running: boolean; alive: Record<string, boolean> };
      assert.equal(report.running, true);
      assert.ok(Object.values(report.alive).every(Boolean), JSON.stringify(report.alive));

      const again = await runCli(['dev', 'up', '--s3'], env);
      assert.notEqual(again.code, 0, 'a second up refuses while the first stack runs');
      assert.match(again.stderr, /already running/);

      const down = await runCli(['dev', 'down'], env);
      assert.equal(down.code, 0, down.stderr);
      for (const pid of pids) assert.ok(!isAlive(pid), `pid ${pid} stopped after down`);
      const after = await runCli(['dev', 'status', '--json'], env);
      assert.equal((JSON.parse(after.stdout) as { running: boolean }).running, false);
    } finally {
      await runCli(['dev', 'down'], env);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
