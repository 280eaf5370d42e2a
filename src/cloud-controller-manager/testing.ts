// Test doubles for cloud controller unit tests: the client layer's fakes (a fake API client that
// records every call, informers whose caches tests fill directly, an event recorder that keeps
// what it was told), a logger that prints nothing, objects to feed them, and an in-memory cloud
// whose instances, load balancers and routes tests set and read.

import { createLogger } from '../component-base/logging.ts';
import { CloudProviderError, defaultLoadBalancerName, type CloudProvider, type InstanceMetadata, type InstancesV2, type LoadBalancer, type Route, type Routes } from './cloudprovider/cloud.ts';
import type { LoadBalancerStatus, Node, Service, Taint } from './types.ts';

export { cacheOf, FakeClient, FakeRecorder } from '../client/testing.ts';

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
