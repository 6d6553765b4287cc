/**
 * Child-process half of the reproducibility checks. Usage:
 *   node run-steps.js <case> <seed> <from> <steps> <in.json|-> <out.json>
 * With `-` it creates the algorithm from the seed; otherwise it restores {state, driver} from the
 * file. It drives `steps` steps and writes {state, driver} to out.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { AlgorithmState } from '../../src/algorithms/types.js';
import { create, drive, findCase, newDriver, restore, type DriverState } from './cases.js';

const [name, seed, from, steps, input, output] = process.argv.slice(2);
if (name === undefined || seed === undefined || from === undefined || steps === undefined || input === undefined || output === undefined) {
  throw new Error(`usage: run-steps.js <case> <seed> <from> <steps> <in.json|-> <out.json> (got: ${process.argv.slice(2).join(' ')})`);
}
const c = findCase(name);
let algo;
let driver: DriverState;
if (input === '-') {
  algo = create(c, Number(seed));
  driver = newDriver();
} else {
  const saved = JSON.parse(readFileSync(input, 'utf8')) as { state: AlgorithmState; driver: DriverState };
  algo = restore(c, saved.state);
  driver = saved.driver;
}
drive(algo, driver, Number(from), Number(steps));
writeFileSync(output, JSON.stringify({ state: algo.state(), driver }));
