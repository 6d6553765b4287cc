/**
 * kwok needs "stages" (how fake nodes and pods move through their lifecycle) and refuses to start
 * without them. kwok's own module ships its default "fast" stages as YAML; after building kwok we
 * assemble those files, from the module the Go toolchain already downloaded, into one config
 * next to the binary. Fast pod stages: a pod bound to a kwok node becomes Running at once, a pod
 * owned by a Job then Succeeds, and a deleted pod goes away.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, tail } from './run-command.js';
import { ToolBuildError } from './go-builds.js';

const STAGE_FILES = ['node/fast/node-initialize.yaml', 'pod/fast/pod-ready.yaml', 'pod/fast/pod-complete.yaml', 'pod/fast/pod-delete.yaml'];

export function kwokStagesPath(kwokBinary: string): string {
  return join(kwokBinary, '..', 'stages.yaml');
}

export async function ensureKwokStages(kwokBinary: string, version: string, env: NodeJS.ProcessEnv, logFile: string): Promise<string> {
  const target = kwokStagesPath(kwokBinary);
  if (existsSync(target)) return target;
  const res = await runCommand('go', ['mod', 'download', '-json', `sigs.k8s.io/kwok@v${version}`], { env, logFile });
  if (res.code !== 0) throw new ToolBuildError('kwok', 'download kwok stages', tail(res.output), logFile);
  const moduleDir = (JSON.parse(res.output) as { Dir: string }).Dir;
  const docs = STAGE_FILES.map((f) => readFileSync(join(moduleDir, 'kustomize', 'stage', f), 'utf8').trim());
  writeFileSync(`${target}.tmp`, `${docs.join('\n---\n')}\n`);
  renameSync(`${target}.tmp`, target);
  return target;
}
