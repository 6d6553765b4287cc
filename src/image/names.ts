/**
 * The names the image build gives its images; the Helm chart's values.yaml points at the same
 * (a unit test compares them). One repository per target; the GPU variant's tag ends in `-gpu`.
 */
export type ImageTarget = 'trainer' | 'platform';
export type ImageFlavour = 'cpu' | 'gpu';

export const IMAGE_REPOSITORIES: Readonly<Record<ImageTarget, string>> = {
  trainer: 'ghcr.io/nasflow/trainer',
  platform: 'ghcr.io/nasflow/nasflow',
};

/** `<repository>:<version>` for CPU, `<repository>:<version>-gpu` for GPU. */
export function imageRef(target: ImageTarget, flavour: ImageFlavour, version: string): string {
  return `${IMAGE_REPOSITORIES[target]}:${version}${flavour === 'gpu' ? '-gpu' : ''}`;
}
