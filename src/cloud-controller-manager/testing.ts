// Test doubles for cloud controller unit tests: a fake API client that records every call,
// informers whose caches tests fill directly (never started), an event recorder that keeps what it
// was told, and an in-memory cloud whose instances, load balancers and routes tests set and read.

import type { EventRecorder, EventType } from '../client/event-recorder.ts';
import { deepFreeze } from '../client/indexer.ts';
import { SharedIndexInformer } from '../client/informer.ts';
import type { ResourceRef } from '../client/rest-client.ts';
import { createLogger } from '../component-base/logging.ts';
import { CloudProviderError, defaultLoadBalancerName, type CloudProvider, type InstanceMetadata, type InstancesV2, type LoadBalancer, type Route, type Routes } from './cloudprovider/cloud.ts';
import type { ApiClient } from './context.ts';
import type { KubeObject, LoadBalancerStatus, Node, Service, Taint } from './types.ts';

export interface Call {
  verb: 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete';
  ref: ResourceRef;
  body?: unknown;
  options?: unknown;
}

/** Every call is recorded; `fail` may reject one by returning an error. Updates answer the body with a new resourceVersion. */
export class FakeClient {
  readonly calls: Call[] = [];
  fail: (call: Call) => Error | undefined = () => undefined;
  #rv = 100;

  #record(call: Call): void {
    this.calls.push(call);
    const err = this.fail(call);
    if (err) throw err;
  }

  callsOf(verb: Call['verb'], resource?: string): Call[] {
    return this.calls.filter((c) => c.verb === verb && (resource === undefined || c.ref.resource === resource));
  }

  readonly client: ApiClient = {
    get: async <T>(ref: ResourceRef) => {
      this.#record({ verb: 'get', ref });
      return {} as T;
    },
    list: async <T>(ref: ResourceRef) => {
      this.#record({ verb: 'list', ref });
      return { metadata: {}, items: [] as T[] };
    },
    create: async <T>(ref: ResourceRef, body: T) => {
      this.#record({ verb: 'create', ref, body });
      return structuredClone(body);
    },
    update: async <T>(ref: ResourceRef, body: T) => {
      this.#record({ verb: 'update', ref, body });
      const obj = structuredClone(body) as KubeObject;
      obj.metadata = { ...obj.metadata, resourceVersion: String(this.#rv++) };
      return obj as T;
    },
    patch: async <T>(ref: ResourceRef, patch: unknown, options: unknown) => {
      this.#record({ verb: 'patch', ref, body: patch, options });
      return {} as T;
    },
    delete: async <T>(ref: ResourceRef, options: unknown) => {
      this.#record({ verb: 'delete', ref, options });
      return {} as T;
    },
  };
}

/** An informer that is never started; its cache holds `objects`. */
export function cacheOf<T extends KubeObject>(objects: T[] = []): SharedIndexInformer<T> {
  const informer = new SharedIndexInformer<T>({
    list: () => Promise.reject(new Error('not started')),
    watch: () => Promise.reject(new Error('not started')),
  });
  for (const o of objects) informer.indexer.add(deepFreeze(structuredClone(o)));
  return informer;
}

export interface RecordedEvent {
  object: string;
  type: EventType;
  reason: string;
  message: string;
}

export class FakeRecorder implements EventRecorder {
  readonly events: RecordedEvent[] = [];
  event(object: KubeObject, type: EventType, reason: string, message: string): void {
    this.events.push({ object: `${object.kind}/${object.metadata?.name}`, type, reason, message });
  }
  reasons(): string[] {
    return this.events.map((e) => e.reason);
  }
}

export const quietLogger = createLogger('test', { sink: () => {} });

export function node(name: string, options: { ready?: string; taints?: Taint[]; labels?: Record<string, string>; providerID?: string; podCIDRs?: string[]; ip?: string; uid?: string } = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: options.uid ?? `uid-${name}`, resourceVersion: '1', labels: options.labels ?? { 'kubernetes.io/hostname': name } },
    spec: { ...(options.taints ? { taints: options.taints } : {}), ...(options.providerID ? { providerID: options.providerID } : {}), ...(options.podCIDRs ? { podCIDRs: options.podCIDRs, podCIDR: options.podCIDRs[0] } : {}) },
    status: {
      addresses: [
        { type: 'InternalIP', address: options.ip ?? '127.0.0.1' },
        { type: 'Hostname', address: name },
      ],
      conditions: [{ type: 'Ready', status: options.ready ?? 'True' }],
    },
  };
}

export function loadBalancerService(name: string, options: { uid?: string; finalizers?: string[]; type?: string; deleting?: boolean; status?: LoadBalancerStatus; externalTrafficPolicy?: string } = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: 'default',
      uid: options.uid ?? `0000-${name}`,
      resourceVersion: '1',
      ...(options.finalizers ? { finalizers: options.finalizers } : {}),
      ...(options.deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}),
    },
    spec: { type: options.type ?? 'LoadBalancer', ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }], externalTrafficPolicy: options.externalTrafficPolicy ?? 'Cluster' },
    status: { loadBalancer: options.status ?? {} },
  };
}

/** An in-memory cloud: instances by node name, load balancers by name, routes in a list. */
export class FakeCloud implements CloudProvider {
  readonly providerName = 'fake';
  readonly instances_ = new Map<string, { exists: boolean; shutdown: boolean; metadata: InstanceMetadata }>();
  readonly balancers = new Map<string, { nodes: string[]; status: LoadBalancerStatus }>();
  readonly routeTable: Route[] = [];
  readonly log: string[] = [];
  failLoadBalancer: Error | undefined;
  #nextIP = 1;

  readonly v2: InstancesV2 = {
    instanceExists: async (n) => this.instances_.get(n.metadata.name!)?.exists ?? false,
    instanceShutdown: async (n) => this.instances_.get(n.metadata.name!)?.shutdown ?? false,
    instanceMetadata: async (n) => {
      const i = this.instances_.get(n.metadata.name!);
      if (!i?.exists) throw new CloudProviderError('InstanceNotFound');
      return structuredClone(i.metadata);
    },
  };

  readonly lb: LoadBalancer = {
    getLoadBalancerName: (_c, s) => defaultLoadBalancerName(s),
    getLoadBalancer: async (_c, s) => {
      const b = this.balancers.get(defaultLoadBalancerName(s));
      return b ? { exists: true, status: b.status } : { exists: false };
    },
    ensureLoadBalancer: async (_c, s: Service, nodes: readonly Node[]) => {
      this.log.push(`ensure ${s.metadata.name}`);
      if (this.failLoadBalancer) throw this.failLoadBalancer;
      const name = defaultLoadBalancerName(s);
      const b = this.balancers.get(name) ?? { nodes: [], status: { ingress: [{ ip: `192.0.2.${this.#nextIP++}` }] } };
      b.nodes = nodes.map((n) => n.metadata.name!);
      this.balancers.set(name, b);
      return structuredClone(b.status);
    },
    updateLoadBalancer: async (_c, s, nodes) => {
      this.log.push(`update ${s.metadata.name} ${nodes.map((n) => n.metadata.name).join(',')}`);
      const b = this.balancers.get(defaultLoadBalancerName(s));
      if (!b) throw new Error('no such load balancer');
      b.nodes = nodes.map((n) => n.metadata.name!);
    },
    ensureLoadBalancerDeleted: async (_c, s) => {
      this.log.push(`delete ${s.metadata.name}`);
      this.balancers.delete(defaultLoadBalancerName(s));
    },
  };

  readonly routeOps: Routes = {
    listRoutes: async () => structuredClone(this.routeTable),
    createRoute: async (_c, hint, route) => {
      this.routeTable.push({ ...route, name: `r-${hint}-${route.destinationCIDR}` });
    },
    deleteRoute: async (_c, route) => {
      const i = this.routeTable.findIndex((r) => r.name === route.name);
      if (i >= 0) this.routeTable.splice(i, 1);
    },
  };

  addInstance(name: string, metadata: Partial<InstanceMetadata> = {}): void {
    this.instances_.set(name, { exists: true, shutdown: false, metadata: { providerID: `fake://${name}`, ...metadata } });
  }

  loadBalancer = () => this.lb;
  instances = () => undefined;
  instancesV2 = () => this.v2;
  zones = () => undefined;
  routes = () => this.routeOps;
  hasClusterID = () => true;
}
