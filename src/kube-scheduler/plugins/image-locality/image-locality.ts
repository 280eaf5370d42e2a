// ImageLocality: prefers nodes that already hold the pod's images, weighing each image by its
// size and by how widely it is spread over the cluster (so one node holding a rare image does
// not attract every pod), clamped between 23 MB and 1000 MB per container, as upstream.

import type { Plugin } from '../../framework/interfaces.ts';
import { maxNodeScore } from '../../framework/interfaces.ts';
import type { Pod } from '../../types.ts';

export const name = 'ImageLocality';
const mb = 1024 * 1024;
export const minThreshold = 23 * mb;
export const maxContainerThreshold = 1000 * mb;

/** Adds ":latest" to an image reference without a tag, as upstream's normalizedImageName. */
export function normalizedImageName(image: string): string {
  return image.lastIndexOf(':') <= image.lastIndexOf('/') ? `${image}:latest` : image;
}

export function calculatePriority(sumScores: number, numContainers: number): number {
  const max = maxContainerThreshold * numContainers;
  const clamped = Math.min(Math.max(sumScores, minThreshold), max);
  return Math.trunc((maxNodeScore * (clamped - minThreshold)) / (max - minThreshold));
}

function containers(pod: Pod) {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
}

export function newImageLocality(_args: unknown, handle: { nodeInfos: { list(): readonly unknown[] } }): Plugin {
  return {
    name,
    events: ['NodeAdd', 'NodeImagesChange'],
    score(_state, pod, node) {
      const total = handle.nodeInfos.list().length;
      let sum = 0;
      for (const c of containers(pod)) {
        if (!c.image) continue;
        const state = node.imageStates.get(normalizedImageName(c.image));
        if (state) sum += Math.trunc((state.size * state.numNodes) / total);
      }
      return calculatePriority(sum, containers(pod).length);
    },
  };
}
