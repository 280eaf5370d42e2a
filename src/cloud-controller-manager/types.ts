// The parts of core/v1 and discovery/v1 kinds the cloud-controller-manager and its providers read
// and write, typed with upstream's JSON field names. Objects from informer caches are frozen:
// structuredClone before changing one.

import type { KubeObject, ObjectMeta } from '../api/kind.ts';

export type { KubeObject, ObjectMeta };

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown' | string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' | string;
  timeAdded?: string;
}

/** Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS. */
export interface NodeAddress {
  type: string;
  address: string;
}

export interface Node extends KubeObject {
  metadata: ObjectMeta;
  spec?: { providerID?: string; podCIDR?: string; podCIDRs?: string[]; taints?: Taint[]; unschedulable?: boolean; [field: string]: unknown };
  status?: {
    addresses?: NodeAddress[];
    conditions?: Condition[];
    daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
    [field: string]: unknown;
  };
}

export interface ServicePort {
  name?: string;
  protocol?: 'TCP' | 'UDP' | 'SCTP' | string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
  appProtocol?: string;
}

export interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
  /** VIP: traffic to ip may be short-circuited by kube-proxy; Proxy: it must go through the load balancer. */
  ipMode?: 'VIP' | 'Proxy' | string;
  ports?: { port: number; protocol: string; error?: string }[];
}

export interface LoadBalancerStatus {
  ingress?: LoadBalancerIngress[];
}

export interface Service extends KubeObject {
  metadata: ObjectMeta;
  spec?: {
    type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName' | string;
    ports?: ServicePort[];
    selector?: Record<string, string>;
    clusterIP?: string;
    externalIPs?: string[];
    loadBalancerIP?: string;
    loadBalancerSourceRanges?: string[];
    loadBalancerClass?: string | null;
    externalTrafficPolicy?: 'Cluster' | 'Local' | string;
    healthCheckNodePort?: number;
    sessionAffinity?: string;
    sessionAffinityConfig?: unknown;
    ipFamilies?: string[];
    [field: string]: unknown;
  };
  status?: { loadBalancer?: LoadBalancerStatus; [field: string]: unknown };
}

export interface EndpointSlice extends KubeObject {
  metadata: ObjectMeta;
  addressType?: string;
  endpoints?: {
    addresses: string[];
    conditions?: { ready?: boolean | null; serving?: boolean | null; terminating?: boolean | null };
    nodeName?: string;
  }[];
  ports?: { name?: string; port?: number; protocol?: string }[];
}

/** The status of a node's Ready condition ("Unknown" when it has none, as upstream defaults it). */
export function readyStatus(node: Node): string {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
}

/** The first address of a type (InternalIP by default). */
export function nodeAddress(node: Node, type = 'InternalIP'): string | undefined {
  return node.status?.addresses?.find((a) => a.type === type)?.address;
}
