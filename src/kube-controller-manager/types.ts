// The parts of core/v1 and apps/v1 kinds the controllers read and write, typed with upstream's
// JSON field names. Objects from informer caches are frozen: structuredClone before changing.

import type { KubeObject, ObjectMeta, OwnerReference } from '../api/kind.ts';
import type { LabelSelectorSpec } from '../machinery/labels.ts';

export type { KubeObject, ObjectMeta, OwnerReference };

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown' | string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastProbeTime?: string | null;
}

export interface PodTemplateSpec {
  metadata?: ObjectMeta;
  spec?: Record<string, unknown>;
}

export interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  [field: string]: unknown;
}

export interface Pod extends KubeObject {
  metadata: ObjectMeta;
  spec?: { nodeName?: string; [field: string]: unknown };
  status?: {
    phase?: string;
    conditions?: Condition[];
    containerStatuses?: ContainerStatus[];
    [field: string]: unknown;
  };
}

export interface ReplicaSet extends KubeObject {
  metadata: ObjectMeta;
  spec: {
    replicas?: number;
    minReadySeconds?: number;
    selector?: LabelSelectorSpec;
    template?: PodTemplateSpec;
  };
  status?: {
    replicas?: number;
    fullyLabeledReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    observedGeneration?: number;
    conditions?: Condition[];
  };
}

export type IntOrString = number | string;

export interface Deployment extends KubeObject {
  metadata: ObjectMeta;
  spec: {
    replicas?: number;
    selector?: LabelSelectorSpec;
    template?: PodTemplateSpec;
    strategy?: { type?: 'RollingUpdate' | 'Recreate' | string; rollingUpdate?: { maxSurge?: IntOrString; maxUnavailable?: IntOrString } };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    paused?: boolean;
    progressDeadlineSeconds?: number;
  };
  status?: DeploymentStatus;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  collisionCount?: number;
  conditions?: Condition[];
}

export interface Namespace extends KubeObject {
  metadata: ObjectMeta;
  spec?: { finalizers?: string[] };
  status?: { phase?: string; conditions?: Condition[] };
}

export { rfc3339 } from '../machinery/time.ts';
