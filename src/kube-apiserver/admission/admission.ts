// Admission: checks and defaults that need the rest of the cluster, run on creates before
// the object is stored (upstream's NamespaceLifecycle, ServiceAccount and
// DefaultTolerationSeconds plugins, in that order, and ResourceQuota last) and on updates of
// the main resource (service type changes, then ResourceQuota).

import type { KubeObject } from '../../api/kind.ts';
import { notFound, StatusError } from '../../machinery/status.ts';
import type { RequestContext } from '../handlers/context.ts';
import type { ApiResource } from '../registry/resources.ts';
import { admitResourceQuota } from './resource-quota.ts';
import { admitServiceAccount } from './service-account.ts';

/** Namespaces that always exist and cannot be deleted. */
export const immortalNamespaces = new Set(['default', 'kube-system', 'kube-public']);

export async function admitCreate(ctx: RequestContext, resource: ApiResource, namespace: string, object: KubeObject): Promise<void> {
  if (resource.namespaced) await namespaceLifecycle(ctx, resource, namespace, object);
  if (resource.group === '' && resource.resource === 'pods') {
    await admitServiceAccount(ctx, namespace, object);
    defaultTolerationSeconds(object);
    await priority(ctx, object);
  }
  if (resource.group === '' && resource.resource === 'services') {
    const services = ctx.server.storeFor(resource);
    await services.cache.start();
    ctx.server.serviceAllocator.allocate(object, services.cache.list());
  }
  await admitResourceQuota(ctx, resource, namespace, object);
}

async function namespaceLifecycle(ctx: RequestContext, resource: ApiResource, namespace: string, object: KubeObject): Promise<void> {
  const namespaces = ctx.server.registry.get('', 'v1', 'namespaces');
  if (!namespaces) return;
  // As upstream: the lister (our watch cache) first, the store for one it has not seen yet.
  const store = ctx.server.storeFor(namespaces);
  await store.cache.start();
  const ns = store.cache.get(store.key('', namespace)) ?? (await store.find('', namespace));
  if (!ns) throw notFound({ group: '', resource: 'namespaces' }, namespace);
  const terminating = ns.metadata?.deletionTimestamp !== undefined || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating';
  if (terminating) {
    const name = object.metadata?.name ?? object.metadata?.generateName ?? '';
    const what = resource.group ? `${resource.resource}.${resource.group}` : resource.resource;
    throw new StatusError(403, 'Forbidden', `${what} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, {
      name,
      group: resource.group || undefined,
      kind: resource.resource,
      causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
    });
  }
}

interface Toleration {
  key?: string;
  operator?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** Pods tolerate an unreachable or not-ready node for 300 s unless they say otherwise. */
function defaultTolerationSeconds(pod: KubeObject): void {
  const spec = (pod.spec ??= {}) as { tolerations?: Toleration[] };
  const tolerations = (spec.tolerations ??= []);
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    const covered = tolerations.some((t) => (t.key === key || (t.key === undefined && t.operator === 'Exists')) && (t.effect === undefined || t.effect === 'NoExecute'));
    if (!covered) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  }
}

/** Runs on updates of the main resource, inside the update's retry loop. */
export async function admitUpdate(ctx: RequestContext, resource: ApiResource, object: KubeObject, old: KubeObject): Promise<void> {
  if (resource.group === '' && resource.resource === 'services') {
    const spec = (object.spec ??= {}) as ServiceSpec;
    const was = (old.spec ?? {}) as ServiceSpec;
    dropTypeDependentFields(spec, was);
    // An update that leaves the cluster IP out keeps the allocated one, as upstream.
    if (!spec.clusterIP && was.clusterIP && spec.type !== 'ExternalName') {
      spec.clusterIP = was.clusterIP;
      spec.clusterIPs = was.clusterIPs;
    }
    ctx.server.serviceAllocator.allocateNodePorts(object, ctx.server.storeFor(resource).cache.list());
  }
  if (resource.namespaced) await admitResourceQuota(ctx, resource, old.metadata?.namespace ?? '', object, old);
}

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: { port?: number; nodePort?: number }[];
  externalTrafficPolicy?: string;
  healthCheckNodePort?: number;
  allocateLoadBalancerNodePorts?: boolean;
  loadBalancerClass?: string;
}

/**
 * A service that stops being externally reachable loses the fields that only made sense
 * before (node ports, traffic policy), unless the update set them anew: upstream's
 * dropTypeDependentFields, which lets `kubectl patch -p '{"spec":{"type":"ClusterIP"}}'` work.
 */
function dropTypeDependentFields(spec: ServiceSpec, was: ServiceSpec): void {
  const external = (t: string | undefined) => t === 'NodePort' || t === 'LoadBalancer';
  if (external(was.type) && !external(spec.type)) {
    for (const port of spec.ports ?? []) {
      const before = was.ports?.find((p) => p.port === port.port);
      if (before && port.nodePort === before.nodePort) delete port.nodePort;
    }
    if (spec.externalTrafficPolicy === was.externalTrafficPolicy) delete spec.externalTrafficPolicy;
    if (spec.healthCheckNodePort === was.healthCheckNodePort) delete spec.healthCheckNodePort;
  }
  if (was.type === 'LoadBalancer' && spec.type !== 'LoadBalancer') {
    if (spec.allocateLoadBalancerNodePorts === was.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
    if (spec.loadBalancerClass === was.loadBalancerClass) delete spec.loadBalancerClass;
  }
}

interface PriorityClass {
  metadata?: { name?: string };
  value?: number;
  globalDefault?: boolean;
  preemptionPolicy?: string;
}

/**
 * Priority: spec.priority (and preemptionPolicy) from the pod's PriorityClass, or from the
 * global default class, else 0 (upstream's Priority admission plugin).
 */
async function priority(ctx: RequestContext, pod: KubeObject): Promise<void> {
  const spec = (pod.spec ??= {}) as { priorityClassName?: string; priority?: number; preemptionPolicy?: string };
  const classes = ctx.server.registry.get('scheduling.k8s.io', 'v1', 'priorityclasses');
  if (!classes) return;
  const store = ctx.server.storeFor(classes);
  let chosen: PriorityClass | undefined;
  if (spec.priorityClassName) {
    try {
      chosen = (await store.get('', spec.priorityClassName)) as PriorityClass;
    } catch (err) {
      if (!(err instanceof StatusError && err.reason === 'NotFound')) throw err;
      const name = pod.metadata?.name ?? pod.metadata?.generateName ?? '';
      throw new StatusError(403, 'Forbidden', `pods "${name}" is forbidden: no PriorityClass with name ${spec.priorityClassName} was found`, { name, kind: 'pods' });
    }
  } else {
    await store.cache.start();
    chosen = (store.cache.list() as PriorityClass[]).filter((c) => c.globalDefault).sort((a, b) => (a.value ?? 0) - (b.value ?? 0))[0];
    if (chosen) spec.priorityClassName = chosen.metadata?.name;
  }
  const value = chosen?.value ?? 0;
  if (spec.priority !== undefined && spec.priority !== value && chosen) {
    const name = pod.metadata?.name ?? '';
    throw new StatusError(403, 'Forbidden', `pods "${name}" is forbidden: the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`, { name, kind: 'pods' });
  }
  spec.priority = spec.priority ?? value;
  if (chosen?.preemptionPolicy) spec.preemptionPolicy = chosen.preemptionPolicy;
  else spec.preemptionPolicy ??= 'PreemptLowerPriority';
}
