/** Reads a search spec file (YAML or JSON, or a NeuralArchitectureSearch manifest) and validates it, with errors that name the file and field. */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { SearchSpec } from '../api/search-spec.js';
import { checkResource, checkSearchSpec, problemLines, readYaml, type Checked, type CheckedResource } from './spec-document.js';

/** The file's text, or an error naming the file. */
export function readSpecText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read spec file ${path}: ${(err as Error).message}`);
  }
}

/** A document with `kind` is a manifest; anything else is a plain search spec. */
export function isManifest(doc: unknown): boolean {
  return doc !== null && typeof doc === 'object' && 'kind' in doc;
}

/** The search spec a file holds (a manifest's spec plus metadata.name), checked; problems name the field. */
export function checkSpecText(text: string, opts: { resource?: boolean } = {}): Checked<SearchSpec> & { resource?: CheckedResource } {
  const read = readYaml(text);
  if (read.problems.length > 0) return { problems: read.problems };
  if (opts.resource || isManifest(read.value)) {
    const r = checkResource(read.value);
    return r.value ? { value: r.value.search, resource: r.value, problems: [] } : { problems: r.problems };
  }
  return checkSearchSpec(read.value);
}

export function loadSpecFile(path: string, cwd = process.cwd()): SearchSpec {
  const checked = checkSpecText(readSpecText(path));
  if (!checked.value) throw new Error(`${path}: invalid search spec:\n  ${problemLines(checked.problems).join('\n  ')}`);
  const spec = checked.value;
  return { ...spec, storage: resolveLocal(spec.storage, cwd), ...(spec.dataset ? { dataset: resolveLocal(spec.dataset, cwd) } : {}) };
}

/** Plain relative paths are relative to the working directory; URIs pass through. */
function resolveLocal(uri: string, cwd: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) || isAbsolute(uri)) return uri;
  return resolve(cwd, uri);
}
