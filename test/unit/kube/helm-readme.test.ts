/** The chart README is generated from the `# --` comments in values.yaml; undocumented values are errors. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { helmReadme, valueDocs } from '../../../src/kube/helm-readme.js';

const CHART = join(import.meta.dirname, '..', '..', '..', '..', 'helm', 'nasflow');

void describe('helm chart README', () => {
  void it('matches the generator (run "npm run gen:crd" after editing values.yaml)', () => {
    const chart = parse(readFileSync(join(CHART, 'Chart.yaml'), 'utf8')) as { name: string; version: string; description: string };
    assert.equal(readFileSync(join(CHART, 'README.md'), 'utf8'), helmReadme(readFileSync(join(CHART, 'values.yaml'), 'utf8'), chart));
  });

  void it('documents nested values with their defaults', () => {
    const docs = valueDocs('temporal:\n  # -- Frontend address.\n  address: t:7233\n  tls:\n    # -- Use TLS.\n    enabled: false\n');
    assert.deepEqual(docs, [
      { key: 'temporal.address', description: 'Frontend address.', default: '"t:7233"' },
      { key: 'temporal.tls.enabled', description: 'Use TLS.', default: 'false' },
    ]);
  });

  void it('rejects a value without a "# --" comment, naming it', () => {
    assert.throws(() => valueDocs('worker:\n  # -- Replicas.\n  replicas: 2\n  launcher: kubernetes\n'), /worker\.launcher has no "# --" description/);
  });

  void it('lets a documented object value document its children', () => {
    assert.deepEqual(
      valueDocs('# -- Limits.\nresources:\n  cpu: 1\n').map((d) => d.key),
      ['resources'],
    );
  });
});
