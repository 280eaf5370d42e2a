// DefaultPreemption, as upstream's plugin of that name: when no node fits a pod, find the node
// where evicting the fewest/least important lower-priority pods makes it fit, evict them and
// nominate that node.
// - Eligibility: not with preemptionPolicy Never; not while a lower-priority pod on the node
//   this pod was already nominated to is still terminating (the earlier preemption is under way).
// - Candidates: nodes whose filter status is not Unresolvable. On each, a dry run removes every
//   pod of lower priority (PreFilter extensions keep cycle state right), checks the pod fits,
//   then reprieves victims from the most important down (priority, then earlier start) as long
//   as it still fits; the rest are the victims.
// - Choice, as upstream's pickOneNodeForPreemption (PodDisruptionBudgets are not considered):
//   lowest highest-victim priority, then lowest sum of priorities (each offset by 2^31, so
//   fewer victims win), then fewest victims, then the latest start among the highest-priority
//   victims, then the first.
// - Eviction: each victim gets DisruptionTarget=True (reason PreemptionByScheduler) through
//   pods/status, is deleted with its own grace period and gets a Preempted event; the node is
//   returned as nominated (the scheduler writes status.nominatedNodeName). The pod is retried
//   when the victims' deletions arrive.
// Without a candidate, the message says per node why preemption cannot help.

import type { CycleState } from '../../framework/cycle-state.ts';
import { fitErrorMessage, newDiagnosis } from '../../framework/fit-error.ts';
import type { Handle, Plugin } from '../../framework/interfaces.ts';
import type { NodeInfo, PodInfo } from '../../framework/node-info.ts';
import { Code, Status, unresolvable, unschedulable } from '../../framework/status.ts';
import { podKey, podPriority, type Pod } from '../../types.ts';

export const name = 'DefaultPreemption';
export const notHelpful = 'Preemption is not helpful for scheduling';
export const noVictims = 'No preemption victims found for incoming pod';

export interface Candidate {
  nodeName: string;
  /** Most important first. */
  victims: Pod[];
}

function startTime(pod: Pod, now: number): number {
  const t = pod.status?.startTime;
  return typeof t === 'string' ? Date.parse(t) : now;
}

/** Upstream's MoreImportantPod: higher priority, then the one that started earlier. */
export function moreImportant(a: Pod, b: Pod, now: number): number {
  return podPriority(b) - podPriority(a) || startTime(a, now) - startTime(b, now);
}

/** The victims on one node, or the status saying why evicting there does not help. */
export function selectVictimsOnNode(handle: Handle, state: CycleState, pod: Pod, node: NodeInfo): Pod[] | Status {
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
  const fits = handle.runFilterPlugins(dryState, pod, dry);
  if (fits) return fits;
  potential.sort((a, b) => moreImportant(a.pod, b.pod, now));
  const victims: Pod[] = [];
  for (const info of potential) {
    dry.addPod(info);
    handle.runPreFilterExtensionAddPod(dryState, pod, info, dry);
    if (handle.runFilterPlugins(dryState, pod, dry)) {
      dry.removePod(podKey(info.pod));
      handle.runPreFilterExtensionRemovePod(dryState, pod, info, dry);
      victims.push(info.pod);
    }
  }
  return victims;
}

const offset = 2 ** 31;

/** Upstream's pickOneNodeForPreemption minus the PodDisruptionBudget criterion. */
export function pickOneNode(candidates: readonly Candidate[], now: number): Candidate | undefined {
  const criteria: ((c: Candidate) => number)[] = [
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
  /** Nodes this instance nominated, until the pod is placed (the status write may lag). */
  const nominated = new Map<string, string>();

  function eligible(pod: Pod): boolean {
    const nodeName = pod.status?.nominatedNodeName || nominated.get(pod.metadata?.uid ?? '');
    const node = nodeName ? handle.nodeInfos.get(nodeName) : undefined;
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
  }

  return {
    name,
    postFilter(state, pod, filtered) {
      if (pod.spec?.preemptionPolicy === 'Never') return { status: unschedulable('preemption: not eligible due to preemptionPolicy=Never.') };
      if (!eligible(pod)) return { status: unschedulable('preemption: not eligible due to a terminating pod on the nominated node.') };
      const nodes = handle.nodeInfos.list();
      const diagnosis = newDiagnosis();
      const candidates: Candidate[] = [];
      for (const node of nodes) {
        const status: Status | undefined = filtered.get(node.name);
        if (!status || status.code === Code.UnschedulableAndUnresolvable) {
          diagnosis.nodeToStatus.set(node.name, unresolvable(notHelpful));
          continue;
        }
        const result = selectVictimsOnNode(handle, state, pod, node);
        if (result instanceof Status) {
          if (result.code === Code.Error) return { status: result };
          diagnosis.nodeToStatus.set(node.name, result);
        } else {
          candidates.push({ nodeName: node.name, victims: result });
        }
      }
      const best = pickOneNode(candidates, handle.clock.now());
      if (!best) return { status: unschedulable(`preemption: ${fitErrorMessage(nodes.length, diagnosis)}`) };
      evict(pod, best);
      if (pod.metadata?.uid) nominated.set(pod.metadata.uid, best.nodeName);
      return { status: new Status(Code.Success), nominatedNodeName: best.nodeName };
    },
    reserve(_state, pod) {
      nominated.delete(pod.metadata?.uid ?? '');
      return undefined;
    },
  };
}
