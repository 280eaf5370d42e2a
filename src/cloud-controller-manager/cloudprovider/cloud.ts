// The contract between the cloud-controller-manager's controllers and a cloud, shaped after
// upstream's k8s.io/cloud-provider Interface: a provider offers any of Instances (or the newer
// InstancesV2), LoadBalancer, Routes and Zones, and answers undefined for what it has not (as
// upstream's (impl, false)). Controllers see a cloud only through this file, so a provider is
// added by implementing it and registering a factory in ../providers.ts; no controller changes.
// Errors a provider means the controllers to recognise are CloudProviderErrors with upstream's
// sentinel meanings (InstanceNotFound, NotImplemented, ImplementedElsewhere).

import type { SharedInformerFactory } from '../../client/informer-factory.ts';
import type { RestClient } from '../../client/rest-client.ts';
import type { Logger } from '../../component-base/logging.ts';
import type { Clock } from '../../machinery/clock.ts';
import type { LoadBalancerStatus, Node, NodeAddress, Service } from '../types.ts';

/** What a node is at the cloud (upstream cloudprovider.InstanceMetadata). */
export interface InstanceMetadata {
  /** "<provider>://<instance id>"; becomes spec.providerID. */
  providerID: string;
  /** Becomes the node.kubernetes.io/instance-type label. */
  instanceType?: string;
  /** Replaces status.addresses (a Hostname the node reported is kept when none is given). */
  nodeAddresses?: NodeAddress[];
  /** Become the topology.kubernetes.io/zone and /region labels. */
  zone?: string;
  region?: string;
  /** Further labels; ones in a kubernetes.io or k8s.io namespace, or already set, are dropped. */
  additionalLabels?: Record<string, string>;
}

/** Instances by the Node object (upstream InstancesV2). */
export interface InstancesV2 {
  /** False only when the cloud is sure the instance is gone. */
  instanceExists(node: Node): Promise<boolean>;
  instanceShutdown(node: Node): Promise<boolean>;
  instanceMetadata(node: Node): Promise<InstanceMetadata>;
}

/** Instances by node name or provider ID (upstream Instances, without the kubelet-only calls). */
export interface Instances {
  nodeAddresses(nodeName: string): Promise<NodeAddress[]>;
  nodeAddressesByProviderID(providerID: string): Promise<NodeAddress[]>;
  /** The instance ID; the provider ID is "<providerName>://<instance ID>". */
  instanceID(nodeName: string): Promise<string>;
  instanceType(nodeName: string): Promise<string>;
  instanceTypeByProviderID(providerID: string): Promise<string>;
  instanceExistsByProviderID(providerID: string): Promise<boolean>;
  instanceShutdownByProviderID(providerID: string): Promise<boolean>;
}

export interface LoadBalancer {
  getLoadBalancer(clusterName: string, service: Service): Promise<{ exists: boolean; status?: LoadBalancerStatus }>;
  getLoadBalancerName(clusterName: string, service: Service): string;
  /** Creates or updates the load balancer to forward the service's ports to `nodes`; returns its status. */
  ensureLoadBalancer(clusterName: string, service: Service, nodes: readonly Node[]): Promise<LoadBalancerStatus>;
  /** Changes only the set of nodes traffic goes to. */
  updateLoadBalancer(clusterName: string, service: Service, nodes: readonly Node[]): Promise<void>;
  /** Deletes it if it exists; succeeds when it does not. */
  ensureLoadBalancerDeleted(clusterName: string, service: Service): Promise<void>;
}

export interface Route {
  /** Set by the cloud; unique within the cluster. */
  name?: string;
  targetNode: string;
  targetNodeAddresses?: NodeAddress[];
  destinationCIDR: string;
  /** The cloud lost the route's target: it only drops traffic. */
  blackhole?: boolean;
}

export interface Routes {
  listRoutes(clusterName: string): Promise<Route[]>;
  /** nameHint (the node's uid) may be used to name the route. */
  createRoute(clusterName: string, nameHint: string, route: Route): Promise<void>;
  deleteRoute(clusterName: string, route: Route): Promise<void>;
}

export interface Zone {
  failureDomain: string;
  region: string;
}

export interface Zones {
  getZoneByProviderID(providerID: string): Promise<Zone>;
  getZoneByNodeName(nodeName: string): Promise<Zone>;
}

/** What initialize gives a provider (upstream Initialize's client builder, plus informers). */
export interface ProviderContext {
  client: RestClient;
  /** Informers the provider may ask for; the cloud-controller-manager starts them after initialize. */
  informers: SharedInformerFactory;
  clock: Clock;
  log: Logger;
  /** Aborts when the cloud-controller-manager stops. */
  signal: AbortSignal;
}

export interface CloudProvider {
  /** The name --cloud-provider selects, and the scheme of its provider IDs. */
  readonly providerName: string;
  /** Called once before any controller runs; a rejection stops the cloud-controller-manager from starting. */
  initialize?(context: ProviderContext): Promise<void>;
  /** Releases what the provider holds (listeners, connections); called last at shutdown. */
  close?(): Promise<void>;
  loadBalancer(): LoadBalancer | undefined;
  instances(): Instances | undefined;
  instancesV2(): InstancesV2 | undefined;
  zones(): Zones | undefined;
  routes(): Routes | undefined;
  /** Whether the provider can tell clusters apart (routes and load balancers carry the cluster name). */
  hasClusterID(): boolean;
}

export type CloudProviderErrorCode = 'InstanceNotFound' | 'NotImplemented' | 'ImplementedElsewhere';

/** Upstream's sentinel errors: cloudprovider.InstanceNotFound, NotImplemented, ImplementedElsewhere. */
export class CloudProviderError extends Error {
  readonly code: CloudProviderErrorCode;
  constructor(code: CloudProviderErrorCode, message?: string) {
    super(message ?? { InstanceNotFound: 'instance not found', NotImplemented: 'unimplemented', ImplementedElsewhere: 'implemented by alternate to cloud provider' }[code]);
    this.name = 'CloudProviderError';
    this.code = code;
  }
}

const hasCode = (code: CloudProviderErrorCode) => (err: unknown) => err instanceof CloudProviderError && err.code === code;
export const isInstanceNotFound = hasCode('InstanceNotFound');
export const isNotImplemented = hasCode('NotImplemented');
export const isImplementedElsewhere = hasCode('ImplementedElsewhere');

/** Upstream DefaultLoadBalancerName: "a" + the service's uid without dashes, at most 32 characters. */
export function defaultLoadBalancerName(service: Service): string {
  return `a${service.metadata.uid ?? ''}`.replaceAll('-', '').slice(0, 32);
}
