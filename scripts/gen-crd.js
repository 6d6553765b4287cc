// Generated artifacts of the Kubernetes packaging, from their single sources:
// - the NeuralArchitectureSearch CRD, from the zod schema in src/api/resource-spec.ts, written to
//   k8s/crd/ and copied into the Helm chart (helm/nasflow/crds/);
// - the chart's README values table, from the `# --` comments in helm/nasflow/values.yaml;
// - the algorithms table of docs/search.md, from the definitions in src/algorithms/registry.ts.
// Usage: npm run gen:crd (builds first). Unit tests fail when the committed files differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CRD_PATHS, crdYaml } from '../dist/src/kube/crd-yaml.js';
import { helmReadme } from '../dist/src/kube/helm-readme.js';
import { withAlgorithmsTable } from '../dist/src/algorithms/docs-table.js';
import { ALGORITHMS } from '../dist/src/algorithms/catalog.js';

const root = join(import.meta.dirname, '..');
const text = crdYaml();
for (const p of CRD_PATHS) {
  writeFileSync(join(root, p), text);
  console.log(`wrote ${p}`);
}
const chartDir = join(root, 'helm', 'nasflow');
const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8'));
writeFileSync(join(chartDir, 'README.md'), helmReadme(readFileSync(join(chartDir, 'values.yaml'), 'utf8'), chart));
console.log('wrote helm/nasflow/README.md');
const searchDoc = join(root, 'docs', 'search.md');
writeFileSync(searchDoc, withAlgorithmsTable(readFileSync(searchDoc, 'utf8'), ALGORITHMS));
console.log('wrote the algorithms table of docs/search.md');
