/**
 * The infrastructure binaries nasflow's tests and local playground run, pinned, and how each is
 * built from the Go module proxy (the only place these machines can get them).
 *
 * - `go-install`: `go install module/path@version` into the tool's cache folder.
 * - `k8s-wrapper`: kube-apiserver and friends cannot be `go install`ed (k8s.io/kubernetes requires
 *   its staging modules at v0.0.0), so a throwaway wrapper module requires k8s.io/kubernetes and
 *   replaces each staging module with its matching v0.X.Y tag.
 * - `etcd-wrapper`: etcd's server lives in a library module; a three-line main calls etcdmain.
 */
export type ToolName = 'temporal' | 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok' | 'versitygw' | 'helm' | 'registry';

export type BuildRecipe = { kind: 'go-install'; pkg: string } | { kind: 'k8s-wrapper'; cmd: string } | { kind: 'etcd-wrapper'; module: string };

export interface ToolSpec {
  readonly name: ToolName;
  readonly version: string;
  readonly recipe: BuildRecipe;
  /** Arguments that make the binary print its version (used by `dev tools` to prove it runs). */
  readonly versionArgs: readonly string[];
}

export const KUBERNETES_VERSION = '1.34.3';
const ETCD_VERSION = '3.6.16';

export const TOOLS: readonly ToolSpec[] = [
  {
    name: 'temporal',
    version: '1.5.1',
    recipe: { kind: 'go-install', pkg: 'github.com/temporalio/cli/cmd/temporal' },
    versionArgs: ['--version'],
  },
  {
    name: 'etcd',
    version: ETCD_VERSION,
    recipe: { kind: 'etcd-wrapper', module: 'go.etcd.io/etcd/server/v3' },
    versionArgs: ['--version'],
  },
  ...(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const).map((name) => ({
    name,
    version: KUBERNETES_VERSION,
    recipe: { kind: 'k8s-wrapper' as const, cmd: `k8s.io/kubernetes/cmd/${name}` },
    versionArgs: ['--version'],
  })),
  {
    name: 'kwok',
    version: '0.8.0',
    recipe: { kind: 'go-install', pkg: 'sigs.k8s.io/kwok/cmd/kwok' },
    versionArgs: ['--version'],
  },
  {
    name: 'versitygw',
    version: '1.7.0',
    recipe: { kind: 'go-install', pkg: 'github.com/versity/versitygw/cmd/versitygw' },
    versionArgs: ['--version'],
  },
  {
    name: 'helm',
    version: '4.2.4',
    recipe: { kind: 'go-install', pkg: 'helm.sh/helm/v4/cmd/helm' },
    versionArgs: ['version', '--short'],
  },
  {
    // The OCI registry `nasflow image build --push` is tested against (src/dev/registry.ts).
    name: 'registry',
    version: '3.1.2',
    recipe: { kind: 'go-install', pkg: 'github.com/distribution/distribution/v3/cmd/registry' },
    versionArgs: ['--version'],
  },
];

export function toolSpec(name: ToolName): ToolSpec {
  const spec = TOOLS.find((t) => t.name === name);
  if (!spec) throw new Error(`unknown tool ${name}; known: ${TOOLS.map((t) => t.name).join(', ')}`);
  return spec;
}
