/** Reads a search spec file (YAML or JSON) and validates it, with errors that name the file and field. */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseSearchSpec, type SearchSpec } from '../api/search-spec.js';

export function loadSpecFile(path: string, cwd = process.cwd()): SearchSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read spec file ${path}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new Error(`${path}: not valid YAML or JSON: ${(err as Error).message}`);
  }
  // A NeuralArchitectureSearch manifest works too: its spec plus metadata.name.
  if (doc && typeof doc === 'object' && 'kind' in doc && 'spec' in doc) {
    const m = doc as { metadata?: { name?: string }; spec: Record<string, unknown> };
    doc = { name: m.metadata?.name, ...m.spec };
  }
  try {
    const spec = parseSearchSpec(doc);
    return { ...spec, storage: resolveLocal(spec.storage, cwd), ...(spec.dataset ? { dataset: resolveLocal(spec.dataset, cwd) } : {}) };
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
}

/** Plain relative paths are relative to the working directory; URIs pass through. */
function resolveLocal(uri: string, cwd: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) || isAbsolute(uri)) return uri;
  return resolve(cwd, uri);
}
