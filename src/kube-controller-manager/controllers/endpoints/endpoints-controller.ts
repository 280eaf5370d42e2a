// The Endpoints controller (upstream pkg/controller/endpoint). Guarantees, per Service key:
// - a Service with a selector has an Endpoints object of the same name whose subsets list the
//   IPs of the selected pods: ready pods (or every pod, with publishNotReadyAddresses) under
//   addresses, the others under notReadyAddresses, each with nodeName, a Pod targetRef and
//   the hostname when the pod's subdomain names the Service; terminating pods only with
//   publishNotReadyAddresses, terminal pods never;
// - ports are resolved per pod (a named targetPort through the pod's container ports; a pod
//   without it is left out for that port) and addresses with the same ports share a subset
//   (upstream RepackSubsets), sorted so that equal inputs give equal objects;
// - the Endpoints carries the Service's labels plus endpoints.kubernetes.io/managed-by and
//   endpointslice.kubernetes.io/skip-mirror, and is written only when subsets or labels differ;
// - Services without a selector are left alone; the Endpoints is deleted with its Service
//   (only one this controller manages).

import { isNotFound } from '../../../client/api-errors.ts';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../../client/indexer.ts';
import { DeletedFinalStateUnknown, type SharedIndexInformer } from '../../../client/informer.ts';
import { WorkQueue } from '../../../client/workqueue.ts';
import type { Logger } from '../../../component-base/logging.ts';
import type { Clock } from '../../../machinery/clock.ts';
import type { ApiClient, Controller } from '../../context.ts';
import type { ControllerMetrics } from '../../../component-base/controller-metrics.ts';
import { isPodReady } from '../../pod-conditions.ts';
import type { KubeObject, ObjectMeta, Pod } from '../../types.ts';
import { runWorkers, type ReconcileResult } from '../../../component-base/controller-worker.ts';
import { findPort, hasSelector, objectKey, podIP, podReference, podSpec, queueServicesAndTheirPods, selectedPods, shouldPodBeInEndpoints, type Service } from './service-pods.ts';

export const managedByLabel = 'endpoints.kubernetes.io/managed-by';
export const managedByValue = 'endpoint-controller';
const skipMirrorLabel = 'endpointslice.kubernetes.io/skip-mirror';
const headlessLabel = 'service.kubernetes.io/headless';
const endpointsRef = { group: '', version: 'v1', resource: 'endpoints' };

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind: string; namespace: string; name: string; uid: string };
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

export interface Endpoints extends KubeObject {
  metadata: ObjectMeta;
  subsets?: EndpointSubset[];
}

export interface EndpointsControllerOptions {
  client: ApiClient;
  services: SharedIndexInformer<Service>;
  pods: SharedIndexInformer<Pod>;
  endpoints: SharedIndexInformer<Endpoints>;
  clock: Clock;
  log: Logger;
  workers?: number;
  metrics?: ControllerMetrics;
}

const byIP = (a: EndpointAddress, b: EndpointAddress) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0);
const portKey = (p: EndpointPort) => JSON.stringify([p.name ?? '', p.port, p.protocol, p.appProtocol ?? '']);

/** The subsets a Service's endpoints should have for these pods (the pods in its namespace). */
export function desiredSubsets(svc: Service, pods: readonly Pod[]): EndpointSubset[] {
  if (!hasSelector(svc)) return [];
  const tolerateUnready = svc.spec.publishNotReadyAddresses === true;
  const ports = svc.spec.ports ?? [];
  const headless = svc.spec.clusterIP === 'None';
  // Address (with readiness) → the ports it serves; RepackSubsets groups equal port sets.
  const entries = new Map<string, { address: EndpointAddress; ready: boolean; ports: Map<string, EndpointPort> }>();
  for (const pod of selectedPods(svc, pods)) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const spec = podSpec(pod);
    const address: EndpointAddress = { ip: podIP(pod)! };
    if (spec.hostname && spec.subdomain === svc.metadata.name) address.hostname = spec.hostname;
    if (spec.nodeName) address.nodeName = spec.nodeName;
    address.targetRef = podReference(pod);
    const ready = tolerateUnready || isPodReady(pod);
    const resolved: EndpointPort[] = [];
    for (const sp of ports) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const ep: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
      if (sp.name) ep.name = sp.name;
      if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
      resolved.push(ep);
    }
    // A pod serving none of the ports is listed only for a headless Service without ports.
    if (resolved.length === 0 && !(ports.length === 0 && headless)) continue;
    const key = JSON.stringify([address.ip, ready]);
    const entry = entries.get(key) ?? { address, ready, ports: new Map() };
    for (const p of resolved) entry.ports.set(portKey(p), p);
    entries.set(key, entry);
  }
  const groups = new Map<string, EndpointSubset>();
  for (const { address, ready, ports: set } of entries.values()) {
    const sorted = [...set.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, p]) => p);
    const key = JSON.stringify(sorted.map(portKey));
    let subset = groups.get(key);
    if (!subset) {
      subset = {};
      if (sorted.length > 0) subset.ports = sorted;
      groups.set(key, subset);
    }
    const list = ready ? (subset.addresses ??= []) : (subset.notReadyAddresses ??= []);
    list.push(address);
  }
  const subsets = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, s]) => s);
  for (const s of subsets) {
    s.addresses?.sort(byIP);
    s.notReadyAddresses?.sort(byIP);
  }
  return subsets;
}

/** The labels the Endpoints of a Service carries. */
export function desiredLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}), [managedByLabel]: managedByValue, [skipMirrorLabel]: 'true' };
  if (svc.spec?.clusterIP === 'None') labels[headlessLabel] = '';
  else delete labels[headlessLabel];
  return labels;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}

export class EndpointsController implements Controller {
  readonly name = 'endpoints-controller';
  readonly queue: WorkQueue<string>;
  readonly #o: EndpointsControllerOptions;

  constructor(options: EndpointsControllerOptions) {
    this.#o = options;
    this.queue = new WorkQueue<string>({ name: 'endpoint', clock: options.clock });
    queueServicesAndTheirPods(options.services, options.pods, this.queue);
    const enqueue = (obj: KubeObject | DeletedFinalStateUnknown<KubeObject>) => this.queue.add(objectKey(obj));
    // An Endpoints changed or deleted behind the controller's back is put right.
    options.endpoints.addEventHandler({
      onUpdate: (_o, cur) => {
        if (cur.metadata.labels?.[managedByLabel] === managedByValue) enqueue(cur);
      },
      onDelete: enqueue,
    });
  }


  async run(signal: AbortSignal): Promise<void> {
    const synced = await Promise.all([this.#o.services.waitForSync(signal), this.#o.pods.waitForSync(signal), this.#o.endpoints.waitForSync(signal)]);
    if (!synced.every(Boolean)) {
      this.queue.shutDown();
      return;
    }
    // Endpoints left over from Services deleted while no controller ran.
    for (const ep of this.#o.endpoints.lister.list()) if (ep.metadata.labels?.[managedByLabel] === managedByValue) this.queue.add(metaNamespaceKey(ep));
    await runWorkers({ name: this.name, queue: this.queue, workers: this.#o.workers ?? 5, reconcile: (k) => this.reconcile(k), log: this.#o.log, metrics: this.#o.metrics }, signal);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const svc = this.#o.services.lister.namespace(namespace).get(name);
    const current = this.#o.endpoints.lister.namespace(namespace).get(name);
    if (!svc) {
      if (current?.metadata.labels?.[managedByLabel] !== managedByValue) return;
      try {
        await this.#o.client.delete({ ...endpointsRef, namespace, name }, { preconditions: { uid: current.metadata.uid } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return;
    }
    if (!hasSelector(svc)) return;
    const subsets = desiredSubsets(svc, this.#o.pods.lister.namespace(namespace).list());
    const labels = desiredLabels(svc);
    if (current && canonical(current.subsets ?? []) === canonical(subsets) && canonical(current.metadata.labels ?? {}) === canonical(labels)) return;
    if (!current) {
      const body: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace, labels }, subsets };
      await this.#o.client.create({ ...endpointsRef, namespace }, body);
      return;
    }
    const next = structuredClone(current) as Endpoints;
    next.metadata.labels = labels;
    next.subsets = subsets;
    await this.#o.client.update({ ...endpointsRef, namespace, name }, next);
  }
}
