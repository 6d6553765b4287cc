/**
 * `nasflow search report --resource ns/name` against a real kube-apiserver with the CRD: the CLI
 * reads the NeuralArchitectureSearch through KUBECONFIG, takes the search id from its
 * status.workflowId and the storage from its spec, and writes the report of what that store holds
 * (a local directory with two answered trials). A missing resource, a store without the search and
 * a store the CLI cannot reach fail with the resource, the storage and the fix named.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { trialAttemptKey, trialResultKey } from '../../../src/api/store-layout.js';
import type { AttemptRecord, BenchmarkResult } from '../../../src/api/trial-result.js';
import { putJson, withPrefix } from '../../../src/store/object-store.js';
import { openUri } from '../../../src/store/uri.js';
import { runCli } from '../../helpers/cli.js';
import { startCrdApiserver, type CrdApiserver } from '../kube/crd-apiserver.js';
import { makeResource } from '../kube/resource-builder.js';

void describe('search report --resource on a real apiserver', () => {
  let api: CrdApiserver;
  let dir: string;

  before(async () => {
    api = await startCrdApiserver();
    dir = mkdtempSync(join(tmpdir(), 'nasflow-report-kube-'));
  });

  after(async () => {
    await api?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Creates the resource with `storage`, records its workflow id in the status as the operator does; answers its search id. */
  function createSearch(name: string, storage: string): string {
    const applied = api.kubectl(['apply', '-f', '-'], stringify(makeResource(name).set('storage', storage).obj()));
    assert.equal(applied.code, 0, applied.out);
    const uid = api.kubectl(['get', 'nas', name, '-o', 'jsonpath={.metadata.uid}']).out.trim();
    assert.match(uid, /^[0-9a-f-]{36}$/);
    const searchId = `default/${name}/${uid}`;
    const patched = api.kubectl([
      'patch',
      'nas',
      name,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: { workflowId: `nas/${searchId}` } }),
    ]);
    assert.equal(patched.code, 0, patched.out);
    return searchId;
  }

  const env = () => ({ ...process.env, KUBECONFIG: api.kubeconfig, NASFLOW_HOME: join(dir, 'home') });

  void it('reports the search the resource names, from the storage in its spec', { timeout: 600_000 }, async () => {
    const store = join(dir, 'store');
    const searchId = createSearch('reported', store);
    const opened = openUri(store, process.env);
    const prefixed = withPrefix(opened.store, opened.key);
    for (const [i, acc] of [0.81, 0.87].entries()) {
      const trialId = `${searchId}/0/${i}`;
      const result: BenchmarkResult = {
        schemaVersion: 1,
        kind: 'benchmark',
        benchmark: 'cifar10',
        valAccuracy: acc,
        testAccuracy: acc,
        simulatedSeconds: 10,
        readyAtMs: 0,
      };
      const record: AttemptRecord = {
        schemaVersion: 1,
        attempt: 1,
        outcome: 'succeeded',
        exitCode: 0,
        startedAtMs: 1000 * i,
        endedAtMs: 1000 * i + 500,
        worker: 'w',
      };
      await putJson(prefixed, trialResultKey(searchId, trialId), result);
      await putJson(prefixed, trialAttemptKey(searchId, trialId, 1), record);
    }
    opened.close();

    const out = join(dir, 'resource.html');
    const made = await runCli(['search', 'report', '--resource', 'default/reported', '--out', out], env());
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /wrote the report of 2 trials to /);
    const html = readFileSync(out, 'utf8');
    assert.ok(html.includes(`<code>${searchId}</code>`), 'the search id from the status');
    assert.match(html, /<p class="meta" id="source">NeuralArchitectureSearch default\/reported \(uid [0-9a-f-]+\)<\/p>/);
    const timeline = html.slice(html.indexOf('<svg id="timeline"'), html.indexOf('</svg>', html.indexOf('<svg id="timeline"')));
    assert.equal(timeline.match(/<rect class="bar succeeded"/g)?.length, 2, 'one bar per attempt record');
    assert.match(html, /best val accuracy 87\.00%/);
  });

  void it('names the resource and the fix when it does not exist, and refuses an id with --resource', { timeout: 600_000 }, async () => {
    const missing = await runCli(['search', 'report', '--resource', 'default/nope', '--out', join(dir, 'x.html')], env());
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /NeuralArchitectureSearch default\/nope not found at https:\/\/127\.0\.0\.1:\d+; list them with: kubectl get nas -n default/);
    const both = await runCli(['search', 'report', 'local/x/1', '--resource', 'default/nope'], env());
    assert.notEqual(both.code, 0);
    assert.match(both.stderr, /pass a search id or --resource <namespace>\/<name>, not both/);
    const bad = await runCli(['search', 'report', '--resource', 'nope'], env());
    assert.match(bad.stderr, /--resource: expected <namespace>\/<name>/);
  });

  void it('says which storage it could not read and how to grant access', { timeout: 600_000 }, async () => {
    createSearch('empty-store', join(dir, 'empty'));
    const empty = await runCli(['search', 'report', '--resource', 'default/empty-store', '--out', join(dir, 'y.html')], env());
    assert.notEqual(empty.code, 0);
    assert.match(empty.stderr, /has no trial under .*empty.*NeuralArchitectureSearch default\/empty-store \(uid [0-9a-f-]+\)'s spec\.storage/);

    createSearch('unreachable', 's3://nasflow-report/searches');
    // A closed loopback port: the S3 client cannot connect (no credentials or network needed to show it).
    const s3env = { ...env(), NASFLOW_S3_ENDPOINT: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_REGION: 'us-east-1' };
    const unreachable = await runCli(['search', 'report', '--resource', 'default/unreachable', '--out', join(dir, 'z.html')], s3env);
    assert.notEqual(unreachable.code, 0);
    assert.match(
      unreachable.stderr,
      /cannot read the storage s3:\/\/nasflow-report\/searches of NeuralArchitectureSearch default\/unreachable .*set them to credentials that can read it, or pass --storage <uri>/,
    );
  });
});
