// What the resource scoring plugins compare per node and resource, as upstream's
// resourceAllocationScorer: allocatable and requested (the node's pods plus this pod). With
// nonZero, cpu and memory count containers without requests as 100m / 200Mi (LeastAllocated,
// MostAllocated); without, exact requests (BalancedAllocation). Resources a node does not have
// (allocatable 0) are left out of its score.

import type { NodeInfo } from '../../framework/node-info.ts';
import type { Resource } from '../../framework/resource.ts';

export interface ResourceSpec {
  name: string;
  weight: number;
}

export const defaultResources: ResourceSpec[] = [
  { name: 'cpu', weight: 1 },
  { name: 'memory', weight: 1 },
];

export function resourceOf(r: Resource, name: string): number {
  switch (name) {
    case 'cpu':
      return r.milliCPU;
    case 'memory':
      return r.memory;
    case 'ephemeral-storage':
      return r.ephemeralStorage;
    case 'pods':
      return r.allowedPodNumber;
    default:
      return r.scalar.get(name) ?? 0;
  }
}

/** [allocatable, requested-with-pod] per resource; allocatable 0 marks a resource to leave out. */
export function allocatableAndRequested(node: NodeInfo, podRequest: Resource, resources: readonly ResourceSpec[], nonZero: boolean): { allocatable: number[]; requested: number[] } {
  const onNode = nonZero ? node.nonZeroRequested : node.requested;
  const allocatable: number[] = [];
  const requested: number[] = [];
  for (const r of resources) {
    const alloc = r.name === 'pods' ? node.allocatable.allowedPodNumber : resourceOf(node.allocatable, r.name);
    // Non-zero defaults apply to cpu and memory only; other resources use exact requests.
    const base = nonZero && (r.name === 'cpu' || r.name === 'memory') ? onNode : node.requested;
    const used = r.name === 'pods' ? node.pods.size : resourceOf(base, r.name);
    allocatable.push(alloc);
    requested.push(used + (r.name === 'pods' ? 1 : resourceOf(podRequest, r.name)));
  }
  return { allocatable, requested };
}

export function leastAllocatedScore(requested: number[], allocatable: number[], resources: readonly ResourceSpec[]): number {
  let score = 0;
  let weights = 0;
  for (let i = 0; i < resources.length; i++) {
    const cap = allocatable[i];
    if (cap === 0) continue;
    const s = requested[i] > cap ? 0 : Math.trunc(((cap - requested[i]) * 100) / cap);
    score += s * resources[i].weight;
    weights += resources[i].weight;
  }
  return weights === 0 ? 0 : Math.trunc(score / weights);
}

export function mostAllocatedScore(requested: number[], allocatable: number[], resources: readonly ResourceSpec[]): number {
  let score = 0;
  let weights = 0;
  for (let i = 0; i < resources.length; i++) {
    const cap = allocatable[i];
    if (cap === 0) continue;
    const used = Math.min(requested[i], cap);
    score += Math.trunc((used * 100) / cap) * resources[i].weight;
    weights += resources[i].weight;
  }
  return weights === 0 ? 0 : Math.trunc(score / weights);
}

/** 100 × (1 − standard deviation of the requested/allocatable fractions). */
export function balancedScore(requested: number[], allocatable: number[]): number {
  const fractions: number[] = [];
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    fractions.push(Math.min(1, requested[i] / allocatable[i]));
  }
  let std = 0;
  if (fractions.length === 2) std = Math.abs((fractions[0] - fractions[1]) / 2);
  else if (fractions.length > 2) {
    const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
    std = Math.sqrt(fractions.reduce((a, f) => a + (f - mean) * (f - mean), 0) / fractions.length);
  }
  return Math.trunc((1 - std) * 100);
}
