// ResourceQuota admission (upstream plugin/resourcequota), run on every namespaced create
// (events excepted) after the other admission plugins, on the object as it will be stored
// (defaulted; an object the kind's validation refuses is left to that refusal and charges
// nothing). For each quota in the namespace whose status.hard tracks something the object
// uses and whose scopes match it:
// - a pod must state what a cpu/memory quota tracks: 403 "failed quota: <q>: must specify
//   requests.cpu for: <containers>";
// - a quota whose usage the controller has not reported yet refuses: "status unknown for
//   quota: <q>, resources: <names>";
// - usage + the object's usage must stay within hard: 403 "exceeded quota: <q>, requested:
//   pods=1, used: pods=2, limited: pods=2" (only the exceeded resources are listed).
// When every quota admits the object, its usage is charged to their status.used before the
// object is stored, each write conditional on the quota's resourceVersion: two creates can
// never both take the last unit. Within this server, evaluations in one namespace run one at
// a time (upstream's per-namespace work queue); a conflict with another writer (the quota
// controller) re-reads that quota and checks again, up to three times. Dry runs are checked
// and charge nothing. Usage is counted by the same rules as the quota controller's evaluators
// (kube-controller-manager/controllers/resourcequota/evaluators.ts), kept here because one
// component does not import another.

import { computePodQOS } from '../../api/core/v1/qos.ts';
import { isRecord, rec, records, str, stringsOf, type JSONObject } from '../../api/core/v1/json.ts';
import type { KubeObject } from '../../api/kind.ts';
import { newQuantity, parseQuantity, Quantity } from '../../machinery/quantity.ts';
import { StatusError } from '../../machinery/status.ts';
import { generateName } from '../../machinery/validation.ts';
import type { RequestContext } from '../handlers/context.ts';
import { fillForCreate } from '../registry/object-meta.ts';
import type { ApiResource } from '../registry/resources.ts';

type ResourceList = Map<string, Quantity>;

export async function admitResourceQuota(ctx: RequestContext, resource: ApiResource, namespace: string, object: KubeObject): Promise<void> {
  const quotaResource = ctx.server.registry.get('', 'v1', 'resourcequotas');
  if (!resource.namespaced || !quotaResource || resource.resource === 'events') return;
  const store = ctx.server.storeFor(quotaResource);
  const present = (await store.list(namespace, {})).items;
  if (present.length === 0) return;
  const obj = asStored(resource, namespace, object, ctx.server.clock.now());
  if (!obj) return;
  const evaluator = evaluatorFor(resource.group, resource.resource);
  // Creates no quota tracks do not wait for the namespace's turn.
  if (!present.some((q) => quotaMatches(evaluator, q, obj))) return;
  const dryRun = ctx.url.searchParams.getAll('dryRun').length > 0;
  const refuse = (message: string) => forbidden(resource, obj.metadata?.name ?? '', message);
  await serialized(store, namespace, async () => {
    let quotas = (await store.list(namespace, {})).items;
    for (let attempt = 0; ; attempt++) {
      const charges = checkRequest(quotas, evaluator, obj, ctx.server.clock.now(), refuse);
      if (dryRun || charges.length === 0) return;
      const conflicted: string[] = [];
      let lastErr: unknown;
      for (const { quota, used } of charges) {
        try {
          // The quota as read, resourceVersion included: the write fails if it changed since.
          await store.update(namespace, quota.metadata!.name!, () => ({ ...quota, status: { ...rec(quota.status), used } }), { subresource: 'status', now: ctx.server.clock.now() });
        } catch (err) {
          if (!(err instanceof StatusError && err.reason === 'Conflict')) throw err;
          conflicted.push(quota.metadata!.name!);
          lastErr = err;
        }
      }
      if (conflicted.length === 0) return;
      if (attempt >= 3) throw lastErr;
      // The others were charged: check again against the fresh state of only these.
      quotas = (await store.list(namespace, {})).items.filter((q) => conflicted.includes(q.metadata?.name ?? ''));
    }
  });
}

/** The object as the store will keep it (as ResourceStore.create prepares it), or undefined if validation will refuse it. */
function asStored(resource: ApiResource, namespace: string, object: KubeObject, now: number): KubeObject | undefined {
  const obj = structuredClone(object);
  const meta = (obj.metadata ??= {});
  meta.namespace = namespace;
  if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
  obj.apiVersion = resource.apiVersion;
  obj.kind = resource.kind;
  // Also drops a deletionTimestamp sent along, which would otherwise make a pod look free.
  fillForCreate(obj, now, resource.def.generation === true);
  const strategy = resource.def.strategy;
  strategy?.prepareForCreate?.(obj);
  strategy?.defaults?.(obj);
  if ((strategy?.validate?.(obj) ?? []).length > 0) return undefined;
  return obj;
}

function forbidden(resource: ApiResource, name: string, message: string): StatusError {
  const what = resource.group ? `${resource.resource}.${resource.group}` : resource.resource;
  return new StatusError(403, 'Forbidden', `${what} "${name}" is forbidden: ${message}`, { name, group: resource.group || undefined, kind: resource.resource });
}

const locks = new WeakMap<object, Map<string, Promise<unknown>>>();

/** Runs fn after every earlier call for the same owner and key has finished. */
async function serialized<T>(owner: object, key: string, fn: () => Promise<T>): Promise<T> {
  let byKey = locks.get(owner);
  if (!byKey) locks.set(owner, (byKey = new Map()));
  const run = (byKey.get(key) ?? Promise.resolve()).then(fn, fn);
  const tail = run.catch(() => undefined);
  byKey.set(key, tail);
  try {
    return await run;
  } finally {
    if (byKey.get(key) === tail) byKey.delete(key);
  }
}

interface Charge {
  quota: KubeObject;
  used: Record<string, string>;
}

/** upstream CheckRequest for a create: throws the refusal, or returns the new usage of each quota it changes. */
function checkRequest(quotas: readonly KubeObject[], evaluator: Evaluator, obj: KubeObject, now: number, refuse: (message: string) => StatusError): Charge[] {
  const interesting: { quota: KubeObject; hard: ResourceList; used: ResourceList }[] = [];
  for (const quota of quotas) {
    if (!quotaMatches(evaluator, quota, obj)) continue;
    const name = quota.metadata?.name ?? '';
    const status = rec(quota.status);
    const hard = parseResourceList(status.hard);
    const used = parseResourceList(status.used);
    const restricted = evaluator.matchingResources([...hard.keys()]);
    const failed = evaluator.constraints(restricted, obj);
    if (failed) throw refuse(`failed quota: ${name}: ${failed}`);
    if (restricted.some((r) => !used.has(r))) throw refuse(`status unknown for quota: ${name}, resources: ${restricted.join(',')}`);
    interesting.push({ quota, hard, used });
  }
  if (interesting.length === 0) return [];
  const usage = evaluator.usage(obj, now);
  const negative = [...usage].filter(([, q]) => q.sign() < 0).map(([n]) => n);
  if (negative.length > 0) throw refuse(`quota usage is negative for resource(s): ${negative.sort().join(',')}`);
  const delta: ResourceList = new Map([...usage].filter(([, q]) => !q.isZero()));
  const charges: Charge[] = [];
  for (const { quota, hard, used } of interesting) {
    const requested = mask(delta, hard.keys());
    if (requested.size === 0) continue;
    const next = add(used, requested);
    const over = [...hard].filter(([n, limit]) => requested.has(n) && next.get(n)!.cmp(limit) > 0).map(([n]) => n);
    if (over.length > 0) {
      throw refuse(
        `exceeded quota: ${quota.metadata?.name ?? ''}, requested: ${prettyPrint(mask(requested, over))}, used: ${prettyPrint(mask(used, over))}, limited: ${prettyPrint(mask(hard, over))}`,
      );
    }
    charges.push({ quota, used: Object.fromEntries([...next.keys()].sort().map((n) => [n, next.get(n)!.toString()])) });
  }
  return charges;
}

// ---- resource lists ----

function parseResourceList(raw: unknown): ResourceList {
  const out: ResourceList = new Map();
  for (const [name, value] of Object.entries(rec(raw))) {
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    try {
      out.set(name, parseQuantity(typeof value === 'string' ? value.trim() : value));
    } catch {
      // an unparsable value tracks nothing
    }
  }
  return out;
}

function add(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map(a);
  for (const [name, q] of b) out.set(name, out.has(name) ? out.get(name)!.add(q) : q);
  return out;
}

function max(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map(a);
  for (const [name, q] of b) if (!out.has(name) || out.get(name)!.cmp(q) < 0) out.set(name, q);
  return out;
}

function mask(list: ResourceList, names: Iterable<string>): ResourceList {
  const keep = new Set(names);
  return new Map([...list].filter(([name]) => keep.has(name)));
}

function prettyPrint(list: ResourceList): string {
  return [...list.keys()]
    .sort()
    .map((name) => `${name}=${list.get(name)!.toString()}`)
    .join(',');
}

// ---- evaluators ----

interface ScopeRequirement {
  scopeName: string;
  operator: string;
  values?: string[];
}

interface Evaluator {
  matchingResources(names: readonly string[]): string[];
  matchesScope(scope: ScopeRequirement, obj: KubeObject): boolean;
  usage(obj: KubeObject, now: number): ResourceList;
  constraints(required: readonly string[], obj: KubeObject): string | undefined;
}

function quotaScopes(quota: KubeObject): ScopeRequirement[] {
  const spec = rec(quota.spec);
  const scopes: ScopeRequirement[] = stringsOf(spec.scopes).map((scopeName) => ({ scopeName, operator: 'Exists' }));
  for (const e of records(rec(spec.scopeSelector).matchExpressions)) scopes.push({ scopeName: str(e.scopeName), operator: str(e.operator), values: stringsOf(e.values) });
  return scopes;
}

/** The quota tracks (in status.hard) a resource of this evaluator and every scope matches. */
function quotaMatches(evaluator: Evaluator, quota: KubeObject, obj: KubeObject): boolean {
  const hard = Object.keys(rec(rec(quota.status).hard));
  return evaluator.matchingResources(hard).length > 0 && quotaScopes(quota).every((s) => evaluator.matchesScope(s, obj));
}

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

function objectCountEvaluator(group: string, resource: string, alias?: string): Evaluator {
  const names = [group ? `count/${resource}.${group}` : `count/${resource}`, ...(alias ? [alias] : [])];
  return {
    matchingResources: (input) => sortedUnique(input.filter((n) => names.includes(n))),
    matchesScope: () => false,
    usage: () => new Map(names.map((n) => [n, one()])),
    constraints: () => undefined,
  };
}

const podResources = new Set([
  'count/pods', 'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'pods',
]);
const requiredByQuota = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);
const isNativeResource = (name: string) => !name.includes('/') || name.includes('kubernetes.io/');
const isExtendedResourceNameForQuota = (name: string) => !isNativeResource(name) && name.startsWith('requests.');
const isExtendedResourceName = (name: string) => !isNativeResource(name) && !name.startsWith('requests.');

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

function crossNamespaceTerms(terms: unknown): boolean {
  return records(terms).some((t) => {
    const term = isRecord(t.podAffinityTerm) ? t.podAffinityTerm : t;
    return stringsOf(term.namespaces).length > 0 || isRecord(term.namespaceSelector);
  });
}

const podEvaluator: Evaluator = {
  matchingResources: (input) =>
    sortedUnique(input.filter((n) => podResources.has(n) || n.startsWith('hugepages-') || n.startsWith('requests.hugepages-') || isExtendedResourceNameForQuota(n))),
  matchesScope: (scope, pod) => {
    const spec = rec(pod.spec);
    const terminating = typeof spec.activeDeadlineSeconds === 'number' && spec.activeDeadlineSeconds >= 0;
    const affinity = rec(spec.affinity);
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
        return [rec(affinity.podAffinity), rec(affinity.podAntiAffinity)].some(
          (a) => crossNamespaceTerms(a.requiredDuringSchedulingIgnoredDuringExecution) || crossNamespaceTerms(a.preferredDuringSchedulingIgnoredDuringExecution),
        );
      default:
        return false;
    }
  },
  usage: (pod, now) => {
    const out: ResourceList = new Map([['count/pods', one()]]);
    if (!podChargeable(pod, now)) return out;
    const spec = rec(pod.spec);
    return add(out, computeUsage(podResourceList(spec, 'requests'), podResourceList(spec, 'limits')));
  },
  constraints: (required, pod) => {
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
    return `must specify ${[...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`).join('; ')}`;
  },
};

const serviceResources = ['count/services', 'services', 'services.nodeports', 'services.loadbalancers'];

const serviceEvaluator: Evaluator = {
  matchingResources: (input) => sortedUnique(input.filter((n) => serviceResources.includes(n))),
  matchesScope: () => false,
  usage: (svc) => {
    const spec = rec(svc.spec);
    const ports = records(spec.ports);
    let nodePorts = 0;
    let loadBalancers = 0;
    if (spec.type === 'NodePort') nodePorts = ports.length;
    if (spec.type === 'LoadBalancer') {
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
};

const storageClassSuffix = '.storageclass.storage.k8s.io/';
const pvcResources = ['persistentvolumeclaims', 'requests.storage'];

function volumeAttributesClasses(pvc: KubeObject): string[] {
  const status = rec(pvc.status);
  return [str(rec(pvc.spec).volumeAttributesClassName), str(status.currentVolumeAttributesClassName), str(rec(status.modifyVolumeStatus).targetVolumeAttributesClassName)].filter(Boolean);
}

const pvcEvaluator: Evaluator = {
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
    const storageClass = pvc.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? str(rec(pvc.spec).storageClassName);
    if (storageClass) out.set(`${storageClass}${storageClassSuffix}persistentvolumeclaims`, one());
    const requested = parseResourceList(rec(rec(pvc.spec).resources).requests).get('storage');
    if (requested) {
      const allocated = parseResourceList(rec(pvc.status).allocatedResources).get('storage');
      const chosen = allocated && allocated.cmp(requested) > 0 ? allocated : requested;
      // Storage is charged in whole bytes.
      const rest = chosen.nanos % 1_000_000_000n;
      const storage = rest === 0n ? chosen : new Quantity(chosen.nanos - rest + 1_000_000_000n, chosen.format);
      out.set('requests.storage', storage);
      if (storageClass) out.set(`${storageClass}${storageClassSuffix}requests.storage`, storage);
    }
    return out;
  },
  constraints: () => undefined,
};

const legacyAliases: Record<string, string> = { configmaps: 'configmaps', resourcequotas: 'resourcequotas', replicationcontrollers: 'replicationcontrollers', secrets: 'secrets' };

function evaluatorFor(group: string, resource: string): Evaluator {
  if (group === '' && resource === 'pods') return podEvaluator;
  if (group === '' && resource === 'services') return serviceEvaluator;
  if (group === '' && resource === 'persistentvolumeclaims') return pvcEvaluator;
  return objectCountEvaluator(group, resource, group === '' ? legacyAliases[resource] : undefined);
}
