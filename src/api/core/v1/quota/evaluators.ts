// What quota counts for each kind of object, as upstream's quota evaluators
// (pkg/quota/v1/evaluator/core and apiserver's generic object count evaluator):
// - pods: pods, count/pods, cpu/memory/ephemeral-storage (= requests.*), limits.*, hugepages
//   and extended requests, from the pod's effective requests and limits (containers, init
//   and sidecar containers, pod-level resources, overhead); terminal pods and pods past their
//   deletion grace period count only in count/pods; scopes Terminating, NotTerminating,
//   BestEffort, NotBestEffort, PriorityClass and CrossNamespacePodAffinity; a quota on
//   cpu or memory requires every container to state it ("must specify ...");
// - services: services, count/services, services.nodeports, services.loadbalancers;
// - persistentvolumeclaims: persistentvolumeclaims, count/..., requests.storage, and both per
//   storage class (<class>.storageclass.storage.k8s.io/...); scope VolumeAttributesClass;
// - everything else: count/<resource>[.<group>] (configmaps, secrets, replicationcontrollers
//   and resourcequotas also under their legacy names); scoped quotas never match these.
// These are the one copy of the rules: the resourcequota controller counts usage with them, and
// the API server's quota admission applies quotaMatches, constraints and usage to a new object,
// and to an updated service or claim (chargesUpdates) charges what the update adds.

import { computePodQOS } from '../qos.ts';
import { isRecord, rec, records, str, stringsOf, type JSONObject } from '../json.ts';
import type { KubeObject } from '../../../kind.ts';
import { newQuantity, Quantity } from '../../../../machinery/quantity.ts';
import { add, parseResourceList, type ResourceList } from './resource-list.ts';

export interface ScopeRequirement {
  scopeName: string;
  operator: string;
  values?: string[];
}

export interface Evaluator {
  readonly group: string;
  readonly resource: string;
  /** The names among `names` this evaluator tracks, sorted. */
  matchingResources(names: readonly string[]): string[];
  matchesScope(scope: ScopeRequirement, obj: KubeObject): boolean;
  usage(obj: KubeObject, now: number): ResourceList;
  /** Why the object may not be admitted under a quota tracking `required`, or undefined. */
  constraints(required: readonly string[], obj: KubeObject): string | undefined;
  /** Whether a change from `old` to `cur` can change usage (upstream's replenishment update filter). */
  changesUsage(old: KubeObject, cur: KubeObject, now: number): boolean;
  /**
   * Whether admission charges updates of the main resource (upstream's Handles for Update):
   * what the update adds to the object's usage. Creates are always charged.
   */
  readonly chargesUpdates: boolean;
}

/** The scopes a quota filters by: spec.scopes (operator Exists) and spec.scopeSelector. */
export function quotaScopes(quota: KubeObject): ScopeRequirement[] {
  const spec = rec(quota.spec);
  const scopes: ScopeRequirement[] = stringsOf(spec.scopes).map((scopeName) => ({ scopeName, operator: 'Exists' }));
  for (const e of records(rec(spec.scopeSelector).matchExpressions)) scopes.push({ scopeName: str(e.scopeName), operator: str(e.operator), values: stringsOf(e.values) });
  return scopes;
}

/** generic.Matches: the quota tracks a resource of this evaluator (in status.hard) and every scope matches. */
export function quotaMatches(evaluator: Evaluator, quota: KubeObject, obj: KubeObject): boolean {
  const hard = Object.keys(rec(rec(quota.status).hard));
  return evaluator.matchingResources(hard).length > 0 && quotaScopes(quota).every((s) => evaluator.matchesScope(s, obj));
}

/** How a label selector requirement on one key matches the value an object has for it (or none). */
function selectorMatches(scope: ScopeRequirement, value: string | undefined): boolean {
  const values = scope.values ?? [];
  switch (scope.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    default:
      return false;
  }
}

const sortedUnique = (names: Iterable<string>) => [...new Set(names)].sort();
const one = () => newQuantity(1);

// ---- object counts ----

function objectCountName(group: string, resource: string): string {
  return group ? `count/${resource}.${group}` : `count/${resource}`;
}

function objectCountEvaluator(group: string, resource: string, alias?: string): Evaluator {
  const names = alias ? [objectCountName(group, resource), alias] : [objectCountName(group, resource)];
  return {
    group,
    resource,
    matchingResources: (input) => sortedUnique(input.filter((n) => names.includes(n))),
    matchesScope: () => false,
    usage: () => new Map(names.map((n) => [n, one()])),
    constraints: () => undefined,
    changesUsage: () => false,
    chargesUpdates: false,
  };
}

// ---- pods ----

const podResources = new Set([
  'count/pods', 'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'pods',
]);
// Backward compatibility: a quota on these requires every container to state them.
const requiredByQuota = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);

const isNativeResource = (name: string) => !name.includes('/') || name.includes('kubernetes.io/');
const isExtendedResourceNameForQuota = (name: string) => !isNativeResource(name) && name.startsWith('requests.');
const isExtendedResourceName = (name: string) => !isNativeResource(name) && !name.startsWith('requests.');

function max(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map(a);
  for (const [name, q] of b) if (!out.has(name) || out.get(name)!.cmp(q) < 0) out.set(name, q);
  return out;
}

/** Requests or limits of a pod as upstream's resourcehelper.PodRequests / PodLimits. */
function podResourceList(spec: JSONObject, field: 'requests' | 'limits'): ResourceList {
  let total: ResourceList = new Map();
  for (const c of records(spec.containers)) total = add(total, parseResourceList(rec(c.resources)[field]));
  let sidecars: ResourceList = new Map();
  let init: ResourceList = new Map();
  for (const c of records(spec.initContainers)) {
    let own = parseResourceList(rec(c.resources)[field]);
    if (c.restartPolicy === 'Always') {
      total = add(total, own);
      sidecars = add(sidecars, own);
      own = sidecars;
    } else {
      own = add(own, sidecars);
    }
    init = max(init, own);
  }
  total = max(total, init);
  const podLevel = parseResourceList(rec(spec.resources)[field]);
  for (const name of ['cpu', 'memory']) if (podLevel.has(name)) total.set(name, podLevel.get(name)!);
  const overhead = parseResourceList(spec.overhead);
  if (field === 'requests') return add(total, overhead);
  for (const [name, q] of overhead) if (total.has(name)) total.set(name, total.get(name)!.add(q));
  return total;
}

/** podComputeUsageHelper: what one set of requests and limits charges. */
function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = new Map([['pods', one()]]);
  for (const name of ['cpu', 'memory', 'ephemeral-storage']) {
    const request = requests.get(name);
    if (request) {
      out.set(name, request);
      out.set(`requests.${name}`, request);
    }
    const limit = limits.get(name);
    if (limit) out.set(`limits.${name}`, limit);
  }
  for (const [name, request] of requests) {
    if (name.startsWith('hugepages-')) {
      out.set(name, request);
      out.set(`requests.${name}`, request);
    }
    if (isExtendedResourceName(name)) out.set(`requests.${name}`, request);
  }
  return out;
}

/** QuotaV1Pod: terminal pods, and pods stuck terminating past their grace period, are not charged. */
function podChargeable(pod: KubeObject, now: number): boolean {
  const phase = rec(pod.status).phase;
  if (phase === 'Failed' || phase === 'Succeeded') return false;
  const meta = pod.metadata ?? {};
  const grace = meta.deletionGracePeriodSeconds;
  if (meta.deletionTimestamp && typeof grace === 'number') {
    const deleted = Date.parse(String(meta.deletionTimestamp));
    if (!Number.isNaN(deleted) && now > deleted + grace * 1000) return false;
  }
  return true;
}

function podUsage(pod: KubeObject, now: number): ResourceList {
  const out: ResourceList = new Map([['count/pods', one()]]);
  if (!podChargeable(pod, now)) return out;
  const spec = rec(pod.spec);
  return add(out, computeUsage(podResourceList(spec, 'requests'), podResourceList(spec, 'limits')));
}

function crossNamespaceTerms(terms: unknown): boolean {
  return records(terms).some((t) => {
    const term = isRecord(t.podAffinityTerm) ? t.podAffinityTerm : t;
    return stringsOf(term.namespaces).length > 0 || isRecord(term.namespaceSelector);
  });
}

function usesCrossNamespacePodAffinity(spec: JSONObject): boolean {
  const affinity = rec(spec.affinity);
  return [rec(affinity.podAffinity), rec(affinity.podAntiAffinity)].some(
    (a) => crossNamespaceTerms(a.requiredDuringSchedulingIgnoredDuringExecution) || crossNamespaceTerms(a.preferredDuringSchedulingIgnoredDuringExecution),
  );
}

function podMatchesScope(scope: ScopeRequirement, pod: KubeObject): boolean {
  const spec = rec(pod.spec);
  const terminating = typeof spec.activeDeadlineSeconds === 'number' && spec.activeDeadlineSeconds >= 0;
  switch (scope.scopeName) {
    case 'Terminating':
      return terminating;
    case 'NotTerminating':
      return !terminating;
    case 'BestEffort':
      return computePodQOS(spec) === 'BestEffort';
    case 'NotBestEffort':
      return computePodQOS(spec) !== 'BestEffort';
    case 'PriorityClass':
      return selectorMatches(scope, str(spec.priorityClassName) || undefined);
    case 'CrossNamespacePodAffinity':
      return usesCrossNamespacePodAffinity(spec);
    default:
      return false;
  }
}

function podConstraints(required: readonly string[], pod: KubeObject): string | undefined {
  const needed = required.filter((r) => requiredByQuota.has(r));
  if (needed.length === 0) return undefined;
  const missing = new Map<string, Set<string>>();
  const spec = rec(pod.spec);
  for (const c of [...records(spec.containers), ...records(spec.initContainers)]) {
    const resources = rec(c.resources);
    const has = computeUsage(parseResourceList(resources.requests), parseResourceList(resources.limits));
    for (const r of needed) if (!has.has(r)) (missing.get(r) ?? missing.set(r, new Set()).get(r)!).add(str(c.name));
  }
  if (missing.size === 0) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}

const podEvaluator: Evaluator = {
  group: '',
  resource: 'pods',
  matchingResources: (input) =>
    sortedUnique(input.filter((n) => podResources.has(n) || n.startsWith('hugepages-') || n.startsWith('requests.hugepages-') || isExtendedResourceNameForQuota(n))),
  matchesScope: podMatchesScope,
  usage: podUsage,
  constraints: podConstraints,
  changesUsage: (old, cur, now) => podChargeable(old, now) && !podChargeable(cur, now),
  // Pod resources change only through the resize subresource, which is not served here.
  chargesUpdates: false,
};

// ---- services ----

const serviceResources = ['count/services', 'services', 'services.nodeports', 'services.loadbalancers'];

function quotaServiceType(svc: KubeObject): string {
  const type = rec(svc.spec).type;
  return type === 'NodePort' || type === 'LoadBalancer' ? type : '';
}

const serviceEvaluator: Evaluator = {
  group: '',
  resource: 'services',
  matchingResources: (input) => sortedUnique(input.filter((n) => serviceResources.includes(n))),
  matchesScope: () => false,
  usage: (svc) => {
    const spec = rec(svc.spec);
    const ports = records(spec.ports);
    let nodePorts = 0;
    let loadBalancers = 0;
    if (spec.type === 'NodePort') nodePorts = ports.length;
    if (spec.type === 'LoadBalancer') {
      // With node ports not allocated, only ports that ask for one explicitly count.
      nodePorts = spec.allocateLoadBalancerNodePorts === false ? ports.filter((p) => Number(p.nodePort ?? 0) !== 0).length : ports.length;
      loadBalancers = 1;
    }
    return new Map([
      ['count/services', one()],
      ['services', one()],
      ['services.nodeports', newQuantity(nodePorts)],
      ['services.loadbalancers', newQuantity(loadBalancers)],
    ]);
  },
  constraints: () => undefined,
  changesUsage: (old, cur) => quotaServiceType(old) !== quotaServiceType(cur),
  // A service may change type (and with it node ports and load balancers).
  chargesUpdates: true,
};

// ---- persistent volume claims ----

const storageClassSuffix = '.storageclass.storage.k8s.io/';
const pvcResources = ['persistentvolumeclaims', 'requests.storage'];

function storageClassOf(pvc: KubeObject): string {
  const annotation = pvc.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'];
  return annotation ?? str(rec(pvc.spec).storageClassName);
}

/** A quantity rounded up to whole units (storage is charged in bytes). */
function roundUp(q: Quantity): Quantity {
  const unit = 1_000_000_000n;
  const rest = q.nanos % unit;
  return rest === 0n ? q : new Quantity(q.nanos - rest + (q.nanos > 0n ? unit : 0n), q.format);
}

function volumeAttributesClasses(pvc: KubeObject): string[] {
  const status = rec(pvc.status);
  return [str(rec(pvc.spec).volumeAttributesClassName), str(status.currentVolumeAttributesClassName), str(rec(status.modifyVolumeStatus).targetVolumeAttributesClassName)].filter(Boolean);
}

const pvcEvaluator: Evaluator = {
  group: '',
  resource: 'persistentvolumeclaims',
  matchingResources: (input) =>
    sortedUnique(input.filter((n) => n === 'count/persistentvolumeclaims' || pvcResources.includes(n) || pvcResources.some((r) => n.endsWith(storageClassSuffix + r)))),
  matchesScope: (scope, pvc) => {
    if (scope.scopeName !== 'VolumeAttributesClass') return false;
    const classes = volumeAttributesClasses(pvc);
    if (scope.operator === 'Exists') return classes.length > 0;
    return classes.length === 0 ? selectorMatches(scope, undefined) : classes.some((c) => selectorMatches(scope, c));
  },
  usage: (pvc) => {
    const out: ResourceList = new Map([
      ['persistentvolumeclaims', one()],
      ['count/persistentvolumeclaims', one()],
    ]);
    const storageClass = storageClassOf(pvc);
    if (storageClass) out.set(`${storageClass}${storageClassSuffix}persistentvolumeclaims`, one());
    const requested = parseResourceList(rec(rec(pvc.spec).resources).requests).get('storage');
    if (requested) {
      const allocated = parseResourceList(rec(pvc.status).allocatedResources).get('storage');
      const storage = roundUp(allocated && allocated.cmp(requested) > 0 ? allocated : requested);
      out.set('requests.storage', storage);
      if (storageClass) out.set(`${storageClass}${storageClassSuffix}requests.storage`, storage);
    }
    return out;
  },
  constraints: () => undefined,
  changesUsage: (old, cur) =>
    String(rec(rec(old.status).allocatedResources).storage ?? '') !== String(rec(rec(cur.status).allocatedResources).storage ?? '') ||
    volumeAttributesClasses(old).join() !== volumeAttributesClasses(cur).join(),
  // A claim may be resized.
  chargesUpdates: true,
};

// ---- registry ----

const legacyAliases: Record<string, string> = {
  configmaps: 'configmaps',
  resourcequotas: 'resourcequotas',
  replicationcontrollers: 'replicationcontrollers',
  secrets: 'secrets',
};

const evaluators = new Map<string, Evaluator>([
  ['/pods', podEvaluator],
  ['/services', serviceEvaluator],
  ['/persistentvolumeclaims', pvcEvaluator],
]);

/** The evaluator of a group and resource (an object count one for kinds with no special rules). */
export function evaluatorFor(group: string, resource: string): Evaluator {
  const key = `${group}/${resource}`;
  let evaluator = evaluators.get(key);
  if (!evaluator) {
    evaluator = objectCountEvaluator(group, resource, group === '' ? legacyAliases[resource] : undefined);
    evaluators.set(key, evaluator);
  }
  return evaluator;
}
