// The one table of in-tree plugins (name → factory) and the default profile's plugins with
// their score weights, as upstream's registry and default plugin set (minus what k8ts does not
// implement yet: volumes, DynamicResources).

import type { PluginRef } from '../config.ts';
import type { PluginFactory } from '../framework/interfaces.ts';
import type { Registry } from '../framework/runtime.ts';
import { newBalancedAllocation } from './balanced-allocation/balanced-allocation.ts';
import { newDefaultBinder } from './default-binder/default-binder.ts';
import { newDefaultPreemption } from './default-preemption/default-preemption.ts';
import { newInterPodAffinity, type InterPodAffinityArgs } from './inter-pod-affinity/inter-pod-affinity.ts';
import { newPodTopologySpread } from './pod-topology-spread/pod-topology-spread.ts';
import { newImageLocality } from './image-locality/image-locality.ts';
import { newNodeAffinity } from './node-affinity/node-affinity.ts';
import { newNodeName } from './node-name/node-name.ts';
import { newNodePorts } from './node-ports/node-ports.ts';
import { newNodeResourcesFit, type FitArgs } from './node-resources-fit/node-resources-fit.ts';
import { newNodeUnschedulable } from './node-unschedulable/node-unschedulable.ts';
import { newTaintToleration } from './taint-toleration/taint-toleration.ts';

export const inTreeRegistry: Registry = {
  NodeUnschedulable: () => newNodeUnschedulable(),
  NodeName: () => newNodeName(),
  TaintToleration: () => newTaintToleration(),
  NodeAffinity: () => newNodeAffinity(),
  NodePorts: () => newNodePorts(),
  NodeResourcesFit: (args) => newNodeResourcesFit(args as FitArgs),
  NodeResourcesBalancedAllocation: (args) => newBalancedAllocation(args as Parameters<typeof newBalancedAllocation>[0]),
  PodTopologySpread: (args, handle) => newPodTopologySpread(args, handle),
  InterPodAffinity: (args, handle) => newInterPodAffinity(args as InterPodAffinityArgs, handle),
  ImageLocality: (args, handle) => newImageLocality(args, handle),
  DefaultPreemption: (args, handle) => newDefaultPreemption(args, handle),
  DefaultBinder: (args, handle) => newDefaultBinder(args, handle),
} satisfies Record<string, PluginFactory>;

/** Upstream's default multiPoint plugins, in upstream's order, with default score weights. */
export const defaultPlugins: PluginRef[] = [
  { name: 'NodeUnschedulable' },
  { name: 'NodeName' },
  { name: 'TaintToleration', weight: 3 },
  { name: 'NodeAffinity', weight: 2 },
  { name: 'NodePorts' },
  { name: 'NodeResourcesFit', weight: 1 },
  { name: 'PodTopologySpread', weight: 2 },
  { name: 'InterPodAffinity', weight: 2 },
  { name: 'DefaultPreemption' },
  { name: 'NodeResourcesBalancedAllocation', weight: 1 },
  { name: 'ImageLocality', weight: 1 },
  { name: 'DefaultBinder' },
];
