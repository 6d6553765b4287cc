/**
 * Stable short hashes for ids and canonical genotypes. Pure JavaScript (no node:crypto) so that
 * workflow code may import it: two FNV-1a passes with different offsets give 64 bits.
 */
import { fnv1a32 } from './rng.js';

export function stableHash(text: string, hexChars = 16): string {
  const a = fnv1a32(text).toString(16).padStart(8, '0');
  const b = fnv1a32(`\u0001${text}`).toString(16).padStart(8, '0');
  return (a + b).slice(0, hexChars);
}

/** JSON with object keys sorted, so equal values always serialise to the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}
