/**
 * One corpus (spec-corpus.ts), two validators: the CLI's (`checkResource`, what `nasflow search
 * validate --resource` and the operator run) and the real kube-apiserver with the generated CRD
 * (server-side dry-run create with kubectl's default strict field validation). Their verdicts must
 * agree on every case, and agree with the verdict the corpus expects.
 *
 * Also here, on the same apiserver: a resource with every macro field, and one with a final stage,
 * a latency pool and trial packing, round-trip through `kubectl apply` / `kubectl get` unchanged (nested objects
 * the CRD schema does not list would be pruned silently), and the old key `N` written in YAML
 * (which kubectl reads as `false`) is rejected with a message naming `cellsPerStage`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { startCrdApiserver, type CrdApiserver } from './crd-apiserver.js';
import { checkResource, problemLines } from '../../../src/cli/spec-document.js';
import { API, CORPUS, FULL_MACRO, manifestOf } from './spec-corpus.js';
import { at } from '../../../src/common/indexing.js';

void describe('CLI validator and apiserver agree on the spec corpus', () => {
  let api: CrdApiserver;
  const kubectl = (args: string[], input?: string): { code: number; out: string } => api.kubectl(args, input);

  before(async () => {
    api = await startCrdApiserver();
  });

  after(async () => {
    await api?.stop();
  });

  void it(`gives the same verdict on all ${CORPUS.length} cases`, (t) => {
    const disagreements: string[] = [];
    CORPUS.forEach((c, i) => {
      const manifest = manifestOf(c, i);
      const cli = checkResource(manifest);
      // JSON input: kubectl decodes it as JSON, so keys arrive exactly as written.
      const server = kubectl(['create', '--dry-run=server', '--validate=strict', '-o', 'name', '-f', '-'], JSON.stringify(manifest));
      const cliOk = cli.problems.length === 0;
      const serverOk = server.code === 0;
      t.diagnostic(
        `${c.title}: expected ${c.valid ? 'valid' : 'invalid'}; cli ${cliOk ? 'accepts' : `rejects (${problemLines(cli.problems)[0]})`}; apiserver ${serverOk ? 'accepts' : `rejects (${server.out.trim().split('\n').pop()?.slice(0, 200)})`}`,
      );
      if (cliOk !== c.valid || serverOk !== c.valid)
        disagreements.push(
          `${c.title}: expected ${c.valid}, cli ${cliOk}, apiserver ${serverOk}: ${cliOk ? '' : problemLines(cli.problems)[0]} | ${server.out.trim().slice(0, 300)}`,
        );
    });
    assert.deepEqual(disagreements, []);
  });

  void it('round-trips a resource with every macro field through kubectl apply and get unchanged', () => {
    const manifest = { ...API, metadata: { name: 'full-macro' }, spec: CORPUS.find((c) => c.spec.macro === FULL_MACRO)!.spec };
    const r = kubectl(['apply', '-f', '-'], stringify(manifest));
    assert.equal(r.code, 0, r.out);
    const got = JSON.parse(kubectl(['get', 'nas', 'full-macro', '-o', 'json']).out) as { spec: { macro: unknown } };
    assert.deepEqual(got.spec.macro, FULL_MACRO);
    assert.deepEqual(checkResource(got).value?.search.macro, FULL_MACRO, 'the operator reads back what was written');
  });

  void it('round-trips a final stage, a latency pool with its pod template and trial packing through kubectl apply and get unchanged', () => {
    const withFinal = CORPUS.find((c) => c.title === 'final training at N@P scale')!.spec;
    const latency = CORPUS.find((c) => c.title === 'latency measured on a separate device pool')!.spec.latency;
    const final = withFinal.final;
    assert.ok(final && latency, 'the corpus holds both cases');
    const trial = { epochs: 2, perGpu: 4 };
    const manifest = { ...API, metadata: { name: 'final-latency' }, spec: { ...withFinal, latency, trial } };
    assert.deepEqual(checkResource(manifest).problems, [], 'a valid resource');
    const r = kubectl(['apply', '-f', '-'], stringify(manifest));
    assert.equal(r.code, 0, r.out);
    const got = JSON.parse(kubectl(['get', 'nas', 'final-latency', '-o', 'json']).out) as { spec: { final: unknown; latency: unknown; trial: unknown } };
    assert.deepEqual(got.spec.final, final);
    // The CRD's defaults (e.g. trial.augment) come back beside the written trial fields.
    const gotTrial = got.spec.trial as Record<string, unknown>;
    assert.deepEqual({ epochs: gotTrial.epochs, perGpu: gotTrial.perGpu }, trial);
    // The apiserver fills in the CRD's default Job TTL on the latency pool's template, as it does on the trial template.
    const template = (latency as { template: Record<string, unknown> }).template;
    assert.deepEqual(got.spec.latency, { ...latency, template: { ...template, ttlSecondsAfterFinished: 3600 } });
    const read = checkResource(got).value;
    assert.ok(read, 'the operator accepts what it reads back');
    assert.deepEqual(read.manifest.spec.latency?.template?.nodeSelector, { 'nasflow.io/device': 'pixel' }, 'the pool template reaches the operator');
    assert.equal(read.search.final?.topK, 3);
    assert.equal(read.search.latency?.device, 'pool');
  });

  void it('rejects the old key N written in YAML (kubectl reads it as false), naming cellsPerStage', () => {
    const manifest = manifestOf({ title: 'old N', valid: false, spec: { ...at(CORPUS, 1).spec, macro: { N: 2 } } }, 999);
    const text = stringify(manifest); // YAML 1.2 writes N unquoted; kubectl's YAML 1.1 reads the key as false
    assert.match(text, /\n {4}N: 2\n/);
    const r = kubectl(['apply', '-f', '-'], text);
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /use macro\.cellsPerStage/);
    const loose = kubectl(['apply', '--validate=false', '-f', '-'], text);
    assert.notEqual(loose.code, 0, `accepted without validation: ${loose.out}`);
    assert.match(loose.out, /use macro\.cellsPerStage/);
  });
});
