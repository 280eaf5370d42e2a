// What the Endpoints and EndpointSlice controllers share, as upstream's endpointutil: which
// pods belong in a Service's endpoints (upstream ShouldPodBeInEndpoints: has an IP, not
// terminal for its restart policy, terminating only when asked for), and each Service port
// resolved for one pod (upstream podutil.FindPort: a numeric targetPort as is, a named one
// looked up in the pod's container ports with the same protocol, absent: the port itself),
// and the wiring that queues a Service when it or one of its pods changes.

import { metaNamespaceKey } from '../../../client/indexer.ts';
import { DeletedFinalStateUnknown, type SharedIndexInformer } from '../../../client/informer.ts';
import type { WorkQueue } from '../../../client/workqueue.ts';
import type { KubeObject, ObjectMeta, Pod } from '../../types.ts';

export interface ServicePort {
  name?: string;
  protocol?: string;
  appProtocol?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
}

export interface Service extends KubeObject {
  metadata: ObjectMeta;
  spec?: {
    selector?: Record<string, string> | null;
    ports?: ServicePort[];
    type?: string;
    clusterIP?: string;
    publishNotReadyAddresses?: boolean;
    ipFamilies?: string[];
  };
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface PodSpecFields {
  nodeName?: string;
  hostname?: string;
  subdomain?: string;
  restartPolicy?: string;
  containers?: { name: string; ports?: ContainerPort[] }[];
}

export function podSpec(pod: Pod): PodSpecFields {
  return (pod.spec ?? {}) as PodSpecFields;
}

export function podIP(pod: Pod): string | undefined {
  const ip = pod.status?.podIP;
  return typeof ip === 'string' && ip !== '' ? ip : undefined;
}

/** ShouldPodBeInEndpoints. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (!podIP(pod)) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  const phase = pod.status?.phase;
  const policy = podSpec(pod).restartPolicy ?? 'Always';
  if (policy === 'Never') return phase !== 'Failed' && phase !== 'Succeeded';
  if (policy === 'OnFailure') return phase !== 'Succeeded';
  return true;
}

/** The pod port a Service port sends to, or undefined when a named targetPort is not found. */
export function findPort(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = port.protocol ?? 'TCP';
  for (const c of podSpec(pod).containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

/** The selector-managed Services are those with a non-empty selector. */
export function hasSelector(svc: Service): svc is Service & { spec: { selector: Record<string, string> } } {
  return !!svc.spec?.selector && Object.keys(svc.spec.selector).length > 0;
}

export function matchesSelector(selector: Record<string, string>, pod: Pod): boolean {
  const labels = pod.metadata.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Pods in the Service's namespace its selector picks. */
export function selectedPods(svc: Service & { spec: { selector: Record<string, string> } }, pods: readonly Pod[]): Pod[] {
  return pods.filter((p) => matchesSelector(svc.spec.selector, p));
}

export function podReference(pod: Pod): { kind: 'Pod'; namespace: string; name: string; uid: string } {
  return { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' };
}

/** The queue key of an object or of a deletion tombstone. */
export function objectKey(obj: KubeObject | DeletedFinalStateUnknown<KubeObject>): string {
  return obj instanceof DeletedFinalStateUnknown ? obj.key : metaNamespaceKey(obj);
}

/** Queues a Service's key when the Service changes, and when a pod it selects (before or after) changes. */
export function queueServicesAndTheirPods(services: SharedIndexInformer<Service>, pods: SharedIndexInformer<Pod>, queue: WorkQueue<string>): void {
  const enqueue = (obj: KubeObject | DeletedFinalStateUnknown<KubeObject>) => queue.add(objectKey(obj));
  services.addEventHandler({ onAdd: enqueue, onUpdate: (_o, cur) => enqueue(cur), onDelete: enqueue });
  const podChanged = (pod: Pod) => {
    for (const svc of services.lister.namespace(pod.metadata.namespace ?? '').list()) {
      if (hasSelector(svc) && matchesSelector(svc.spec.selector, pod)) queue.add(metaNamespaceKey(svc));
    }
  };
  pods.addEventHandler({
    onAdd: podChanged,
    onUpdate: (old, cur) => {
      if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
      podChanged(old);
      podChanged(cur);
    },
    onDelete: (obj) => podChanged(obj instanceof DeletedFinalStateUnknown ? obj.obj : obj),
  });
}
