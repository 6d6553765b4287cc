/** Manifests of the fake nodes kwok manages. */

/** A GPU node as a cloud GPU instance advertises it: `nvidia.com/gpu` capacity plus CPU and memory. */
export function gpuNodeManifest(name: string, gpus: number): Record<string, unknown> {
  const resources = { cpu: '32', memory: '256Gi', pods: '110', 'nvidia.com/gpu': String(gpus), 'ephemeral-storage': '500Gi' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kwok.x-k8s.io/node': 'fake' },
      labels: {
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/os': 'linux',
        'kubernetes.io/hostname': name,
        type: 'kwok',
        'nvidia.com/gpu.present': 'true',
        'nvidia.com/gpu.count': String(gpus),
      },
    },
    spec: {},
    status: { allocatable: resources, capacity: resources },
  };
}
