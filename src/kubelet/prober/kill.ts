// What the kubelet needs to kill a container that failed its liveness or startup probe: the kill
// reason and message of upstream's computePodActions, and the grace period of its
// setTerminationGracePeriod, where a probe-level terminationGracePeriodSeconds overrides the pod's.

import type { Container, Pod } from '../types.ts';

export type ProbeKillReason = 'LivenessProbe' | 'StartupProbe';

export interface ProbeKill {
  reason: ProbeKillReason;
  /** "Container web failed liveness probe"; upstream appends ", will be restarted" when it will be. */
  message: string;
  /** Seconds between SIGTERM and SIGKILL for this kill. */
  gracePeriodSeconds: number;
}

/** Upstream's minimumGracePeriodInSeconds, used when the pod names none. */
const minimumGracePeriodSeconds = 2;

/** The grace period for killing `container`, for a probe failure or (reason undefined) anything else. */
export function killGracePeriodSeconds(pod: Pod, container: Container, reason?: ProbeKillReason): number {
  if (typeof pod.metadata.deletionGracePeriodSeconds === 'number') return pod.metadata.deletionGracePeriodSeconds;
  const podGrace = pod.spec.terminationGracePeriodSeconds;
  if (typeof podGrace !== 'number') return minimumGracePeriodSeconds;
  const probe = reason === 'LivenessProbe' ? container.livenessProbe : reason === 'StartupProbe' ? container.startupProbe : undefined;
  return typeof probe?.terminationGracePeriodSeconds === 'number' ? probe.terminationGracePeriodSeconds : podGrace;
}

export function probeKill(pod: Pod, container: Container, reason: ProbeKillReason): ProbeKill {
  const what = reason === 'LivenessProbe' ? 'liveness' : 'startup';
  return { reason, message: `Container ${container.name} failed ${what} probe`, gracePeriodSeconds: killGracePeriodSeconds(pod, container, reason) };
}
