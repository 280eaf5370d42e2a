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

const cycleKey = `PreScore${name}`;

/** The pod's normalized image names (one per container, "" for none) and its container count. */
interface PodImages {
  names: string[];
  numContainers: number;
}

function podImages(pod: Pod): PodImages {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return { names: all.map((c) => (c.image ? normalizedImageName(c.image) : '')), numContainers: all.length };
}

export function newImageLocality(_args: unknown, handle: { nodeInfos: { list(): readonly unknown[] } }): Plugin {
  return {
    name,
    events: ['NodeAdd', 'NodeImagesChange'],
    score(state, pod, node) {
      // A node without images sums to 0, which scores 0 for any pod with containers.
      if (node.imageStates.size === 0 && (pod.spec?.containers?.length ?? 0) > 0) return 0;
      // Every node of the cycle asks about the same images: work them out once per cycle.
      let images: PodImages;
      if (state.has(cycleKey)) images = state.read<PodImages>(cycleKey);
      else state.write(cycleKey, (images = podImages(pod)));
      const total = handle.nodeInfos.list().length;
      let sum = 0;
      for (const image of images.names) {
        if (!image) continue;
        const s = node.imageStates.get(image);
        if (s) sum += Math.trunc((s.size * s.numNodes) / total);
      }
      return calculatePriority(sum, images.numContainers);
    },
  };
}
