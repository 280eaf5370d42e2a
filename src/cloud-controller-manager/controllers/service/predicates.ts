// Which Services want a cloud load balancer, when a change to one needs the cloud, and which
// nodes a load balancer sends traffic to: upstream's service controller predicates, with its
// stable node set (StableLoadBalancerNodeSet, GA in 1.30): a node is a backend unless it is being
// deleted, is labelled node.kubernetes.io/exclude-from-external-load-balancers (any value that is
// not false), or carries the autoscaler's ToBeDeletedByClusterAutoscaler taint. Readiness is left
// to the load balancer's own health checks, so nodes flapping do not reconfigure it.

import { labelNodeExcludeBalancers, loadBalancerCleanupFinalizer, taintToBeDeletedByClusterAutoscaler } from '../../cloudprovider/well-known.ts';
import type { LoadBalancerStatus, Node, Service, ServicePort } from '../../types.ts';

/** Type LoadBalancer, and no loadBalancerClass (another controller owns classed ones). */
export function wantsLoadBalancer(service: Service): boolean {
  return service.spec?.type === 'LoadBalancer' && (service.spec.loadBalancerClass ?? null) === null;
}

export function hasLoadBalancerFinalizer(service: Service): boolean {
  return (service.metadata.finalizers ?? []).includes(loadBalancerCleanupFinalizer);
}

/** It holds our finalizer and is being deleted or is no longer of type LoadBalancer. */
export function needsCleanup(service: Service): boolean {
  if (!hasLoadBalancerFinalizer(service)) return false;
  return Boolean(service.metadata.deletionTimestamp) || service.spec?.type !== 'LoadBalancer';
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function portsEqual(a: readonly ServicePort[] = [], b: readonly ServicePort[] = []): boolean {
  return a.length === b.length && a.every((x, i) => {
    const y = b[i];
    return x.name === y.name && x.protocol === y.protocol && x.port === y.port && x.nodePort === y.nodePort && same(x.targetPort, y.targetPort) && same(x.appProtocol, y.appProtocol);
  });
}

/** Upstream needsUpdate: a change the cloud load balancer must follow. */
export function needsUpdate(old: Service, cur: Service): boolean {
  const wantsOld = wantsLoadBalancer(old);
  const wantsCur = wantsLoadBalancer(cur);
  if (!wantsOld && !wantsCur) return false;
  if (wantsOld !== wantsCur) return true;
  const o = old.spec ?? {};
  const c = cur.spec ?? {};
  return (
    !same(o.loadBalancerSourceRanges, c.loadBalancerSourceRanges) ||
    !portsEqual(o.ports, c.ports) ||
    o.sessionAffinity !== c.sessionAffinity ||
    !same(o.sessionAffinityConfig, c.sessionAffinityConfig) ||
    o.loadBalancerIP !== c.loadBalancerIP ||
    !same(o.externalIPs ?? [], c.externalIPs ?? []) ||
    !same(old.metadata.annotations ?? {}, cur.metadata.annotations ?? {}) ||
    old.metadata.uid !== cur.metadata.uid ||
    o.externalTrafficPolicy !== c.externalTrafficPolicy ||
    o.healthCheckNodePort !== c.healthCheckNodePort ||
    (o.ipFamilies?.length ?? 0) !== (c.ipFamilies?.length ?? 0)
  );
}

function excluded(node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  if (!(labelNodeExcludeBalancers in labels)) return false;
  // Upstream: a value strconv.ParseBool cannot read excludes the node too.
  const v = labels[labelNodeExcludeBalancers];
  return !['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v);
}

/** A backend of load balancers: not being deleted, not excluded, not about to be removed by the autoscaler. */
export function isLoadBalancerBackend(node: Node): boolean {
  if (node.metadata.deletionTimestamp) return false;
  if (excluded(node)) return false;
  return !(node.spec?.taints ?? []).some((t) => t.key === taintToBeDeletedByClusterAutoscaler);
}

/** A change of a node that can change the node set of load balancers (upstream shouldSyncUpdatedNode). */
export function shouldSyncUpdatedNode(old: Node, cur: Node): boolean {
  return isLoadBalancerBackend(old) !== isLoadBalancerBackend(cur) || old.spec?.providerID !== cur.spec?.providerID;
}

/** Same names with the same provider IDs (upstream nodesSufficientlyEqual). */
export function nodesSufficientlyEqual(a: readonly Node[], b: readonly Node[]): boolean {
  if (a.length !== b.length) return false;
  const ids = new Map(a.map((n) => [n.metadata.name, n.spec?.providerID ?? '']));
  return b.every((n) => ids.has(n.metadata.name) && ids.get(n.metadata.name) === (n.spec?.providerID ?? ''));
}

/** Upstream LoadBalancerStatusEqual: the same ingress points in the same order (ipMode of an IP defaults to VIP). */
export function loadBalancerStatusEqual(a: LoadBalancerStatus | undefined, b: LoadBalancerStatus | undefined): boolean {
  const norm = (s: LoadBalancerStatus | undefined) =>
    (s?.ingress ?? []).map((i) => ({ ip: i.ip ?? '', hostname: i.hostname ?? '', ipMode: i.ipMode ?? (i.ip ? 'VIP' : ''), ports: i.ports ?? [] }));
  return same(norm(a), norm(b));
}
