/**
 * Makes sure every pinned infrastructure binary exists in the tools cache, building the missing
 * ones. Each tool lives in `<cache>/<tool>-<version>/<tool>`; a binary is moved into place only
 * after its build succeeded, so a finished tool is never half-written and a second run is a no-op.
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { buildEtcd, buildKubernetes, goInstall, type BuildContext } from './go-builds.js';
import { withLock } from './lock.js';
import { ensureKwokStages } from './kwok-stages.js';
import { TOOLS, type ToolName, type ToolSpec } from './tool-catalog.js';

export interface ToolInfo {
  path: string;
  version: string;
}

export type ToolSet = Record<ToolName, ToolInfo>;

export function toolsDir(env: NodeJS.ProcessEnv): string {
  return env.NASFLOW_TOOLS_DIR ?? join(env.HOME ?? homedir(), '.cache', 'nasflow', 'tools');
}

export function toolPath(dir: string, spec: ToolSpec): string {
  return join(dir, `${spec.name}-${spec.version}`, spec.name);
}

export interface EnsureToolsOptions {
  env: NodeJS.ProcessEnv;
  only?: readonly ToolName[];
  log?: (message: string) => void;
}

export async function ensureTools(opts: EnsureToolsOptions): Promise<ToolSet> {
  const dir = toolsDir(opts.env);
  const log = opts.log ?? (() => undefined);
  const wanted = TOOLS.filter((t) => !opts.only || opts.only.includes(t.name));
  const buildDir = join(dir, '.build');
  mkdirSync(buildDir, { recursive: true });
  const ctx: BuildContext = { buildDir, env: opts.env };

  for (const spec of wanted) {
    if (existsSync(toolPath(dir, spec))) continue;
    await withLock(join(dir, `.lock-${spec.recipe.kind === 'k8s-wrapper' ? 'kubernetes' : spec.name}`), async () => {
      if (existsSync(toolPath(dir, spec))) return; // another process built it while we waited
      log(`building ${spec.name} ${spec.version} (first run only; this can take several minutes)`);
      const started = Date.now();
      await build(spec, dir, ctx);
      const seconds = Math.round((Date.now() - started) / 1000);
      writeFileSync(join(toolPath(dir, spec), '..', 'build.json'), JSON.stringify({ seconds, builtAt: new Date().toISOString() }));
      log(`built ${spec.name} in ${seconds} s`);
    });
  }

  const kwok = wanted.find((t) => t.name === 'kwok');
  if (kwok) await ensureKwokStages(toolPath(dir, kwok), kwok.version, opts.env, join(buildDir, `kwok-${kwok.version}.log`));

  const result = {} as ToolSet;
  for (const spec of wanted) result[spec.name] = { path: toolPath(dir, spec), version: spec.version };
  return result;
}

async function build(spec: ToolSpec, dir: string, ctx: BuildContext): Promise<void> {
  const staging = mkdtempSync(join(ctx.buildDir, `${spec.name}-out-`));
  try {
    const recipe = spec.recipe;
    if (recipe.kind === 'go-install') {
      await goInstall(spec, recipe.pkg, staging, ctx);
      install(join(staging, spec.name), toolPath(dir, spec));
    } else if (recipe.kind === 'etcd-wrapper') {
      await buildEtcd(spec, recipe.module, staging, ctx);
      install(join(staging, 'etcd'), toolPath(dir, spec));
    } else {
      // One build yields all Kubernetes binaries; install each that is still missing.
      const k8sTools = TOOLS.filter((t) => t.recipe.kind === 'k8s-wrapper');
      await buildKubernetes(
        k8sTools.map((t) => (t.recipe as { cmd: string }).cmd),
        staging,
        ctx,
      );
      for (const t of k8sTools) {
        if (!existsSync(toolPath(dir, t))) install(join(staging, t.name), toolPath(dir, t));
      }
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function install(from: string, to: string): void {
  mkdirSync(join(to, '..'), { recursive: true });
  renameSync(from, to);
}
