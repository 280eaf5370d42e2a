// Which endpoints a service port may use from this node (upstream CategorizeEndpoints in
// pkg/proxy/topology.go, without topology hints). "Usable" means ready; when none is ready,
// serving-and-terminating endpoints are used instead, decided separately for the Cluster and the
// Local policy, so a rollout that leaves only terminating pods still serves. Local endpoints are
// those whose nodeName is this node.

import type { Endpoint } from './endpoints.ts';
import { usesClusterEndpoints, usesLocalEndpoints, type ServicePortInfo } from './service-port.ts';

export interface CategorizedEndpoints {
  /** Usable endpoints for the Cluster policy; undefined if the port never uses it. */
  clusterEndpoints: Endpoint[] | undefined;
  /** Usable endpoints on this node for the Local policy; undefined if the port never uses it. */
  localEndpoints: Endpoint[] | undefined;
  /** Union of the two. */
  allReachableEndpoints: Endpoint[];
  /** Some usable endpoint exists somewhere in the cluster (even if none is reachable from here). */
  hasAnyEndpoints: boolean;
}

const servingTerminating = (e: Endpoint) => e.serving && e.terminating;

export function categorizeEndpoints(endpoints: readonly Endpoint[], info: ServicePortInfo): CategorizedEndpoints {
  const result: CategorizedEndpoints = { clusterEndpoints: undefined, localEndpoints: undefined, allReachableEndpoints: [], hasAnyEndpoints: false };
  if (endpoints.length === 0) return result;

  if (usesClusterEndpoints(info)) {
    let cluster = endpoints.filter((e) => e.ready);
    if (cluster.length === 0) cluster = endpoints.filter(servingTerminating);
    result.clusterEndpoints = cluster;
    result.hasAnyEndpoints = cluster.length > 0;
  }
  if (!usesLocalEndpoints(info)) {
    result.allReachableEndpoints = result.clusterEndpoints ?? [];
    return result;
  }

  let hasLocalReady = false;
  let hasLocalServingTerminating = false;
  for (const e of endpoints) {
    if (e.ready) {
      result.hasAnyEndpoints = true;
      if (e.isLocal) hasLocalReady = true;
    } else if (servingTerminating(e)) {
      result.hasAnyEndpoints = true;
      if (e.isLocal) hasLocalServingTerminating = true;
    }
  }
  let usesServingTerminating = false;
  if (hasLocalReady) result.localEndpoints = endpoints.filter((e) => e.isLocal && e.ready);
  else if (hasLocalServingTerminating) {
    usesServingTerminating = true;
    result.localEndpoints = endpoints.filter((e) => e.isLocal && servingTerminating(e));
  } else result.localEndpoints = [];

  if (!result.clusterEndpoints) {
    result.allReachableEndpoints = result.localEndpoints;
    return result;
  }
  if (!usesServingTerminating) {
    // The local ready endpoints are all among the cluster's ready ones.
    result.allReachableEndpoints = result.clusterEndpoints;
    return result;
  }
  const merged = new Map<Endpoint, true>();
  for (const e of [...result.clusterEndpoints, ...result.localEndpoints]) merged.set(e, true);
  result.allReachableEndpoints = [...merged.keys()];
  return result;
}
