// NodeResourcesFit: a node fits when its allocatable covers what its pods (bound and assumed)
// request plus this pod's requests, for cpu, memory, ephemeral-storage, extended resources and
// the pod count; the reasons are upstream's ("Insufficient cpu", "Too many pods"). A shortfall
// larger than the whole node is Unresolvable (no eviction can help). Scoring follows
// scoringStrategy: LeastAllocated (default) or MostAllocated over weighted resources.

import type { Plugin } from '../../framework/interfaces.ts';
import type { NodeInfo } from '../../framework/node-info.ts';
import { isExtendedResourceName, podRequests, type Resource } from '../../framework/resource.ts';
import { Code, Status } from '../../framework/status.ts';
import type { Pod } from '../../types.ts';
import { defaultResources, fillAllocatableAndRequested, leastAllocatedScore, mostAllocatedScore, podAmounts, resourceOf, type ResourceSpec } from './resource-allocation.ts';

export const name = 'NodeResourcesFit';
const preFilterKey = `PreFilter${name}`;
const preScoreKey = `PreScore${name}`;

export interface InsufficientResource {
  resourceName: string;
  reason: string;
  requested: number;
  used: number;
  capacity: number;
  unresolvable: boolean;
}

export interface FitArgs {
  ignoredResources?: string[];
  ignoredResourceGroups?: string[];
  scoringStrategy?: { type?: 'LeastAllocated' | 'MostAllocated'; resources?: ResourceSpec[] };
}

function lacks(want: number, cap: number, used: number): boolean {
  return want > 0 && want > cap - used;
}

const noneIgnored: ReadonlySet<string> = new Set();
const noInsufficientResources: readonly InsufficientResource[] = Object.freeze([]);

/**
 * The resources a pod lacks on a node (empty when it fits). Runs for every node a cycle
 * filters, so the common outcome (everything fits) allocates nothing.
 */
export function fitsRequest(request: Resource, node: NodeInfo, ignored: ReadonlySet<string> = noneIgnored, ignoredGroups: ReadonlySet<string> = noneIgnored): readonly InsufficientResource[] {
  const allocatable = node.allocatable;
  const requested = node.requested;
  const allowed = allocatable.allowedPodNumber;
  const tooManyPods = node.podCount + 1 > allowed;
  const noRequests = request.milliCPU === 0 && request.memory === 0 && request.ephemeralStorage === 0 && request.scalar.size === 0;
  if (!tooManyPods) {
    if (noRequests) return noInsufficientResources;
    if (
      !lacks(request.milliCPU, allocatable.milliCPU, requested.milliCPU) &&
      !lacks(request.memory, allocatable.memory, requested.memory) &&
      !lacks(request.ephemeralStorage, allocatable.ephemeralStorage, requested.ephemeralStorage) &&
      request.scalar.size === 0
    ) {
      return noInsufficientResources;
    }
  }
  const out: InsufficientResource[] = [];
  if (tooManyPods) {
    out.push({ resourceName: 'pods', reason: 'Too many pods', requested: 1, used: node.podCount, capacity: allowed, unresolvable: false });
  }
  if (noRequests) return out;
  const check = (resourceName: string, want: number, reason = `Insufficient ${resourceName}`) => {
    const cap = resourceOf(allocatable, resourceName);
    const used = resourceOf(requested, resourceName);
    if (want > 0 && want > cap - used) out.push({ resourceName, reason, requested: want, used, capacity: cap, unresolvable: want > cap });
  };
  check('cpu', request.milliCPU);
  check('memory', request.memory);
  check('ephemeral-storage', request.ephemeralStorage);
  for (const [resourceName, want] of request.scalar) {
    if (isExtendedResourceName(resourceName) && (ignored.has(resourceName) || ignoredGroups.has(resourceName.slice(0, resourceName.indexOf('/'))))) continue;
    check(resourceName, want);
  }
  return out;
}

export function newNodeResourcesFit(args: FitArgs = {}): Plugin {
  const ignored = new Set(args.ignoredResources ?? []);
  const ignoredGroups = new Set(args.ignoredResourceGroups ?? []);
  const type = args.scoringStrategy?.type ?? 'LeastAllocated';
  if (type !== 'LeastAllocated' && type !== 'MostAllocated') throw new Error(`NodeResourcesFit: scoringStrategy.type: Unsupported value: ${JSON.stringify(type)}: supported values: "LeastAllocated", "MostAllocated"`);
  const resources = args.scoringStrategy?.resources?.length ? args.scoringStrategy.resources.map((r) => ({ name: r.name, weight: r.weight || 1 })) : defaultResources;
  const scorer = type === 'MostAllocated' ? mostAllocatedScore : leastAllocatedScore;
  const allocatable = resources.map(() => 0);
  const requested = resources.map(() => 0);
  return {
    name,
    events: ['NodeAdd', 'NodeAllocatableChange', 'AssignedPodDelete', 'AssignedPodUpdate'],
    preFilter(state, pod) {
      state.write(preFilterKey, podRequests(pod));
      return undefined;
    },
    filter(state, _pod, node) {
      const insufficient = fitsRequest(state.read<Resource>(preFilterKey), node, ignored, ignoredGroups);
      if (insufficient.length === 0) return undefined;
      const code = insufficient.some((r) => r.unresolvable) ? Code.UnschedulableAndUnresolvable : Code.Unschedulable;
      return new Status(code, insufficient.map((r) => r.reason));
    },
    preScore(state, pod) {
      state.write(preScoreKey, podAmounts(podRequests(pod, true), resources));
      return undefined;
    },
    score(state, _pod: Pod, node) {
      fillAllocatableAndRequested(node, state.read<number[]>(preScoreKey), resources, true, allocatable, requested);
      return scorer(requested, allocatable, resources);
    },
  };
}
