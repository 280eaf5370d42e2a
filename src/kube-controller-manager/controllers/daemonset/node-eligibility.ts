// Which nodes a DaemonSet runs on, as upstream's NodeShouldRunDaemonPod: a node must match the
// template's nodeName, nodeSelector and required node affinity, and its NoSchedule/NoExecute
// taints must be tolerated by the pod's tolerations plus those every daemon pod gets
// (AddOrUpdateDaemonPodTolerations: not-ready and unreachable NoExecute, disk/memory/pid
// pressure and unschedulable NoSchedule, network-unavailable NoSchedule with hostNetwork). A pod
// already on a node keeps running there while it tolerates every NoExecute taint.

import type { Node } from '../nodelifecycle/node-lifecycle-controller.ts';
import { toleratesTaint, type Taint, type Toleration } from '../nodelifecycle/taints.ts';

export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt' | string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

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

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      const n = Number.parseInt(value ?? '', 10);
      const bound = Number.parseInt(values[0] ?? '', 10);
      if (Number.isNaN(n) || Number.isNaN(bound)) return false;
      return r.operator === 'Gt' ? n > bound : n < bound;
    }
    default:
      return false;
  }
}

/** A term with no requirements matches nothing; the terms are ORed (v1helper MatchNodeSelectorTerms). */
export function matchesNodeSelectorTerms(node: Node, terms: readonly NodeSelectorTerm[]): boolean {
  const labels = node.metadata.labels ?? {};
  return terms.some((term) => {
    const exprs = term.matchExpressions ?? [];
    const fields = term.matchFields ?? [];
    if (exprs.length === 0 && fields.length === 0) return false;
    return (
      exprs.every((r) => requirementMatches(r, Object.hasOwn(labels, r.key) ? labels[r.key] : undefined)) &&
      fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, node.metadata.name))
    );
  });
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
  if (terms && !matchesNodeSelectorTerms(node, terms)) return no;
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
