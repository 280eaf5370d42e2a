// The DaemonSet RollingUpdate step (upstream rollingUpdate), in two modes chosen by maxSurge:
// - maxSurge 0: old pods that are not available are replaced at once; available old pods are
//   deleted only while fewer than maxUnavailable nodes are unavailable (a node is unavailable
//   while its pod is missing, duplicated or not yet available); the manage loop then creates
//   the new pod on the emptied node.
// - maxSurge > 0: a new pod is created beside the old one and the old one goes once the new one
//   is available (minReadySeconds). Nodes whose old pod is not available get their new pod at
//   once; others only while fewer than maxSurge nodes are surging (a node surges while its new
//   pod is not yet available, or while it has pods the manage loop still has to sort out). An
//   old pod on a node that should no longer run the daemon goes only when that leaves as many
//   available pods as desired nodes.
// maxSurge and maxUnavailable are scaled against the desired node count, rounding up; when both
// come to 0 the update accepts one unavailable node, as upstream does.

import type { Node } from '../nodelifecycle/node-lifecycle-controller.ts';
import { isPodAvailable } from '../../pod-conditions.ts';
import type { IntOrString, Pod } from '../../types.ts';

export const revisionHashLabel = 'controller-revision-hash';

/** intstr.GetScaledValueFromIntOrPercent(value, total, roundUp=true). */
export function scaledValue(value: IntOrString | undefined, total: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) return Number.parseInt(value, 10) || 0;
  return Math.ceil((Number(m[1]) * total) / 100);
}

export interface RollingUpdateParams {
  type?: string;
  rollingUpdate?: { maxUnavailable?: IntOrString; maxSurge?: IntOrString };
}

/** util.AllowsSurge: a RollingUpdate whose maxSurge is not zero. */
export function allowsSurge(strategy: RollingUpdateParams | undefined): boolean {
  return (strategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && scaledValue(strategy?.rollingUpdate?.maxSurge, 1, 0) !== 0;
}

/** updatedDesiredNodeCounts: maxSurge and maxUnavailable for `desired` nodes. */
export function updateCounts(strategy: RollingUpdateParams | undefined, desired: number): { maxSurge: number; maxUnavailable: number } {
  if ((strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return { maxSurge: 0, maxUnavailable: 0 };
  const maxSurge = scaledValue(strategy?.rollingUpdate?.maxSurge, desired, 0);
  let maxUnavailable = scaledValue(strategy?.rollingUpdate?.maxUnavailable, desired, 1);
  if (desired > 0 && maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

/** findUpdatedPodsOnNode: the node's one new and one old pod (ignoring those being deleted), or undefined when it has more of either. */
export function updatedPodsOnNode(pods: readonly Pod[], hash: string): { newPod?: Pod; oldPod?: Pod } | undefined {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (pod.metadata.labels?.[revisionHashLabel] === hash) {
      if (newPod) return undefined;
      newPod = pod;
    } else {
      if (oldPod) return undefined;
      oldPod = pod;
    }
  }
  return { newPod, oldPod };
}

/** The old pods to delete now with maxSurge 0, given every node's daemon pods and the current revision hash. */
export function oldPodsToDelete(nodeToPods: ReadonlyMap<string, readonly Pod[]>, hash: string, maxUnavailable: number, minReadySeconds: number, now: number): Pod[] {
  let numUnavailable = 0;
  const replaceNow: Pod[] = [];
  const candidates: Pod[] = [];
  for (const pods of nodeToPods.values()) {
    const found = updatedPodsOnNode(pods, hash);
    if (!found || (found.newPod === undefined) === (found.oldPod === undefined)) {
      // Excess, missing or both: the manage loop sorts the node out; it counts as unavailable.
      numUnavailable++;
      continue;
    }
    const { newPod, oldPod } = found;
    if (newPod) {
      if (!isPodAvailable(newPod, minReadySeconds, now)) numUnavailable++;
      continue;
    }
    if (!isPodAvailable(oldPod!, minReadySeconds, now)) replaceNow.push(oldPod!);
    else if (numUnavailable < maxUnavailable) candidates.push(oldPod!);
  }
  const remaining = Math.min(Math.max(0, maxUnavailable - numUnavailable), candidates.length);
  return [...replaceNow, ...candidates.slice(0, remaining)];
}

export interface SurgeStep {
  /** Nodes that get a pod of the current revision beside their old one. */
  create: string[];
  delete: Pod[];
}

/**
 * One surge step (maxSurge > 0). `nodeToPods` has an entry for every node that should run the
 * daemon (empty when it has no pod yet); `shouldRun` tells whether a node may get a new pod.
 */
export function surgeStep(
  nodeToPods: ReadonlyMap<string, readonly Pod[]>,
  shouldRun: (nodeName: string) => boolean,
  hash: string,
  maxSurge: number,
  desired: number,
  minReadySeconds: number,
  now: number,
): SurgeStep {
  const available = (pod: Pod) => isPodAvailable(pod, minReadySeconds, now);
  const toDelete: Pod[] = [];
  const onSunsetNodes: Pod[] = [];
  const replaceNow: string[] = [];
  const candidates: string[] = [];
  let numSurge = 0;
  let numAvailable = 0;
  for (const [nodeName, pods] of nodeToPods) {
    const found = updatedPodsOnNode(pods, hash);
    if (!found) {
      numSurge++;
      continue;
    }
    const { newPod, oldPod } = found;
    // Availability counts every node, also those the daemon is leaving.
    if (oldPod ? available(oldPod) : newPod !== undefined && available(newPod)) numAvailable++;
    if (!oldPod) continue; // updated, or empty: the manage loop creates what is missing
    if (!newPod) {
      if (!available(oldPod)) {
        if (shouldRun(nodeName)) replaceNow.push(nodeName);
        else toDelete.push(oldPod);
      } else if (!shouldRun(nodeName)) {
        onSunsetNodes.push(oldPod);
      } else if (numSurge < maxSurge) {
        candidates.push(nodeName);
      }
      continue;
    }
    if (!available(newPod)) {
      numSurge++;
      continue;
    }
    toDelete.push(oldPod);
  }
  // With surge the owner expects full availability: a pod leaves a node the daemon no longer
  // runs on only while as many pods as desired stay available elsewhere.
  const deletable = Math.min(Math.max(0, numAvailable - desired), onSunsetNodes.length);
  toDelete.push(...onSunsetNodes.slice(0, deletable));
  const remaining = Math.min(Math.max(0, maxSurge - numSurge), candidates.length);
  return { create: [...replaceNow, ...candidates.slice(0, remaining)], delete: toDelete };
}

/** The nodes to consider in a rolling update: every node with daemon pods, and every node that should run one. */
export function nodesToUpdate(nodeToPods: ReadonlyMap<string, Pod[]>, nodes: readonly Node[], shouldRun: (node: Node) => boolean): Map<string, Pod[]> {
  const out = new Map(nodeToPods);
  for (const node of nodes) {
    const name = node.metadata.name ?? '';
    if (shouldRun(node) && !out.has(name)) out.set(name, []);
  }
  return out;
}
