/** `nasflow dev …`: infrastructure binaries and the local dev stack. */
import type { Command } from 'commander';
import { stackDown, stackRestart, stackStatus, stackUp, stateFile, type StackState } from '../dev/stack.js';
import { ensureTools, toolsDir } from '../dev/tools.js';
import { runCommand } from '../dev/run-command.js';
import { TOOLS } from '../dev/tool-catalog.js';
import { ensureHostPackages, systemHostPackageDeps } from '../dev/host-packages.js';

export function registerDevCommands(program: Command): void {
  const dev = program.command('dev').description('local infrastructure: tool binaries and a dev stack on 127.0.0.1');

  dev
    .command('tools')
    .description(`build missing infrastructure binaries into the tools cache (NASFLOW_TOOLS_DIR, default ~/.cache/nasflow/tools) and print their paths`)
    .option('--json', 'print one JSON object keyed by tool, each with path and version')
    .option('--check', 'also run each binary to prove it works')
    .action(async (opts: { json?: boolean; check?: boolean }) => {
      const tools = await ensureTools({ env: process.env, log: (m) => console.error(m) });
      // The image build's Debian packages; a non-root machine gets the command instead of a failure.
      const host = await ensureHostPackages(systemHostPackageDeps(process.env), (m) => console.error(m));
      if (host.hint) console.error(`warning: ${host.hint}`);
      if (opts.check) {
        for (const spec of TOOLS) {
          const res = await runCommand(tools[spec.name].path, spec.versionArgs, {});
          if (res.code !== 0) throw new Error(`${spec.name} at ${tools[spec.name].path} does not run: ${res.output.slice(0, 500)}`);
        }
      }
      if (opts.json) {
        console.log(JSON.stringify(tools));
      } else {
        console.log(`tools cache: ${toolsDir(process.env)}`);
        for (const [name, info] of Object.entries(tools)) console.log(`${name.padEnd(24)} ${info.version.padEnd(8)} ${info.path}`);
      }
    });

  dev
    .command('up')
    .description(
      'start the chosen parts on 127.0.0.1, wait until ready, print endpoints (a part that ran before gets its ports and data back when the ports are free)',
    )
    .option('--temporal', 'Temporal dev server with Web UI')
    .option('--kube', 'kube-apiserver + etcd + controller manager + scheduler + kwok')
    .option('--gpu-nodes <n>', 'kwok GPU nodes (8 x nvidia.com/gpu each) to create with --kube', (v) => parseCount(v, '--gpu-nodes'), 0)
    .option('--s3', 'S3 server (versitygw)')
    .option('--json', 'print the state as JSON')
    .action(async (opts: { temporal?: boolean; kube?: boolean; gpuNodes: number; s3?: boolean; json?: boolean }) => {
      const any = Boolean(opts.temporal || opts.kube || opts.s3);
      const sel = { temporal: !any || Boolean(opts.temporal), kube: !any || Boolean(opts.kube), s3: !any || Boolean(opts.s3), gpuNodes: opts.gpuNodes };
      if (opts.gpuNodes > 0 && !sel.kube) throw new Error('--gpu-nodes needs --kube');
      printState(await stackUp(sel, process.env, (m) => console.error(m)), Boolean(opts.json));
    });

  dev
    .command('restart')
    .description("stop and start again the dev stack's Temporal and/or S3 server on the same ports with the same data (running searches carry on)")
    .option('--temporal', 'only the Temporal dev server')
    .option('--s3', 'only the S3 server')
    .option('--json', 'print the state as JSON')
    .action(async (opts: { temporal?: boolean; s3?: boolean; json?: boolean }) => {
      const names = [...(opts.temporal ? ['temporal'] : []), ...(opts.s3 ? ['s3'] : [])];
      printState(await stackRestart(names.length > 0 ? names : undefined, process.env, (m) => console.error(m)), Boolean(opts.json));
    });

  dev
    .command('down')
    .description('stop exactly what "dev up" started')
    .action(async () => {
      const stopped = await stackDown(process.env);
      console.log(stopped.length ? `stopped: ${stopped.join(', ')}` : 'nothing was running');
    });

  dev
    .command('status')
    .description('report the running dev stack')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const { state, alive } = stackStatus(process.env);
      if (opts.json) {
        console.log(JSON.stringify({ running: Object.values(alive).some(Boolean), alive, state: state ?? null }));
        return;
      }
      if (!state) {
        console.log('no dev stack (run "nasflow dev up")');
        return;
      }
      for (const [name, ok] of Object.entries(alive)) console.log(`${name.padEnd(32)} ${ok ? 'running' : 'stopped'}`);
      for (const [name, c] of Object.entries(state.components)) {
        for (const [k, v] of Object.entries(c.endpoints)) console.log(`${name}.${k}: ${String(v)}`);
      }
    });
}

function printState(state: StackState, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(state, null, 2));
    return;
  }
  for (const [name, c] of Object.entries(state.components)) {
    console.log(`${name}:`);
    for (const [k, v] of Object.entries(c.endpoints)) console.log(`  ${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`);
  }
  console.log(`state file: ${stateFile(process.env)}`);
  if (state.components.kube) console.log(`try: kubectl --kubeconfig ${String(state.components.kube.endpoints.kubeconfig)} get nodes`);
}

function parseCount(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 1000) throw new Error(`${flag} must be an integer from 0 to 1000; received "${value}"`);
  return n;
}
