// NodeResourcesBalancedAllocation: prefers nodes where, with this pod, cpu and memory would be
// used in similar fractions of allocatable (score 100 × (1 − std deviation of the fractions)).
// Pods that request none of the resources are not scored by it (Skip), as upstream.

import type { Plugin } from '../../framework/interfaces.ts';
import { podRequests } from '../../framework/resource.ts';
import { skip } from '../../framework/status.ts';
import { balancedScore, defaultResources, fillAllocatableAndRequested, podAmounts, resourceOf, type ResourceSpec } from '../node-resources-fit/resource-allocation.ts';

export const name = 'NodeResourcesBalancedAllocation';
const preScoreKey = `PreScore${name}`;

export function newBalancedAllocation(args: { resources?: ResourceSpec[] } = {}): Plugin {
  const resources = args.resources?.length ? args.resources : defaultResources;
  const allocatable = resources.map(() => 0);
  const requested = resources.map(() => 0);
  return {
    name,
    preScore(state, pod) {
      const req = podRequests(pod);
      if (resources.every((r) => resourceOf(req, r.name) === 0)) return skip;
      state.write(preScoreKey, podAmounts(req, resources));
      return undefined;
    },
    score(state, _pod, node) {
      fillAllocatableAndRequested(node, state.read<number[]>(preScoreKey), resources, false, allocatable, requested);
      return balancedScore(requested, allocatable);
    },
  };
}
