// The parts of core/v1 Pod and Node the scheduler reads (and of the Services, controllers and
// PodDisruptionBudgets it watches for spreading and preemption), typed with upstream's JSON
// field names. Objects come from informer caches: they are frozen, so these types are
// read-only views.

import type { KubeObject, ObjectMeta } from '../api/kind.ts';

export type ResourceList = Readonly<Record<string, string | number>>;

export interface ResourceRequirements {
  readonly requests?: ResourceList;
  readonly limits?: ResourceList;
}

export interface ContainerPort {
  readonly containerPort: number;
  readonly hostPort?: number;
  readonly hostIP?: string;
  readonly protocol?: string;
}

export interface Container {
  readonly name: string;
  readonly image?: string;
  readonly resources?: ResourceRequirements;
  readonly ports?: readonly ContainerPort[];
  /** "Always" on an init container makes it a sidecar (restartable init container). */
  readonly restartPolicy?: string;
}

export interface Toleration {
  readonly key?: string;
  readonly operator?: 'Exists' | 'Equal' | string;
  readonly value?: string;
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' | string;
  readonly tolerationSeconds?: number;
}

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' | string;
}

export interface NodeSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt' | string;
  readonly values?: readonly string[];
}

export interface NodeSelectorTerm {
  readonly matchExpressions?: readonly NodeSelectorRequirement[];
  readonly matchFields?: readonly NodeSelectorRequirement[];
}

export interface NodeSelector {
  readonly nodeSelectorTerms: readonly NodeSelectorTerm[];
}

export interface PreferredSchedulingTerm {
  readonly weight: number;
  readonly preference: NodeSelectorTerm;
}

export interface NodeAffinity {
  readonly requiredDuringSchedulingIgnoredDuringExecution?: NodeSelector;
  readonly preferredDuringSchedulingIgnoredDuringExecution?: readonly PreferredSchedulingTerm[];
}

/** metav1.LabelSelector as pods carry it (null selects nothing, {} everything). */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

export interface PodAffinityTerm {
  readonly labelSelector?: LabelSelector | null;
  readonly namespaces?: readonly string[];
  readonly namespaceSelector?: LabelSelector | null;
  readonly topologyKey: string;
}

export interface WeightedPodAffinityTerm {
  readonly weight: number;
  readonly podAffinityTerm: PodAffinityTerm;
}

/** podAffinity and podAntiAffinity share this shape. */
export interface PodAffinity {
  readonly requiredDuringSchedulingIgnoredDuringExecution?: readonly PodAffinityTerm[];
  readonly preferredDuringSchedulingIgnoredDuringExecution?: readonly WeightedPodAffinityTerm[];
}

export interface TopologySpreadConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway' | string;
  readonly labelSelector?: LabelSelector | null;
  readonly minDomains?: number;
  readonly nodeAffinityPolicy?: 'Honor' | 'Ignore' | string;
  readonly nodeTaintsPolicy?: 'Honor' | 'Ignore' | string;
  readonly matchLabelKeys?: readonly string[];
}

export interface PodSpec {
  readonly nodeName?: string;
  readonly schedulerName?: string;
  readonly priority?: number;
  readonly preemptionPolicy?: string;
  readonly containers?: readonly Container[];
  readonly initContainers?: readonly Container[];
  readonly overhead?: ResourceList;
  readonly resources?: ResourceRequirements;
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly affinity?: { readonly nodeAffinity?: NodeAffinity; readonly podAffinity?: PodAffinity; readonly podAntiAffinity?: PodAffinity };
  readonly topologySpreadConstraints?: readonly TopologySpreadConstraint[];
  readonly terminationGracePeriodSeconds?: number;
  readonly tolerations?: readonly Toleration[];
  readonly schedulingGates?: readonly { readonly name: string }[];
}

export interface PodCondition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastProbeTime?: string | null;
  readonly lastTransitionTime?: string;
}

export interface Pod extends KubeObject {
  metadata?: ObjectMeta;
  readonly spec?: PodSpec;
  readonly status?: {
    readonly phase?: string;
    readonly conditions?: readonly PodCondition[];
    readonly nominatedNodeName?: string;
    readonly [k: string]: unknown;
  };
}

export interface ContainerImage {
  readonly names?: readonly string[];
  readonly sizeBytes?: number;
}

export interface Node extends KubeObject {
  metadata?: ObjectMeta;
  readonly spec?: {
    readonly unschedulable?: boolean;
    readonly taints?: readonly Taint[];
    readonly [k: string]: unknown;
  };
  readonly status?: {
    readonly capacity?: ResourceList;
    readonly allocatable?: ResourceList;
    readonly images?: readonly ContainerImage[];
    readonly [k: string]: unknown;
  };
}

export interface Service extends KubeObject {
  metadata?: ObjectMeta;
  readonly spec?: { readonly selector?: Readonly<Record<string, string>> | null; readonly [k: string]: unknown };
}

/** core/v1 ReplicationController: a plain label map as selector. */
export interface ReplicationController extends KubeObject {
  metadata?: ObjectMeta;
  readonly spec?: { readonly selector?: Readonly<Record<string, string>> | null; readonly [k: string]: unknown };
}

/** apps/v1 ReplicaSet and StatefulSet: a metav1.LabelSelector as selector. */
export interface SelectingController extends KubeObject {
  metadata?: ObjectMeta;
  readonly spec?: { readonly selector?: LabelSelector | null; readonly [k: string]: unknown };
}

export interface PodDisruptionBudget extends KubeObject {
  metadata?: ObjectMeta;
  readonly spec?: { readonly selector?: LabelSelector | null; readonly [k: string]: unknown };
  readonly status?: {
    readonly disruptionsAllowed?: number;
    /** Pods whose eviction the API server processed but the disruption controller has not seen go. */
    readonly disruptedPods?: Readonly<Record<string, string>> | null;
    readonly [k: string]: unknown;
  };
}

export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

/** The pod's priority; 0 when unset, as corev1helpers.PodPriority. */
export function podPriority(pod: Pod): number {
  return pod.spec?.priority ?? 0;
}
