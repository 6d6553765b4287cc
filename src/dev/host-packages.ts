/**
 * Debian packages the image build and its tests use (buildah, skopeo, umoci, runc, debootstrap),
 * and the headless browser the search report's test renders the page in (chromium), installed by
 * `nasflow dev tools` (`npm run tools`, part of `npm test`) when missing. They are not Go tools we
 * can build into the cache: they come from the machine's package manager, which needs root;
 * without root the command that would install them is printed instead.
 */
import { runCommand, tail } from './run-command.js';

export interface HostPackage {
  /** Debian package name. */
  pkg: string;
  /** A command on PATH that shows the package is installed. */
  command: string;
}

export const HOST_PACKAGES: readonly HostPackage[] = [
  { pkg: 'debootstrap', command: 'debootstrap' },
  { pkg: 'buildah', command: 'buildah' },
  { pkg: 'skopeo', command: 'skopeo' },
  { pkg: 'umoci', command: 'umoci' },
  { pkg: 'runc', command: 'runc' },
  { pkg: 'chromium', command: 'chromium' },
];

export interface HostPackageDeps {
  has(command: string): Promise<boolean>;
  isRoot: boolean;
  install(pkgs: readonly string[]): Promise<void>;
}

export type HostPackageOutcome = { installed: string[]; missing: string[]; hint?: string };

/** Installs the missing packages when root; otherwise reports them with the command to run. */
export async function ensureHostPackages(deps: HostPackageDeps, log: (m: string) => void): Promise<HostPackageOutcome> {
  const missing: string[] = [];
  for (const p of HOST_PACKAGES) if (!(await deps.has(p.command))) missing.push(p.pkg);
  if (missing.length === 0) return { installed: [], missing: [] };
  const command = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (!deps.isRoot) return { installed: [], missing, hint: `the image build and the report tests need: ${missing.join(', ')}; as root run: ${command}` };
  log(`installing Debian packages for the image build and the report tests: ${missing.join(' ')}`);
  await deps.install(missing);
  return { installed: missing, missing: [] };
}

export function systemHostPackageDeps(env: NodeJS.ProcessEnv): HostPackageDeps {
  const quiet = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  return {
    has: async (command) => (await runCommand('sh', ['-c', `command -v ${command}`], { env })).code === 0,
    isRoot: process.getuid?.() === 0,
    async install(pkgs) {
      for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...pkgs]]) {
        const res = await runCommand('apt-get', args, { env: quiet });
        if (res.code !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${res.code}):\n${tail(res.output)}`);
      }
    },
  };
}
