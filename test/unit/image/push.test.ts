/** The pure parts of `--push`: reference and --creds checks, skopeo's arguments, failure reasons. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkCreds, explainPushFailure, isPushError, pushArchive, pushDestination } from '../../../src/image/push.js';
import type { Runner } from '../../../src/image/buildah.js';

// Output in skopeo's own shape (logrus text): the last msg="…" is the reason.
const skopeo = (msg: string) => `Copying blob sha256:abc\ntime="2026-11-30T10:00:00Z" level=fatal msg="${msg.replace(/"/g, '\\"')}"\n`;

void describe('push references', () => {
  const good = [
    'ghcr.io/nasflow/trainer:0.1.0',
    '127.0.0.1:5000/nasflow/trainer:it',
    'localhost:5000/team/nasflow-trainer:0.1.0-gpu',
    'nasflow/trainer',
    'docker://registry.example.com/a/b__c/d-e:v1',
    `registry.example.com/a@sha256:${'a'.repeat(64)}`,
  ];
  for (const ref of good) void it(`accepts ${ref}`, () => assert.match(pushDestination(ref), /^docker:\/\/[^/]/));
  const bad = ['', 'oci:/tmp/layout:tag', 'oci-archive:/tmp/x.tar', 'ghcr.io/Nasflow/trainer', 'ghcr.io/nasflow/trainer:', 'docker://', 'a//b'];
  for (const ref of bad) {
    void it(`refuses ${JSON.stringify(ref)}, naming it`, () =>
      assert.throws(
        () => pushDestination(ref),
        (e: unknown) => isPushError(e) && e.message.startsWith(`--push ${ref}: expected a registry reference`),
      ));
  }
});

void describe('--creds', () => {
  void it('accepts user:password, and a password with colons', () => {
    checkCreds('me:secret');
    checkCreds('me:a:b');
  });
  for (const c of ['justauser', ':secret', 'me:', ''])
    void it(`refuses ${JSON.stringify(c)} without echoing it`, () =>
      assert.throws(
        () => checkCreds(c),
        (e: unknown) => e instanceof Error && /^--creds: expected user:password/.test(e.message) && (c === '' || !e.message.includes(c)),
      ));
});

void describe('pushArchive', () => {
  const recording = (fail?: string) => {
    const calls: string[][] = [];
    const runner: Runner = {
      run(cmd, args) {
        calls.push([cmd, ...args]);
        return fail === undefined ? Promise.resolve('') : Promise.reject(new Error(`skopeo copy --preserve-digests … failed (exit 1):\n${fail}`));
      },
    };
    return { calls, runner };
  };

  void it('copies the archive keeping its digest, with TLS off and credentials only when asked', async () => {
    const r = recording();
    await pushArchive(r.runner, '/c/image.oci.tar', '127.0.0.1:5000/n/t:x', { insecure: true, creds: 'u:p' });
    await pushArchive(r.runner, '/c/image.oci.tar', 'docker://ghcr.io/n/t:x');
    assert.deepEqual(r.calls, [
      [
        'skopeo',
        'copy',
        '--preserve-digests',
        '--dest-tls-verify=false',
        '--dest-creds',
        'u:p',
        'oci-archive:/c/image.oci.tar',
        'docker://127.0.0.1:5000/n/t:x',
      ],
      ['skopeo', 'copy', '--preserve-digests', 'oci-archive:/c/image.oci.tar', 'docker://ghcr.io/n/t:x'],
    ]);
  });

  void it("fails with a PushError naming the ref and skopeo's reason", async () => {
    const r = recording(skopeo('initiating layer upload to /v2/n/t/blobs/uploads/ in 127.0.0.1:5000: unauthorized: authentication required'));
    await assert.rejects(pushArchive(r.runner, '/a.tar', '127.0.0.1:5000/n/t:x', { insecure: true }), (e: unknown) => {
      assert.ok(isPushError(e));
      assert.equal(e.ref, '127.0.0.1:5000/n/t:x');
      assert.match(e.message, /^--push 127\.0\.0\.1:5000\/n\/t:x: the push failed: initiating layer upload .*unauthorized: authentication required\nfix: /);
      return true;
    });
  });
});

void describe('push failure reasons', () => {
  const cases: [string, string, { creds?: string }, RegExp][] = [
    ['no credentials', 'unauthorized: authentication required', {}, /pass --creds user:token/],
    ['wrong credentials', 'unauthorized: authentication required', { creds: 'u:p' }, /refused these credentials/],
    ['denied', 'requested access to the resource is denied', { creds: 'u:p' }, /refused these credentials/],
    [
      'nothing listening',
      'pinging container registry 127.0.0.1:1: Get "https://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused',
      {},
      /cannot be reached/,
    ],
    ['unknown host', 'pinging container registry nope.invalid: dial tcp: lookup nope.invalid: no such host', {}, /cannot be reached/],
    [
      'plain HTTP',
      'pinging container registry 127.0.0.1:5000: Get "https://127.0.0.1:5000/v2/": http: server gave HTTP response to HTTPS client',
      {},
      /add --insecure/,
    ],
    ['self-signed', 'Get "https://r:5000/v2/": tls: failed to verify certificate: x509: certificate signed by unknown authority', {}, /trust its CA/],
  ];
  for (const [name, msg, o, fix] of cases) {
    void it(name, () => {
      const text = explainPushFailure(skopeo(msg), o);
      assert.ok(text.startsWith(`the push failed: ${msg}\nfix: `), text);
      assert.match(text, fix);
    });
  }
  void it('without a msg= line, the last output line is the reason', () =>
    assert.equal(explainPushFailure('something\nsomething else went wrong\n'), 'the push failed: something else went wrong\nfix: see the reason above'));
});
