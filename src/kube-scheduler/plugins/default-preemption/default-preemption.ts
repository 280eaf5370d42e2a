// DefaultPreemption, as upstream's plugin of that name: when no node fits a pod, find the node
// where evicting the fewest/least important lower-priority pods makes it fit, evict them and
// nominate that node.
// - Eligibility: not with preemptionPolicy Never; not while a lower-priority pod on the node
//   this pod was already nominated to is still terminating (the earlier preemption is under
//   way), unless the filters now call that node Unresolvable.
// - Candidates: nodes whose filter status is not Unresolvable. On each, a dry run removes every
//   pod of lower priority (PreFilter extensions keep cycle state right), checks the pod fits
//   (with the pods nominated there that it must yield to), then reprieves victims as long as
//   it still fits: first those whose eviction would violate a PodDisruptionBudget, then the
//   others, each group from the most important down (priority, then earlier start). A victim
//   violates a budget when, going down the potential victims by importance and taking one
//   disruption per matching pod from status.disruptionsAllowed, its budget (same namespace,
//   non-empty selector, pod not already in status.disruptedPods) is left below 0. Victims that
//   violate are counted; they are evicted all the same if the node is chosen.
// - Choice, as upstream's pickOneNodeForPreemption: fewest PDB violations, then lowest
//   highest-victim priority, then lowest sum of priorities (each offset by 2^31, so fewer
//   victims win), then fewest victims, then the latest start among the highest-priority
//   victims, then the first.
// - Eviction: each victim gets DisruptionTarget=True (reason PreemptionByScheduler) through
//   pods/status, is deleted with its own grace period and gets a Preempted event; pods of
//   lower priority nominated to the node lose their nomination (they may no longer fit there);
//   the node is returned as nominated (the scheduler writes status.nominatedNodeName). The pod
//   is retried when the victims' deletions arrive.
// Without a candidate, the message says per node why preemption cannot help, and the pod's
// nomination is dropped.

import { fromLabelSelector, type LabelSelector, type LabelSelectorSpec } from '../../../machinery/labels.ts';
import type { CycleState } from '../../framework/cycle-state.ts';
import { fitErrorMessage, newDiagnosis } from '../../framework/fit-error.ts';
import type { Handle, Plugin } from '../../framework/interfaces.ts';
import type { NodeInfo, PodInfo } from '../../framework/node-info.ts';
import { Code, Status, unresolvable, unschedulable } from '../../framework/status.ts';
import { podKey, podPriority, type Pod, type PodDisruptionBudget } from '../../types.ts';

export const name = 'DefaultPreemption';
export const notHelpful = 'Preemption is not helpful for scheduling';
export const noVictims = 'No preemption victims found for incoming pod';

export interface Candidate {
  nodeName: string;
  /** Most important first. */
  victims: Pod[];
  /** How many victims' evictions violate a PodDisruptionBudget. */
  numPDBViolations: number;
}

function startTime(pod: Pod, now: number): number {
  const t = pod.status?.startTime;
  return typeof t === 'string' ? Date.parse(t) : now;
}

/** Upstream's MoreImportantPod: higher priority, then the one that started earlier. */
export function moreImportant(a: Pod, b: Pod, now: number): number {
  return podPriority(b) - podPriority(a) || startTime(a, now) - startTime(b, now);
}

/** The selector of a budget, or undefined when it selects nothing (null, empty or invalid). */
function budgetSelector(pdb: PodDisruptionBudget): LabelSelector | undefined {
  try {
    const s = fromLabelSelector(pdb.spec?.selector as LabelSelectorSpec | null | undefined);
    return s.empty || s.nothing ? undefined : s;
  } catch {
    return undefined;
  }
}

/**
 * Splits pods (most important first) into those whose eviction would violate a budget and the
 * others, as upstream's filterPodsWithPDBViolation: each matching pod takes one of its budget's
 * disruptionsAllowed, and the pod that takes it below 0 violates.
 */
export function splitByPDBViolation(pods: readonly PodInfo[], pdbs: readonly PodDisruptionBudget[]): { violating: PodInfo[]; nonViolating: PodInfo[] } {
  const allowed = pdbs.map((p) => p.status?.disruptionsAllowed ?? 0);
  const selectors = pdbs.map(budgetSelector);
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  for (const info of pods) {
    const meta = info.pod.metadata;
    let violated = false;
    // A pod without labels matches no budget.
    if (meta?.labels && Object.keys(meta.labels).length > 0) {
      for (let i = 0; i < pdbs.length; i++) {
        if (pdbs[i].metadata?.namespace !== meta.namespace || !selectors[i]?.matches(meta.labels)) continue;
        // Its eviction was already processed by the API server: not a new disruption.
        const disrupted = pdbs[i].status?.disruptedPods;
        if (disrupted && meta.name !== undefined && Object.hasOwn(disrupted, meta.name)) continue;
        if (--allowed[i] < 0) violated = true;
      }
    }
    (violated ? violating : nonViolating).push(info);
  }
  return { violating, nonViolating };
}

/** The victims on one node (with how many violate a budget), or the status saying why evicting there does not help. */
export function selectVictimsOnNode(handle: Handle, state: CycleState, pod: Pod, node: NodeInfo, pdbs: readonly PodDisruptionBudget[] = []): { victims: Pod[]; numPDBViolations: number } | Status {
  const priority = podPriority(pod);
  const now = handle.clock.now();
  const dry = node.clone();
  const dryState = state.clone();
  const potential: PodInfo[] = [];
  for (const [key, info] of node.pods) {
    if (podPriority(info.pod) >= priority) continue;
    potential.push(info);
    dry.removePod(key);
    handle.runPreFilterExtensionRemovePod(dryState, pod, info, dry);
  }
  if (potential.length === 0) return unresolvable(noVictims);
  const fits = handle.runFilterPluginsWithNominatedPods(dryState, pod, dry);
  if (fits) return fits;
  potential.sort((a, b) => moreImportant(a.pod, b.pod, now));
  const { violating, nonViolating } = splitByPDBViolation(potential, pdbs);
  const victims: Pod[] = [];
  /** Puts the pod back; true when the incoming pod still fits, else it stays a victim. */
  const reprieve = (info: PodInfo): boolean => {
    dry.addPod(info);
    handle.runPreFilterExtensionAddPod(dryState, pod, info, dry);
    if (!handle.runFilterPluginsWithNominatedPods(dryState, pod, dry)) return true;
    dry.removePod(podKey(info.pod));
    handle.runPreFilterExtensionRemovePod(dryState, pod, info, dry);
    victims.push(info.pod);
    return false;
  };
  let numPDBViolations = 0;
  for (const info of violating) if (!reprieve(info)) numPDBViolations++;
  for (const info of nonViolating) reprieve(info);
  if (violating.length > 0 && nonViolating.length > 0) victims.sort((a, b) => moreImportant(a, b, now));
  return { victims, numPDBViolations };
}

const offset = 2 ** 31;

/** Upstream's pickOneNodeForPreemption: each criterion keeps the candidates scoring lowest. */
export function pickOneNode(candidates: readonly Candidate[], now: number): Candidate | undefined {
  const criteria: ((c: Candidate) => number)[] = [
    (c) => c.numPDBViolations,
    (c) => (c.victims.length ? podPriority(c.victims[0]) : -Infinity),
    (c) => c.victims.reduce((sum, v) => sum + podPriority(v) + offset, 0),
    (c) => c.victims.length,
    (c) => {
      // Latest start among the earliest-started highest-priority victims wins: negate to minimize.
      if (c.victims.length === 0) return -Infinity;
      const top = podPriority(c.victims[0]);
      let earliest = Infinity;
      for (const v of c.victims) if (podPriority(v) === top) earliest = Math.min(earliest, startTime(v, now));
      return -earliest;
    },
  ];
  let remaining = [...candidates];
  for (const score of criteria) {
    if (remaining.length <= 1) break;
    const scores = remaining.map(score);
    const min = Math.min(...scores);
    remaining = remaining.filter((_, i) => scores[i] === min);
  }
  return remaining[0];
}

export function newDefaultPreemption(_args: unknown, handle: Handle): Plugin {
  function eligible(pod: Pod, filtered: ReadonlyMap<string, Status>): boolean {
    const nodeName = pod.status?.nominatedNodeName || handle.nominator?.nominatedNodeName(pod);
    if (!nodeName) return true;
    // The nominated node can no longer take the pod at all: look elsewhere.
    if (filtered.get(nodeName)?.code === Code.UnschedulableAndUnresolvable) return true;
    const node = handle.nodeInfos.get(nodeName);
    if (!node) return true;
    const priority = podPriority(pod);
    for (const info of node.pods.values()) if (info.pod.metadata?.deletionTimestamp && podPriority(info.pod) < priority) return false;
    return true;
  }

  function evict(pod: Pod, candidate: Candidate): void {
    for (const victim of candidate.victims) {
      handle.deletePod?.(victim, {
        type: 'DisruptionTarget',
        status: 'True',
        reason: 'PreemptionByScheduler',
        message: `${pod.spec?.schedulerName ?? 'default-scheduler'}: preempting to accommodate a higher priority pod`,
      });
      handle.recordEvent?.(victim, 'Normal', 'Preempted', 'Preempting', `Preempted by pod ${pod.metadata?.uid ?? ''} on node ${candidate.nodeName}`);
    }
    const priority = podPriority(pod);
    for (const info of handle.nominator?.nominatedPodsForNode(candidate.nodeName) ?? []) {
      if (podPriority(info.pod) < priority && info.pod.metadata?.uid !== pod.metadata?.uid) handle.clearNominatedNodeName?.(info.pod);
    }
  }

  return {
    name,
    postFilter(state, pod, filtered) {
      if (pod.spec?.preemptionPolicy === 'Never') return { status: unschedulable('preemption: not eligible due to preemptionPolicy=Never.') };
      if (!eligible(pod, filtered)) return { status: unschedulable('preemption: not eligible due to a terminating pod on the nominated node.') };
      const nodes = handle.nodeInfos.list();
      const pdbs = handle.listers?.podDisruptionBudgets() ?? [];
      const diagnosis = newDiagnosis();
      const candidates: Candidate[] = [];
      for (const node of nodes) {
        const status: Status | undefined = filtered.get(node.name);
        if (!status || status.code === Code.UnschedulableAndUnresolvable) {
          diagnosis.nodeToStatus.set(node.name, unresolvable(notHelpful));
          continue;
        }
        const result = selectVictimsOnNode(handle, state, pod, node, pdbs);
        if (result instanceof Status) {
          if (result.code === Code.Error) return { status: result };
          diagnosis.nodeToStatus.set(node.name, result);
        } else {
          candidates.push({ nodeName: node.name, ...result });
        }
      }
      const best = pickOneNode(candidates, handle.clock.now());
      if (!best) return { status: unschedulable(`preemption: ${fitErrorMessage(nodes.length, diagnosis)}`), nominatedNodeName: '' };
      evict(pod, best);
      return { status: new Status(Code.Success), nominatedNodeName: best.nodeName };
    },
  };
}
