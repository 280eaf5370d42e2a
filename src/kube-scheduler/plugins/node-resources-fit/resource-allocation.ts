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

/** What the pod adds per resource, in the order of `resources` (computed once per cycle). */
export function podAmounts(podRequest: Resource, resources: readonly ResourceSpec[]): number[] {
  return resources.map((r) => (r.name === 'pods' ? 1 : resourceOf(podRequest, r.name)));
}

/**
 * Fills allocatable and requested (the node's pods plus `amounts`) per resource; allocatable 0
 * marks a resource to leave out. Scoring calls it for every node, so the caller passes the
 * arrays to fill instead of getting new ones.
 */
export function fillAllocatableAndRequested(node: NodeInfo, amounts: readonly number[], resources: readonly ResourceSpec[], nonZero: boolean, allocatable: number[], requested: number[]): void {
  for (let i = 0; i < resources.length; i++) {
    const name = resources[i].name;
    if (name === 'pods') {
      allocatable[i] = node.allocatable.allowedPodNumber;
      requested[i] = node.podCount + amounts[i];
      continue;
    }
    // Non-zero defaults apply to cpu and memory only; other resources use exact requests.
    const base = nonZero && (name === 'cpu' || name === 'memory') ? node.nonZeroRequested : node.requested;
    allocatable[i] = resourceOf(node.allocatable, name);
    requested[i] = resourceOf(base, name) + amounts[i];
  }
}

export function leastAllocatedScore(requested: readonly number[], allocatable: readonly number[], resources: readonly ResourceSpec[]): number {
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

export function mostAllocatedScore(requested: readonly number[], allocatable: readonly number[], resources: readonly ResourceSpec[]): number {
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
export function balancedScore(requested: readonly number[], allocatable: readonly number[]): number {
  // Computed in place (no array of fractions): this runs for every node scored.
  let n = 0;
  let first = 0;
  let second = 0;
  let sum = 0;
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    const f = Math.min(1, requested[i] / allocatable[i]);
    if (n === 0) first = f;
    else if (n === 1) second = f;
    sum += f;
    n++;
  }
  let std = 0;
  if (n === 2) std = Math.abs((first - second) / 2);
  else if (n > 2) {
    const mean = sum / n;
    let squares = 0;
    for (let i = 0; i < requested.length; i++) {
      if (allocatable[i] === 0) continue;
      const f = Math.min(1, requested[i] / allocatable[i]);
      squares += (f - mean) * (f - mean);
    }
    std = Math.sqrt(squares / n);
  }
  return Math.trunc((1 - std) * 100);
}
