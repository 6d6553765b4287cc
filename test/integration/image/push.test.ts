/**
 * `nasflow image build --push` against a real OCI registry on loopback (distribution's registry,
 * src/dev/registry.ts), run as users run the CLI. The image is the CPU platform image from the
 * cache (the same cached build platform-image.test.ts runs, which scripts/test.js starts in the
 * background after the trainer's; each CLI call below finds it there and builds nothing).
 * Proof of a push: the registry serves the manifest back under the digest `image build` printed,
 * and every blob it names. With htpasswd basic auth, a push needs --creds; without them or with a
 * wrong password the registry refuses, and the error names the reference and the fix. A push to a
 * port where nothing listens, or over HTTPS to a plain-HTTP registry, fails the same way.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { startRegistry, type Handle } from '../../helpers/infra.js';
import { buildCpuImage, imageTestsSkipReason } from '../../helpers/trial-image.js';
import { freePort } from '../../../src/dev/ports.js';
import { runCommand } from '../../../src/dev/run-command.js';
import type { RegistryEndpoints } from '../../../src/dev/registry.js';
import type { BuiltImage } from '../../../src/image/build.js';

// A test-only account of the loopback registry. The hash is bcrypt (cost 10) of PASSWORD, made once
// with golang.org/x/crypto/bcrypt.GenerateFromPassword, which is what the registry checks against.
const USER = 'nasflow';
const PASSWORD = 'nasflow-test-push-secret';
const HTPASSWD = [`${USER}:$2a$10$CXe/cQnOoVLNuxcqshMr4.uR6hJtrtA4RJWsCV4skOJ4R74kG8qva`];
const MANIFEST_TYPES = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'].join(', ');

interface PushJson {
  ref: string;
  digest: string;
  pushed?: string;
  cached: boolean;
}

interface Manifest {
  config: { digest: string; size: number };
  layers: { digest: string; size: number }[];
}

void describe('nasflow image build --push to a real OCI registry on loopback', { skip: imageTestsSkipReason() ?? false }, () => {
  let built: BuiltImage;
  let open: Handle<RegistryEndpoints>;
  let authed: Handle<RegistryEndpoints>;
  let home: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    built = await buildCpuImage('platform');
    open = await startRegistry();
    authed = await startRegistry({ htpasswd: HTPASSWD });
    home = mkdtempSync(join(tmpdir(), 'nasflow-push-'));
    // skopeo reads credentials from its auth file when --creds is absent: an empty one here, so
    // the machine's own logins cannot make a push succeed that should be refused.
    env = { ...process.env, REGISTRY_AUTH_FILE: join(home, 'auth.json') };
  });
  after(async () => {
    await open?.stop();
    await authed?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  const push = (args: string[]) => runCli(['image', 'build', '--target', 'platform', ...args], env);
  const printed = (stdout: string): PushJson => JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as PushJson;

  /** GETs a manifest by tag or digest; checks the registry's digest header and the body's hash. */
  async function manifestOf(r: RegistryEndpoints, name: string, reference: string, auth?: string): Promise<{ digest: string; manifest: Manifest }> {
    const res = await fetch(`${r.url}/v2/${name}/manifests/${reference}`, {
      headers: { Accept: MANIFEST_TYPES, ...(auth ? { Authorization: auth } : {}) },
    });
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, 200, `GET manifest ${name}:${reference}: ${body.toString()}`);
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    assert.equal(res.headers.get('docker-content-digest'), digest, 'the registry names the manifest by the hash of the bytes it serves');
    return { digest, manifest: JSON.parse(body.toString()) as Manifest };
  }

  /** Every blob the manifest names is in the registry, at its size. */
  async function assertBlobs(r: RegistryEndpoints, name: string, m: Manifest, auth?: string): Promise<void> {
    assert.ok(m.layers.length > 0, 'the manifest names layers');
    for (const blob of [m.config, ...m.layers]) {
      const res = await fetch(`${r.url}/v2/${name}/blobs/${blob.digest}`, { method: 'HEAD', headers: auth ? { Authorization: auth } : {} });
      assert.equal(res.status, 200, `HEAD blob ${blob.digest}`);
      assert.equal(Number(res.headers.get('content-length')), blob.size, `size of blob ${blob.digest}`);
    }
  }

  void it('pushes to an open registry with --insecure; the registry serves the manifest under the digest image build printed', async () => {
    const ref = `${open.host}/nasflow/nasflow:it`;
    const run = await push(['--push', ref, '--insecure', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const out = printed(run.stdout);
    assert.equal(out.pushed, ref);
    assert.equal(out.digest, built.digest, 'the CLI found the cached build the test helper made');
    assert.equal(out.cached, true, 'the push reused the cached build (no second build)');

    const byTag = await manifestOf(open, 'nasflow/nasflow', 'it');
    assert.equal(byTag.digest, built.digest, 'pushed digest = built digest (--preserve-digests)');
    const byDigest = await manifestOf(open, 'nasflow/nasflow', built.digest);
    assert.equal(byDigest.digest, built.digest);
    await assertBlobs(open, 'nasflow/nasflow', byTag.manifest);

    // A second client agrees: skopeo reads the pushed image back from the registry.
    const inspect = await runCommand('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${ref}`], { env });
    assert.equal(inspect.code, 0, inspect.output);
    assert.equal(`sha256:${createHash('sha256').update(inspect.output).digest('hex')}`, built.digest);
  });

  void it('a registry with basic auth refuses a push without --creds or with a wrong password, naming the ref; with --creds the digest is the built one', async () => {
    const ref = `${authed.host}/team/nasflow:0.1.0`;
    const anonymous = await push(['--push', ref, '--insecure']);
    assert.notEqual(anonymous.code, 0, 'an anonymous push is refused');
    assert.match(anonymous.stderr, new RegExp(`--push ${escape(ref)}: the push failed: .*(unauthorized|authentication required)`, 'i'));
    assert.match(anonymous.stderr, /fix: the registry wants credentials: pass --creds user:token/);

    const wrong = await push(['--push', ref, '--insecure', '--creds', `${USER}:not-the-password`]);
    assert.notEqual(wrong.code, 0, 'a wrong password is refused');
    assert.match(wrong.stderr, new RegExp(`--push ${escape(ref)}: the push failed: .*(unauthorized|authentication required)`, 'i'));
    assert.match(wrong.stderr, /fix: the registry refused these credentials: check the user and password\/token given to --creds/);

    const ok = await push(['--push', ref, '--insecure', '--creds', `${USER}:${PASSWORD}`, '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(printed(ok.stdout).digest, built.digest);

    const anon = await fetch(`${authed.url}/v2/team/nasflow/manifests/0.1.0`, { headers: { Accept: MANIFEST_TYPES } });
    assert.equal(anon.status, 401, 'the registry itself wants auth');
    const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    const pulled = await manifestOf(authed, 'team/nasflow', '0.1.0', basic);
    assert.equal(pulled.digest, built.digest, 'pushed digest = built digest, with --creds');
    await assertBlobs(authed, 'team/nasflow', pulled.manifest, basic);
  });

  void it('a push to a port where nothing listens, or over HTTPS to a plain-HTTP registry, fails naming the ref and the fix', async () => {
    const nobody = `127.0.0.1:${await freePort()}/nasflow/nasflow:it`;
    const refused = await push(['--push', nobody, '--insecure']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, new RegExp(`--push ${escape(nobody)}: the push failed: .*connection refused`));
    assert.match(refused.stderr, /fix: the registry cannot be reached: check the host and port/);

    const tls = `${open.host}/nasflow/nasflow:tls`;
    const plain = await push(['--push', tls]);
    assert.notEqual(plain.code, 0, 'without --insecure skopeo insists on TLS');
    assert.match(plain.stderr, new RegExp(`--push ${escape(tls)}: the push failed: .*server gave HTTP response to HTTPS client`));
    assert.match(plain.stderr, /fix: the registry speaks plain HTTP: add --insecure/);
    const absent = await fetch(`${open.url}/v2/nasflow/nasflow/manifests/tls`, { headers: { Accept: MANIFEST_TYPES } });
    assert.equal(absent.status, 404, 'nothing was pushed');
  });

  void it('bad push flags are refused before any build, naming the flag', async () => {
    const noPassword = await push(['--push', `${open.host}/x/y:z`, '--insecure', '--creds', 'justauser']);
    assert.notEqual(noPassword.code, 0);
    assert.match(noPassword.stderr, /--creds: expected user:password \(or user:token\)/);
    const credsAlone = await push(['--creds', `${USER}:${PASSWORD}`]);
    assert.match(credsAlone.stderr, /--creds only applies with --push <ref>/);
    const insecureAlone = await push(['--insecure']);
    assert.match(insecureAlone.stderr, /--insecure only applies with --push <ref>/);
    const otherTransport = await push(['--push', 'oci:/tmp/layout:tag']);
    assert.notEqual(otherTransport.code, 0);
    assert.match(otherTransport.stderr, /--push oci:\/tmp\/layout:tag: expected a registry reference such as/);
    for (const r of [noPassword, credsAlone, insecureAlone, otherTransport]) assert.doesNotMatch(r.stderr, /building ghcr\.io/, 'no build started');
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
