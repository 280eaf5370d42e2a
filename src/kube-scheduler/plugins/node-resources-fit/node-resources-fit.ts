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
import { allocatableAndRequested, defaultResources, leastAllocatedScore, mostAllocatedScore, resourceOf, type ResourceSpec } from './resource-allocation.ts';

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

/** The resources a pod lacks on a node (empty when it fits). */
export function fitsRequest(request: Resource, node: NodeInfo, ignored: ReadonlySet<string> = new Set(), ignoredGroups: ReadonlySet<string> = new Set()): InsufficientResource[] {
  const out: InsufficientResource[] = [];
  const allowed = node.allocatable.allowedPodNumber;
  if (node.pods.size + 1 > allowed) {
    out.push({ resourceName: 'pods', reason: 'Too many pods', requested: 1, used: node.pods.size, capacity: allowed, unresolvable: false });
  }
  if (request.milliCPU === 0 && request.memory === 0 && request.ephemeralStorage === 0 && request.scalar.size === 0) return out;
  const check = (resourceName: string, want: number, reason = `Insufficient ${resourceName}`) => {
    const cap = resourceOf(node.allocatable, resourceName);
    const used = resourceOf(node.requested, resourceName);
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
      state.write(preScoreKey, podRequests(pod, true));
      return undefined;
    },
    score(state, _pod: Pod, node) {
      const { allocatable, requested } = allocatableAndRequested(node, state.read<Resource>(preScoreKey), resources, true);
      return scorer(requested, allocatable, resources);
    },
  };
}
