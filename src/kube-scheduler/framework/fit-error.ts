// The message of a pod no node can take, exactly as upstream's FitError.Error():
//   "0/3 nodes are available: 1 node(s) had untolerated taint {k: v}, 2 Insufficient cpu."
// followed by the PostFilter (preemption) message when there is one. Reasons are counted over
// nodes, formatted "<count> <reason>" and sorted as strings, as upstream does.

import type { Status } from './status.ts';

export interface Diagnosis {
  /** Filter (or PreFilter) status of each node that was rejected. */
  nodeToStatus: Map<string, Status>;
  /** Plugins that rejected the pod on some node (they decide which events retry it). */
  unschedulablePlugins: Set<string>;
  /** Set when a PreFilter plugin rejected the pod for every node. */
  preFilterMsg?: string;
  postFilterMsg?: string;
}

export function newDiagnosis(): Diagnosis {
  return { nodeToStatus: new Map(), unschedulablePlugins: new Set() };
}

export const noNodesAvailableMsg = 'no nodes available to schedule pods';

/** Not an Error: a normal outcome of a cycle, whose message grows once PostFilter has run. */
export class FitError {
  readonly numAllNodes: number;
  readonly diagnosis: Diagnosis;

  constructor(numAllNodes: number, diagnosis: Diagnosis) {
    this.numAllNodes = numAllNodes;
    this.diagnosis = diagnosis;
  }

  get message(): string {
    return fitErrorMessage(this.numAllNodes, this.diagnosis);
  }
}

/** Counts reasons over nodes: "2 Insufficient cpu", sorted as strings. */
export function reasonHistogram(nodeToStatus: ReadonlyMap<string, Status>): string[] {
  const counts = new Map<string, number>();
  for (const status of nodeToStatus.values()) for (const r of status.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${n} ${reason}`).sort();
}

export function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (d.preFilterMsg) msg += ` ${d.preFilterMsg}.`;
  else {
    const reasons = reasonHistogram(d.nodeToStatus);
    if (reasons.length) msg += ` ${reasons.join(', ')}.`;
  }
  if (d.postFilterMsg) msg += ` ${d.postFilterMsg}.`;
  return msg;
}
