/** Every registered algorithm runs the conformance suite: a case in cases.ts and a test file that instantiates it. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { ALGORITHM_NAMES } from '../../src/algorithms/registry.js';
import { CASES } from './cases.js';

void describe('conformance covers the registry', () => {
  const sources = readdirSync(import.meta.dirname)
    .filter((f) => f.endsWith('.test.js'))
    .map((f) => readFileSync(`${import.meta.dirname}/${f}`, 'utf8'));
  for (const name of ALGORITHM_NAMES) {
    void it(`${name} has a conformance case that a test file runs`, () => {
      const cases = CASES.filter((c) => c.algorithm === name);
      assert.ok(cases.length > 0, `${name} is registered (src/algorithms/registry.ts) but has no case in test/conformance/cases.ts`);
      assert.ok(
        cases.some((c) => sources.some((s) => s.includes(`findCase('${c.name}')`))),
        `no test file in test/conformance runs a case of ${name}: add one calling describeAlgorithmConformance(findCase(...))`,
      );
    });
  }
});
