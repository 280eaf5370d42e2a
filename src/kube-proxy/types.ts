// The fields of Services and EndpointSlices that kube-proxy reads (core/v1 and discovery.k8s.io/v1
// JSON names). Objects come from informer caches and are read-only.

import type { KubeObject, ObjectMeta } from '../api/kind.ts';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface ServicePort {
  name?: string;
  protocol?: Protocol;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
}

export interface Service extends KubeObject {
  metadata: ObjectMeta;
  spec?: {
    type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
    clusterIP?: string;
    clusterIPs?: string[];
    ports?: ServicePort[];
    externalIPs?: string[];
    sessionAffinity?: 'None' | 'ClientIP';
    sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
    externalTrafficPolicy?: 'Cluster' | 'Local';
    internalTrafficPolicy?: 'Cluster' | 'Local';
  };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string; ipMode?: 'VIP' | 'Proxy' }[] } };
}

export interface EndpointConditions {
  ready?: boolean | null;
  serving?: boolean | null;
  terminating?: boolean | null;
}

export interface SliceEndpoint {
  addresses: string[];
  conditions?: EndpointConditions;
  nodeName?: string;
  zone?: string;
}

export interface EndpointPort {
  name?: string | null;
  protocol?: Protocol;
  port?: number | null;
}

export interface EndpointSlice extends KubeObject {
  metadata: ObjectMeta;
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints?: SliceEndpoint[] | null;
  ports?: EndpointPort[] | null;
}

export type IPFamily = 'IPv4' | 'IPv6';

/** discovery.k8s.io/v1 LabelServiceName: the Service an EndpointSlice belongs to. */
export const serviceNameLabel = 'kubernetes.io/service-name';
/** Upstream's EndpointsLastChangeTriggerTime annotation (RFC 3339). */
export const lastChangeTriggerTimeAnnotation = 'endpoints.kubernetes.io/last-change-trigger-time';
/** Objects of Services meant for another proxy (service.kubernetes.io/service-proxy-name). */
export const serviceProxyNameLabel = 'service.kubernetes.io/service-proxy-name';
/** Set by the EndpointSlice controller on the slices of headless Services. */
export const headlessLabel = 'service.kubernetes.io/headless';
