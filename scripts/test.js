// Runs the compiled test files with Node's built-in test runner. Usage: node scripts/test.js [layer...]
// where a layer is a folder under test/ (unit, conformance, smoke, integration, workflows, e2e).
// Files run one at a time by default: several suites start real servers, and the machines have 2 cores.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..', 'dist', 'test');
const layers = process.argv.slice(2);
if (!existsSync(root)) {
  console.error('dist/test is missing: run "npm run build" first');
  process.exit(1);
}

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const files = collect(root)
  .filter((f) => layers.length === 0 || layers.includes(relative(root, f).split('/')[0]))
  .sort();
if (files.length === 0) {
  console.error(`no test files found for layers: ${layers.join(', ') || '(all)'}`);
  process.exit(1);
}
const concurrency = process.env.NASFLOW_TEST_CONCURRENCY ?? '1';
const result = spawnSync(
  process.execPath,
  // A file whose tests finished but which keeps a handle open must not stall the run (force-exit);
  // no single test may run longer than 15 minutes.
  ['--test', `--test-concurrency=${concurrency}`, '--test-force-exit', '--test-timeout=900000', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
