// What controllers ask of a pod's status, as upstream's podutil: ready (Ready condition True),
// available (ready for at least minReadySeconds, measured from the condition's
// lastTransitionTime on the injected clock) and active (not terminal, not being deleted).

import type { Condition, Pod } from './types.ts';

export function podReadyCondition(pod: Pod): Condition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: Pod): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  const c = podReadyCondition(pod);
  if (c?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= now;
}

/** controller.IsPodActive. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

/** The owner reference with controller=true, if any. */
export function controllerRef(obj: { metadata?: { ownerReferences?: readonly { controller?: boolean; uid: string; kind: string; name: string; apiVersion: string }[] } }) {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}
