/**
 * Checked indexing for code compiled with `noUncheckedIndexedAccess`: where an index out of range
 * would be a broken invariant, fail loudly at the read instead of letting `undefined` travel on.
 * Pure; safe for workflows to import.
 */

/**
 * `xs[i]`, or a RangeError naming `what`, the index and the length when `i` is not an integer in
 * `[0, xs.length)`. Works on arrays, typed arrays and strings (anything array-like).
 */
export function at<T>(xs: ArrayLike<T>, i: number, what = 'index'): T {
  if (!Number.isInteger(i) || i < 0 || i >= xs.length) {
    throw new RangeError(`${what} ${i} out of range (length ${xs.length})`);
  }
  return xs[i] as T;
}
