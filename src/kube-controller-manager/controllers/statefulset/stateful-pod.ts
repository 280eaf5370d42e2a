// A StatefulSet's pod identity, as upstream's stateful_set_utils: pod "<set>-<ordinal>" with
// hostname "<set>-<ordinal>", subdomain spec.serviceName, and the pod-name, pod-index and
// controller-revision-hash labels; ordinals parse back from names; the template of a revision
// is read from its ControllerRevision data.

import { ownerReferenceFor } from '../../controller-ref-manager.ts';
import { isPodAvailable, isPodReady } from '../../pod-conditions.ts';
import type { IntOrString, KubeObject, ObjectMeta, Pod, PodTemplateSpec } from '../../types.ts';
import type { LabelSelectorSpec } from '../../../machinery/labels.ts';

export const podNameLabel = 'statefulset.kubernetes.io/pod-name';
export const podIndexLabel = 'apps.kubernetes.io/pod-index';
export const revisionLabel = 'controller-revision-hash';

export interface StatefulSet extends KubeObject {
  metadata: ObjectMeta;
  spec: {
    replicas?: number;
    selector?: LabelSelectorSpec;
    template?: PodTemplateSpec;
    serviceName?: string;
    podManagementPolicy?: 'OrderedReady' | 'Parallel' | string;
    updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete' | string; rollingUpdate?: { partition?: number; maxUnavailable?: IntOrString } };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    ordinals?: { start?: number };
  };
  status?: StatefulSetStatus;
}

export interface StatefulSetStatus {
  replicas: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  observedGeneration?: number;
  collisionCount?: number;
}

/** The ordinal of a pod named "<set>-<n>", or undefined for a pod that is not the set's. */
export function ordinalOf(set: StatefulSet, pod: Pod): number | undefined {
  const name = pod.metadata.name ?? '';
  const prefix = `${set.metadata.name}-`;
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

/** Running with Ready=True (isRunningAndReady). */
export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

export function isRunningAndAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  return pod.status?.phase === 'Running' && isPodAvailable(pod, minReadySeconds, now);
}

export function isFailedOrSucceeded(pod: Pod): boolean {
  return pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
}

/** newVersionedStatefulSetPod: the pod for `ordinal` from `template`, labelled with `revisionName`. */
export function statefulPod(set: StatefulSet, template: PodTemplateSpec, ordinal: number, revisionName: string): Pod {
  const name = `${set.metadata.name}-${ordinal}`;
  const meta: Pod['metadata'] = {
    name,
    namespace: set.metadata.namespace,
    labels: { ...(template.metadata?.labels ?? {}), [podNameLabel]: name, [podIndexLabel]: String(ordinal), [revisionLabel]: revisionName },
    ownerReferences: [ownerReferenceFor(set, 'apps/v1', 'StatefulSet')],
  };
  if (template.metadata?.annotations) meta.annotations = { ...template.metadata.annotations };
  const spec = structuredClone(template.spec ?? {}) as NonNullable<Pod['spec']>;
  spec.hostname = name;
  if (set.spec.serviceName) spec.subdomain = set.spec.serviceName;
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec };
}
