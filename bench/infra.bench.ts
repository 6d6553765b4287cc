/**
 * Infrastructure figures: how long each tool took to build (recorded by `dev tools` when it built
 * it), how long each part of the dev stack takes to start with warm tools, and each server's
 * resident memory after it has idled. Run: `node dist/bench/infra.bench.js` (after `npm run build`).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StartedComponent } from '../src/dev/components.js';
import { startKube } from '../src/dev/kube.js';
import { startS3 } from '../src/dev/s3.js';
import { stopService } from '../src/dev/service.js';
import { startTemporal } from '../src/dev/temporal.js';
import { TOOLS } from '../src/dev/tool-catalog.js';
import { ensureTools, toolPath, toolsDir } from '../src/dev/tools.js';
import { at } from '../src/common/indexing.js';
import { machineLine, table, writeSection } from './report.js';

const ROUNDS = 3;
const IDLE_MS = 10_000;

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return at(s, Math.floor(s.length / 2), 'median sample');
}

async function main(): Promise<void> {
  const tools = await ensureTools({ env: process.env, log: (m) => console.error(m) });
  const dir = toolsDir(process.env);
  const buildRows = TOOLS.map((t) => {
    const record = join(toolPath(dir, t), '..', 'build.json');
    const seconds = existsSync(record) ? (JSON.parse(readFileSync(record, 'utf8')) as { seconds: number; goCacheCold: boolean }) : undefined;
    const sharedBuild = t.recipe.kind === 'k8s-wrapper' && t.name !== 'kube-apiserver';
    return [t.name, t.version, seconds ? `${seconds.seconds} s` : sharedBuild ? 'in the kube-apiserver build' : 'not recorded'];
  });

  const parts: [string, (d: string) => Promise<StartedComponent<object>>][] = [
    ['temporal', (d) => startTemporal(tools.temporal.path, { dir: d })],
    ['s3 (versitygw)', (d) => startS3(tools.versitygw.path, { dir: d })],
    ['kube (etcd, apiserver, controller manager, scheduler, kwok, 4 GPU nodes)', (d) => startKube(tools, { dir: d, gpuNodes: 4, gpusPerNode: 8 })],
  ];
  const upRows: (string | number)[][] = [];
  const rssRows: (string | number)[][] = [];
  for (const [name, start] of parts) {
    const times: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const d = mkdtempSync(join(tmpdir(), 'nasflow-bench-'));
      const t0 = performance.now();
      const c = await start(d);
      times.push((performance.now() - t0) / 1000);
      if (round === ROUNDS - 1) {
        await sleep(IDLE_MS);
        for (const p of c.processes) rssRows.push([p.name, rssMiB(p.pid).toFixed(0)]);
      }
      for (const p of [...c.processes].reverse()) await stopService(p);
      rmSync(d, { recursive: true, force: true });
    }
    upRows.push([name, median(times).toFixed(1), Math.min(...times).toFixed(1), Math.max(...times).toFixed(1)]);
    console.log(`${name}: up in ${median(times).toFixed(1)} s (median of ${ROUNDS})`);
  }

  writeSection(
    'infra',
    [
      '## Infrastructure (`bench/infra.bench.ts`)',
      '',
      `Measured ${machineLine()}.`,
      '',
      `Build time of each tool as recorded by \`nasflow dev tools\` when it built it into ${dir}${process.env.NASFLOW_BENCH_BUILD_NOTE ? ` (${process.env.NASFLOW_BENCH_BUILD_NOTE})` : ''}:`,
      '',
      table(['tool', 'version', 'build'], buildRows),
      '',
      `Warm \`dev up\` time per part (tools already built; start until ready; ${ROUNDS} rounds):`,
      '',
      table(['part', 'median s', 'min s', 'max s'], upRows),
      '',
      `Resident memory of each server after ${IDLE_MS / 1000} s idle:`,
      '',
      table(['process', 'RSS MiB'], rssRows),
    ].join('\n'),
  );
}

await main();
