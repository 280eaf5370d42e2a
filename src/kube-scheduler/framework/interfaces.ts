// The scheduling framework's extension points, as upstream's framework interfaces: a plugin is
// an object with a name and any of the methods below; the profile calls each at its point.
// Filter and Score are synchronous (the scheduling cycle runs without yielding, so the cache
// cannot change under it); Bind is asynchronous and runs in the binding cycle.

import type { Clock } from '../../machinery/clock.ts';
import type { Pod, PodDisruptionBudget, ReplicationController, SelectingController, Service } from '../types.ts';
import type { CycleState } from './cycle-state.ts';
import type { NodeInfo, PodInfo } from './node-info.ts';
import type { Status } from './status.ts';

export const maxNodeScore = 100;
export const minNodeScore = 0;

export interface NodeScore {
  name: string;
  score: number;
}

/** What changed in the cluster; plugins list the events that may make a pod they rejected fit. */
export type ClusterEvent =
  | 'NodeAdd'
  | 'NodeDelete'
  | 'NodeAllocatableChange'
  | 'NodeLabelChange'
  | 'NodeTaintChange'
  | 'NodeImagesChange'
  | 'AssignedPodAdd'
  | 'AssignedPodUpdate'
  | 'AssignedPodDelete';

export interface Plugin {
  readonly name: string;
  /** Events after which a pod this plugin rejected is worth retrying. */
  readonly events?: readonly ClusterEvent[];
  preFilter?(state: CycleState, pod: Pod, nodes: readonly NodeInfo[]): Status | undefined;
  /** PreFilter extensions: keep what PreFilter computed right when a dry run adds or removes a pod on `node`. */
  preFilterAddPod?(state: CycleState, pod: Pod, added: PodInfo, node: NodeInfo): void;
  preFilterRemovePod?(state: CycleState, pod: Pod, removed: PodInfo, node: NodeInfo): void;
  filter?(state: CycleState, pod: Pod, node: NodeInfo): Status | undefined;
  /** Runs when no node passed the filters; may nominate a node (preemption). */
  postFilter?(state: CycleState, pod: Pod, filtered: ReadonlyMap<string, Status>): { status: Status; nominatedNodeName?: string };
  preScore?(state: CycleState, pod: Pod, nodes: readonly NodeInfo[]): Status | undefined;
  /** A score in [0, 100] (before normalization, any number the plugin's normalizeScore maps into it). */
  score?(state: CycleState, pod: Pod, node: NodeInfo): number;
  normalizeScore?(state: CycleState, pod: Pod, scores: NodeScore[]): void;
  reserve?(state: CycleState, pod: Pod, nodeName: string): Status | undefined;
  unreserve?(state: CycleState, pod: Pod, nodeName: string): void;
  bind?(state: CycleState, pod: Pod, nodeName: string, signal: AbortSignal): Promise<Status | undefined>;
}

/** The node infos of the current cycle. */
export interface NodeInfoLister {
  list(): readonly NodeInfo[];
  get(name: string): NodeInfo | undefined;
  /** The nodes of list() with a pod that has pod (anti-)affinity (upstream's HavePodsWithAffinityList). */
  havePodsWithAffinityList(): readonly NodeInfo[];
  /** The nodes of list() with a pod that has required anti-affinity. */
  havePodsWithRequiredAntiAffinityList(): readonly NodeInfo[];
}

/**
 * Pods nominated to nodes (status.nominatedNodeName, or a preemption of this scheduler that
 * the API has not reflected yet) and not yet bound: upstream's PodNominator.
 */
export interface PodNominator {
  /** The nominated pods of a node, in the order they were nominated. */
  nominatedPodsForNode(nodeName: string): readonly PodInfo[];
  nominatedNodeName(pod: Pod): string | undefined;
}

/**
 * Objects of other kinds, from the scheduler's informer caches (upstream's listers through
 * the shared informer factory): what default topology spreading and preemption read.
 */
export interface Listers {
  services(namespace: string): readonly Service[];
  replicationController(namespace: string, name: string): ReplicationController | undefined;
  replicaSet(namespace: string, name: string): SelectingController | undefined;
  statefulSet(namespace: string, name: string): SelectingController | undefined;
  /** Every PodDisruptionBudget, all namespaces. */
  podDisruptionBudgets(): readonly PodDisruptionBudget[];
}

/** What plugins may use besides their arguments (upstream's framework.Handle). */
export interface Handle {
  readonly nodeInfos: NodeInfoLister;
  /** undefined: no pod is ever nominated (unit tests). */
  readonly nominator?: PodNominator;
  /** undefined: no other kinds are watched (unit tests); they count as absent. */
  readonly listers?: Listers;
  readonly clock: Clock;
  /** Binds a pod: POST pods/<name>/binding (undefined in unit tests that do not bind). */
  readonly bindPod?: (pod: Pod, nodeName: string, signal: AbortSignal) => Promise<void>;
  /** A namespace's labels, for namespaceSelectors of pod affinity terms (undefined: unknown). */
  namespaceLabels?(namespace: string): Readonly<Record<string, string>> | undefined;
  /**
   * Deletes a pod with its own grace period, first setting `condition` through pods/status;
   * runs in the background (the scheduler logs failures and waits for it on close).
   */
  readonly deletePod?: (pod: Pod, condition: PodConditionUpdate) => void;
  /** Clears status.nominatedNodeName of a pod (in the background, as deletePod). */
  readonly clearNominatedNodeName?: (pod: Pod) => void;
  /** Records an event about a pod. */
  readonly recordEvent?: (pod: Pod, type: 'Normal' | 'Warning', reason: string, action: string, message: string) => void;
  /** Runs every filter plugin of the profile on a node (preemption dry runs). */
  runFilterPlugins(state: CycleState, pod: Pod, node: NodeInfo): Status | undefined;
  /**
   * runFilterPlugins with the pods nominated to the node counted on it when their priority is
   * at least the pod's (upstream's RunFilterPluginsWithNominatedPods).
   */
  runFilterPluginsWithNominatedPods(state: CycleState, pod: Pod, node: NodeInfo): Status | undefined;
  /** Runs the PreFilter extensions of the profile (preemption dry runs). */
  runPreFilterExtensionRemovePod(state: CycleState, pod: Pod, removed: PodInfo, node: NodeInfo): void;
  runPreFilterExtensionAddPod(state: CycleState, pod: Pod, added: PodInfo, node: NodeInfo): void;
}

export interface PodConditionUpdate {
  type: string;
  status: string;
  reason: string;
  message: string;
}

export type PluginFactory = (args: Record<string, unknown>, handle: Handle) => Plugin;
