// What every cluster has from its first start: the default namespaces and the `kubernetes`
// service in `default` pointing at the API server, with its Endpoints and, as upstream's endpoint
// reconciler writes it for kube-proxy, its EndpointSlice. Created if missing, never overwritten.

import { isIP, isIPv6 } from 'node:net';
import { StatusError } from '../machinery/status.ts';
import type { ServerContext } from './handlers/context.ts';
import type { KubeObject } from '../api/kind.ts';
import { updateManagedFields } from './fieldmanager/field-manager.ts';
import { storeManagedFields } from './fieldmanager/request.ts';

export const defaultNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export interface BootstrapOptions {
  /** Where the `kubernetes` Service's endpoints point (upstream's --advertise-address). */
  apiServerAddress: string;
  apiServerPort: number;
  now: number;
  /** The first address of the service range, as upstream. */
  serviceIP: string;
  log?: (message: string) => void;
}

/** The address clients reach a server bound to `bind` at: that address, or loopback for a wildcard. */
export function advertiseAddress(bind: string): string {
  return isIP(bind) && bind !== '0.0.0.0' && bind !== '::' ? bind : '127.0.0.1';
}

/** Creates what is missing. */
export async function bootstrap(ctx: ServerContext, options: BootstrapOptions): Promise<void> {
  const ensure = async (group: string, version: string, resource: string, namespace: string, object: KubeObject, trusted = false) => {
    const r = ctx.registry.get(group, version, resource);
    if (!r) return;
    try {
      // Written by the server itself, as upstream's loopback client: manager kube-apiserver.
      const managedFields = updateManagedFields(r, undefined, object, { manager: 'kube-apiserver', subresource: '', now: options.now });
      await ctx.storeFor(r).create(namespace, object, { now: options.now, trusted, managedFields: storeManagedFields(() => managedFields) });
    } catch (err) {
      if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err;
    }
  };
  // The system priority classes every cluster has (upstream's scheduling bootstrap).
  for (const [name, value, description] of [
    ['system-node-critical', 2000001000, 'Used for system critical pods that must not be moved from their current node.'],
    ['system-cluster-critical', 2000000000, 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.'],
  ] as const) {
    await ensure('scheduling.k8s.io', 'v1', 'priorityclasses', '', { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, description, preemptionPolicy: 'PreemptLowerPriority' }, true);
  }
  for (const name of defaultNamespaces) {
    await ensure('', 'v1', 'namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  await ensure('', 'v1', 'services', 'default', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: options.serviceIP,
      clusterIPs: [options.serviceIP],
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: options.apiServerPort }],
      sessionAffinity: 'None',
    },
  });
  await ensure('', 'v1', 'endpoints', 'default', {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: options.apiServerAddress }], ports: [{ name: 'https', port: options.apiServerPort, protocol: 'TCP' }] }],
  }, true);
  // Unlike the Endpoints (which nothing routes by), the slice is written only where it validates: a
  // loopback address is refused unless the server admits loopback endpoints (host-process pods).
  try {
    await ensure('discovery.k8s.io', 'v1', 'endpointslices', 'default', {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: isIPv6(options.apiServerAddress) ? 'IPv6' : 'IPv4',
      endpoints: [{ addresses: [options.apiServerAddress], conditions: { ready: true } }],
      ports: [{ name: 'https', port: options.apiServerPort, protocol: 'TCP' }],
    });
  } catch (err) {
    if (!(err instanceof StatusError && err.reason === 'Invalid')) throw err;
    options.log?.(`EndpointSlice default/kubernetes not written (kube-proxy will not route the kubernetes Service): ${err.message}`);
  }
}
