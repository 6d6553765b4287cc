/**
 * Builds infrastructure binaries with the Go toolchain from the Go module proxy, each step
 * reporting failures as ToolBuildError (which tool, which step, what to do).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, tail } from './run-command.js';
import { KUBERNETES_VERSION, type ToolSpec } from './tool-catalog.js';

export class ToolBuildError extends Error {
  constructor(
    readonly tool: string,
    readonly step: string,
    detail: string,
    readonly logFile: string,
  ) {
    super(
      `building ${tool} failed at step "${step}":\n${detail}\n` +
        `Full log: ${logFile}\n` +
        'Fix: make sure `go` (>= 1.24) is on PATH and the Go module proxy is reachable (go env GOPROXY), ' +
        'then run `npx nasflow dev tools` again; finished tools are kept.',
    );
    this.name = 'ToolBuildError';
  }
}

export interface BuildContext {
  /** Scratch folder for wrapper modules and logs, outside the work tree. */
  buildDir: string;
  env: NodeJS.ProcessEnv;
}

async function step(tool: string, name: string, logFile: string, cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const result = await runCommand(cmd, args, { cwd, env, logFile });
  if (result.code !== 0) throw new ToolBuildError(tool, name, tail(result.output), logFile);
  return result.output;
}

function goEnv(ctx: BuildContext, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...ctx.env, GOFLAGS: '-buildvcs=false', ...extra };
}

/** `go install pkg@version` with GOBIN pointed at outDir. */
export async function goInstall(spec: ToolSpec, pkg: string, outDir: string, ctx: BuildContext): Promise<void> {
  const logFile = join(ctx.buildDir, `${spec.name}-${spec.version}.log`);
  await step(spec.name, 'go install', logFile, 'go', ['install', `${pkg}@v${spec.version}`], ctx.buildDir, goEnv(ctx, { GOBIN: outDir }));
}

/** etcd: a wrapper main package that calls etcdmain.Main. */
export async function buildEtcd(spec: ToolSpec, module: string, outDir: string, ctx: BuildContext): Promise<void> {
  const dir = join(ctx.buildDir, `etcd-wrapper-${spec.version}`);
  const logFile = join(ctx.buildDir, `etcd-${spec.version}.log`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'go.mod'), 'module nasflow.local/etcd-wrapper\n\ngo 1.24.0\n');
  writeFileSync(
    join(dir, 'main.go'),
    'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n',
  );
  const env = goEnv(ctx);
  await step('etcd', 'go get', logFile, 'go', ['get', `${module}@v${spec.version}`], dir, env);
  await step('etcd', 'go mod tidy', logFile, 'go', ['mod', 'tidy'], dir, env);
  await step('etcd', 'go build', logFile, 'go', ['build', '-ldflags', '-s -w', '-o', join(outDir, 'etcd'), '.'], dir, env);
}

/**
 * kube-apiserver, kube-controller-manager and kube-scheduler in one build (they share most of
 * their packages, so building them together costs little more than building one).
 */
export async function buildKubernetes(cmds: readonly string[], outDir: string, ctx: BuildContext): Promise<void> {
  const version = KUBERNETES_VERSION;
  const dir = join(ctx.buildDir, `k8s-wrapper-${version}`);
  const logFile = join(ctx.buildDir, `kubernetes-${version}.log`);
  mkdirSync(dir, { recursive: true });
  const env = goEnv(ctx);
  const info = await step(
    'kubernetes',
    'go mod download k8s.io/kubernetes',
    logFile,
    'go',
    ['mod', 'download', '-json', `k8s.io/kubernetes@v${version}`],
    ctx.buildDir,
    env,
  );
  const goModPath = (JSON.parse(info) as { GoMod: string }).GoMod;
  const staging = [...readFileSync(goModPath, 'utf8').matchAll(/^\s+(k8s\.io\/[a-z0-9-]+) v0\.0\.0$/gm)].map((m) => m[1]);
  if (staging.length === 0) throw new ToolBuildError('kubernetes', 'read staging modules', `no v0.0.0 requirements in ${goModPath}`, logFile);
  const minor = version.split('.').slice(1).join('.');
  const replaces = staging.map((m) => `\t${m} => ${m} v0.${minor}`).join('\n');
  writeFileSync(join(dir, 'go.mod'), `module nasflow.local/k8s-wrapper\n\ngo 1.24.0\n\nrequire k8s.io/kubernetes v${version}\n\nreplace (\n${replaces}\n)\n`);
  await step('kubernetes', 'go get', logFile, 'go', ['get', ...cmds.map((c) => `${c}@v${version}`)], dir, env);
  const [major, minorOnly] = version.split('.');
  const ldflags = [
    '-s -w',
    `-X k8s.io/component-base/version.gitVersion=v${version}`,
    `-X k8s.io/component-base/version.gitMajor=${major}`,
    `-X k8s.io/component-base/version.gitMinor=${minorOnly}`,
    '-X k8s.io/component-base/version.gitTreeState=clean',
  ].join(' ');
  await step('kubernetes', 'go build', logFile, 'go', ['build', '-ldflags', ldflags, '-o', `${outDir}/`, ...cmds], dir, env);
}
