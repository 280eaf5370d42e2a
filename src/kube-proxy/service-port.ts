// Service tracking: what kube-proxy serves for a Service, one ServicePortInfo per port (upstream
// pkg/proxy/serviceport.go). Services with nothing to proxy yield none: ExternalName, headless
// (clusterIP None), no ClusterIP of the proxier's IP family, and SCTP ports (not proxied in
// userspace). Traffic policies are read as upstream's apiservice helpers do: externalTrafficPolicy
// only counts for externally accessible Services.

import { isIPv4, isIPv6 } from 'node:net';
import type { IPFamily, Protocol, Service } from './types.ts';

/** A Service port by namespace, name, port name and protocol (upstream ServicePortName). */
export interface ServicePortName {
  namespace: string;
  name: string;
  port: string;
  protocol: Protocol;
}

export interface ServicePortInfo {
  name: ServicePortName;
  clusterIP: string;
  port: number;
  protocol: Protocol;
  /** 0 when the port has none. */
  nodePort: number;
  externalIPs: string[];
  loadBalancerIPs: string[];
  /** ClientIP affinity's timeout; 0 when sessionAffinity is None. */
  stickyMaxAgeSeconds: number;
  internalPolicyLocal: boolean;
  externalPolicyLocal: boolean;
}

/** Upstream's default ClientIP affinity timeout (3 hours). */
export const defaultClientIPServiceAffinitySeconds = 10800;

/** "namespace/name:port" as upstream prints it (no ":port" for an unnamed port). */
export function servicePortNameString(n: ServicePortName): string {
  return `${n.namespace}/${n.name}${n.port ? `:${n.port}` : ''}`;
}

/** A map key: the printed name plus the protocol. */
export function servicePortKey(n: ServicePortName): string {
  return `${servicePortNameString(n)}/${n.protocol}`;
}

export function ipFamilyOf(ip: string): IPFamily | undefined {
  if (isIPv4(ip)) return 'IPv4';
  if (isIPv6(ip)) return 'IPv6';
  return undefined;
}

/** apiservice.ExternallyAccessible: reachable other than by ClusterIP. */
function serviceExternallyAccessible(service: Service): boolean {
  const type = service.spec?.type ?? 'ClusterIP';
  return type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && (service.spec?.externalIPs?.length ?? 0) > 0);
}

export function servicePortsOf(service: Service, ipFamily: IPFamily): ServicePortInfo[] {
  const spec = service.spec ?? {};
  if (spec.type === 'ExternalName') return [];
  const clusterIPs = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  if (clusterIPs.length === 0 || clusterIPs[0] === 'None') return [];
  const clusterIP = clusterIPs.find((ip) => ipFamilyOf(ip) === ipFamily);
  if (!clusterIP) return [];
  const sameFamily = (ips: (string | undefined)[]) => ips.filter((ip): ip is string => !!ip && ipFamilyOf(ip) === ipFamily);
  const externalIPs = sameFamily(spec.externalIPs ?? []);
  // An ingress in ipMode Proxy is served by the load balancer itself (as the local cloud's are): not here.
  const loadBalancerIPs = sameFamily((service.status?.loadBalancer?.ingress ?? []).filter((i) => i.ipMode !== 'Proxy').map((i) => i.ip));
  const stickyMaxAgeSeconds = spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? defaultClientIPServiceAffinitySeconds) : 0;
  const internalPolicyLocal = spec.internalTrafficPolicy === 'Local';
  const externalPolicyLocal = serviceExternallyAccessible(service) && spec.externalTrafficPolicy === 'Local';
  const out: ServicePortInfo[] = [];
  for (const p of spec.ports ?? []) {
    const protocol = p.protocol ?? 'TCP';
    if (protocol !== 'TCP' && protocol !== 'UDP') continue;
    out.push({
      name: { namespace: service.metadata.namespace ?? '', name: service.metadata.name ?? '', port: p.name ?? '', protocol },
      clusterIP,
      port: p.port,
      protocol,
      nodePort: p.nodePort ?? 0,
      externalIPs,
      loadBalancerIPs,
      stickyMaxAgeSeconds,
      internalPolicyLocal,
      externalPolicyLocal,
    });
  }
  return out;
}

/** Reachable by something other than its ClusterIP: a node port, external or load-balancer IPs. */
export function externallyAccessible(info: ServicePortInfo): boolean {
  return info.nodePort !== 0 || info.externalIPs.length > 0 || info.loadBalancerIPs.length > 0;
}

/** The port ever sends traffic to endpoints chosen by the Cluster policy. */
export function usesClusterEndpoints(info: ServicePortInfo): boolean {
  return !info.internalPolicyLocal || externallyAccessible(info);
}

/** The port ever sends traffic to endpoints chosen by the Local policy. */
export function usesLocalEndpoints(info: ServicePortInfo): boolean {
  return info.internalPolicyLocal || (info.externalPolicyLocal && externallyAccessible(info));
}
