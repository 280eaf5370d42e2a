// A Job's podFailurePolicy applied to one failed pod, as upstream's matchPodFailurePolicy: the
// rules are tried in order and the first that matches decides. onExitCodes matches a terminated
// container (regular containers first, then init containers; optionally only the named one)
// whose non-zero exit code is In / NotIn the values; onPodConditions matches a pod condition of
// the given type and status. FailJob fails the whole job (with a message naming the container
// or condition), FailIndex fails the pod's index, Ignore keeps the failure out of the counts,
// Count counts it as if no rule matched.

import type { Pod } from '../../types.ts';

export type PodFailurePolicyAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

export interface PodFailurePolicyRule {
  action: PodFailurePolicyAction | string;
  onExitCodes?: { containerName?: string; operator: 'In' | 'NotIn' | string; values: number[] };
  onPodConditions?: { type: string; status?: string }[];
}

export interface PodFailurePolicy {
  rules: PodFailurePolicyRule[];
}

export interface PodFailureOutcome {
  /** The action of the matching rule, if any rule matched. */
  action?: PodFailurePolicyAction;
  /** Whether the failure counts toward backoffLimit (and the index's backoffLimitPerIndex). */
  counts: boolean;
  /** Why the job fails, when a FailJob rule matched. */
  failJobMessage?: string;
}

interface TerminatedContainer {
  name: string;
  exitCode: number;
}

function terminatedContainers(statuses: unknown): TerminatedContainer[] {
  if (!Array.isArray(statuses)) return [];
  const out: TerminatedContainer[] = [];
  for (const s of statuses as { name?: string; state?: { terminated?: { exitCode?: number } } }[]) {
    const exitCode = s?.state?.terminated?.exitCode;
    if (typeof exitCode === 'number') out.push({ name: s.name ?? '', exitCode });
  }
  return out;
}

function matchExitCodes(pod: Pod, req: NonNullable<PodFailurePolicyRule['onExitCodes']>): TerminatedContainer | undefined {
  const values = new Set(req.values ?? []);
  const matches = (c: TerminatedContainer) => {
    if (req.containerName !== undefined && req.containerName !== c.name) return false;
    // A zero exit code never matches: the container succeeded.
    if (c.exitCode === 0) return false;
    if (req.operator === 'In') return values.has(c.exitCode);
    if (req.operator === 'NotIn') return !values.has(c.exitCode);
    return false;
  };
  return terminatedContainers(pod.status?.containerStatuses).find(matches) ?? terminatedContainers(pod.status?.initContainerStatuses).find(matches);
}

function matchPodConditions(pod: Pod, patterns: NonNullable<PodFailurePolicyRule['onPodConditions']>): string | undefined {
  for (const c of pod.status?.conditions ?? []) {
    if (patterns.some((p) => p.type === c.type && (p.status ?? 'True') === c.status)) return c.type;
  }
  return undefined;
}

const knownActions: ReadonlySet<string> = new Set(['FailJob', 'FailIndex', 'Ignore', 'Count']);

/** What the policy says about a failed pod (no policy: the failure counts). */
export function matchPodFailurePolicy(policy: PodFailurePolicy | undefined, pod: Pod): PodFailureOutcome {
  if (!policy) return { counts: true };
  const where = `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
  for (const [index, rule] of (policy.rules ?? []).entries()) {
    if (!knownActions.has(rule.action)) continue;
    let failJobMessage: string | undefined;
    if (rule.onExitCodes) {
      const c = matchExitCodes(pod, rule.onExitCodes);
      if (!c) continue;
      failJobMessage = `Container ${c.name} for pod ${where} failed with exit code ${c.exitCode} matching ${rule.action} rule at index ${index}`;
    } else if (rule.onPodConditions) {
      const type = matchPodConditions(pod, rule.onPodConditions);
      if (type === undefined) continue;
      failJobMessage = `Pod ${where} has condition ${type} matching ${rule.action} rule at index ${index}`;
    } else {
      continue;
    }
    const action = rule.action as PodFailurePolicyAction;
    if (action === 'Ignore') return { action, counts: false };
    if (action === 'FailJob') return { action, counts: true, failJobMessage };
    return { action, counts: true };
  }
  return { counts: true };
}
