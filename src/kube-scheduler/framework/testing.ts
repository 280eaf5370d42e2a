// Builders for unit tests of plugins and the cycle: pods and nodes from a few fields, and node
// infos with pods assigned. Used only by *.test.ts files.

import type { Container, Node, Pod, PodDisruptionBudget, PodSpec, ReplicationController, SelectingController, Service, Taint } from '../types.ts';
import { FakeClock } from '../../machinery/fake-clock.ts';
import type { Handle, Listers } from './interfaces.ts';
import { NodeInfo, podInfoOf } from './node-info.ts';

let seq = 0;

export function makePod(name: string, spec: Partial<PodSpec> & { requests?: Record<string, string> } = {}, meta: { namespace?: string; labels?: Record<string, string> } = {}): Pod {
  const { requests, ...rest } = spec;
  const containers: Container[] = rest.containers ? [...rest.containers] : [{ name: 'c', image: 'busybox', resources: requests ? { requests } : {} }];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: meta.namespace ?? 'default', uid: `uid-${name}-${seq++}`, labels: meta.labels },
    spec: { schedulerName: 'default-scheduler', ...rest, containers },
  };
}

export function makeNode(name: string, opts: { allocatable?: Record<string, string>; labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean; images?: { names: string[]; sizeBytes: number }[] } = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...opts.labels } },
    spec: { taints: opts.taints, unschedulable: opts.unschedulable },
    status: { allocatable: opts.allocatable ?? { cpu: '4', memory: '8Gi', pods: '110' }, images: opts.images },
  };
}

export function makeNodeInfo(node: Node, ...pods: Pod[]): NodeInfo {
  const info = new NodeInfo(node);
  for (const p of pods) info.addPod(podInfoOf({ ...p, spec: { ...p.spec, nodeName: node.metadata?.name } }));
  return info;
}

/** A Handle over fixed node infos whose dry-run hooks do nothing. */
export function fakeHandle(nodes: NodeInfo[], extra: Partial<Handle> = {}): Handle {
  return {
    nodeInfos: {
      list: () => nodes,
      get: (n) => nodes.find((x) => x.name === n),
      havePodsWithAffinityList: () => nodes.filter((n) => n.podsWithAffinity > 0),
      havePodsWithRequiredAntiAffinityList: () => nodes.filter((n) => n.podsWithRequiredAntiAffinity > 0),
    },
    clock: new FakeClock(),
    runFilterPlugins: () => undefined,
    runFilterPluginsWithNominatedPods: () => undefined,
    runPreFilterExtensionRemovePod: () => {},
    runPreFilterExtensionAddPod: () => {},
    ...extra,
  };
}

/** Listers over fixed objects (namespaced ones matched by metadata.namespace). */
export function fakeListers(objects: { services?: Service[]; replicationControllers?: ReplicationController[]; replicaSets?: SelectingController[]; statefulSets?: SelectingController[]; pdbs?: PodDisruptionBudget[] } = {}): Listers {
  const find = <T extends { metadata?: { namespace?: string; name?: string } }>(list: T[] | undefined, namespace: string, name: string) =>
    list?.find((o) => (o.metadata?.namespace ?? '') === namespace && o.metadata?.name === name);
  return {
    services: (namespace) => (objects.services ?? []).filter((s) => (s.metadata?.namespace ?? '') === namespace),
    replicationController: (namespace, name) => find(objects.replicationControllers, namespace, name),
    replicaSet: (namespace, name) => find(objects.replicaSets, namespace, name),
    statefulSet: (namespace, name) => find(objects.statefulSets, namespace, name),
    podDisruptionBudgets: () => objects.pdbs ?? [],
  };
}
