// Which nodes a DaemonSet runs on, as upstream's NodeShouldRunDaemonPod: a node must match the
// template's nodeName, nodeSelector and required node affinity, and its NoSchedule/NoExecute
// taints must be tolerated by the pod's tolerations plus those every daemon pod gets
// (AddOrUpdateDaemonPodTolerations: not-ready and unreachable NoExecute, disk/memory/pid
// pressure and unschedulable NoSchedule, network-unavailable NoSchedule with hostNetwork). A pod
// already on a node keeps running there while it tolerates every NoExecute taint.

import type { Node } from '../nodelifecycle/node-lifecycle-controller.ts';
import { anyTermMatches, toleratesTaint, type NodeSelectorTerm, type Taint, type Toleration } from '../../../api/core/v1/scheduling-helpers.ts';

export interface DaemonPodSpec {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  hostNetwork?: boolean;
  tolerations?: Toleration[];
  affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] }; [f: string]: unknown }; [f: string]: unknown };
  [field: string]: unknown;
}

/** The tolerations upstream adds to every daemon pod (Exists, no tolerationSeconds). */
export function daemonPodTolerations(spec: DaemonPodSpec): Toleration[] {
  const t = (key: string, effect: string): Toleration => ({ key, operator: 'Exists', effect });
  const added = [
    t('node.kubernetes.io/not-ready', 'NoExecute'),
    t('node.kubernetes.io/unreachable', 'NoExecute'),
    t('node.kubernetes.io/disk-pressure', 'NoSchedule'),
    t('node.kubernetes.io/memory-pressure', 'NoSchedule'),
    t('node.kubernetes.io/pid-pressure', 'NoSchedule'),
    t('node.kubernetes.io/unschedulable', 'NoSchedule'),
  ];
  if (spec.hostNetwork) added.push(t('node.kubernetes.io/network-unavailable', 'NoSchedule'));
  const out = [...(spec.tolerations ?? [])];
  for (const a of added) if (!out.some((o) => o.key === a.key && o.effect === a.effect)) out.push(a);
  return out;
}

export interface Eligibility {
  /** A daemon pod should be created on the node. */
  shouldRun: boolean;
  /** A daemon pod already on the node may stay. */
  shouldContinueRunning: boolean;
}

export function nodeShouldRunDaemonPod(node: Node, spec: DaemonPodSpec): Eligibility {
  const no = { shouldRun: false, shouldContinueRunning: false };
  if (spec.nodeName && spec.nodeName !== node.metadata.name) return no;
  const labels = node.metadata.labels ?? {};
  if (!Object.entries(spec.nodeSelector ?? {}).every(([k, v]) => labels[k] === v)) return no;
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms && !anyTermMatches(terms, node)) return no;
  const tolerations = daemonPodTolerations(spec);
  const untolerated = (effect: string) => (node.spec?.taints ?? []).some((taint: Taint) => taint.effect === effect && !tolerations.some((t) => toleratesTaint(t, taint)));
  if (untolerated('NoExecute')) return no;
  if (untolerated('NoSchedule')) return { shouldRun: false, shouldContinueRunning: true };
  return { shouldRun: true, shouldContinueRunning: true };
}

/** The node a daemon pod is for: spec.nodeName, or before binding the affinity's metadata.name (GetTargetNodeName). */
export function targetNodeName(pod: { spec?: { nodeName?: string; [f: string]: unknown } }): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = (pod.spec as DaemonPodSpec | undefined)?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms)
    for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  return undefined;
}

/** ReplaceDaemonSetPodNodeNameNodeAffinity: the pod may only be scheduled onto `nodeName`. */
export function withNodeAffinity(spec: DaemonPodSpec, nodeName: string): DaemonPodSpec {
  const out = structuredClone(spec);
  const affinity = (out.affinity ??= {});
  const nodeAffinity = (affinity.nodeAffinity ??= {});
  nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
    nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }],
  };
  out.tolerations = daemonPodTolerations(out);
  return out;
}
