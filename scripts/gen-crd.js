// Writes the NeuralArchitectureSearch CRD, generated from the zod schema in src/spec/resource-spec.ts,
// to k8s/crd/ and copies it into the Helm chart (helm/nasflow/crds/). Usage: npm run gen:crd
// (builds first). test/unit/kube/crd.test.ts fails when the committed files differ from this output.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CRD_PATHS, crdYaml } from '../dist/src/kube/crd-yaml.js';

const root = join(import.meta.dirname, '..');
const text = crdYaml();
for (const p of CRD_PATHS) {
  writeFileSync(join(root, p), text);
  console.log(`wrote ${p}`);
}
