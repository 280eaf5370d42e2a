// ResourceQuota admission (upstream plugin/resourcequota), run on every namespaced create
// (events excepted) after the other admission plugins, and on updates of the main resource of
// the kinds whose evaluator charges updates (services, persistentvolumeclaims), on the object as
// it will be stored (defaulted; an object the kind's validation refuses is left to that refusal
// and charges nothing). For each quota in the namespace whose status.hard tracks something the
// object uses and whose scopes match it:
// - a pod must state what a cpu/memory quota tracks: 403 "failed quota: <q>: must specify
//   requests.cpu for: <containers>";
// - a quota whose usage the controller has not reported yet refuses: "status unknown for
//   quota: <q>, resources: <names>";
// - usage + what the request adds must stay within hard: 403 "exceeded quota: <q>, requested:
//   pods=1, used: pods=2, limited: pods=2" (only the exceeded resources are listed). A create
//   adds the object's usage; an update what the new object uses beyond the old one, resource by
//   resource (a service turning NodePort adds its node ports, a claim growing adds the
//   difference); an update that adds nothing is not charged. Usage an update gives back is
//   returned by the quota controller, not here.
// When every quota admits the request, what it adds is charged to their status.used before the
// object is stored, each write conditional on the quota's resourceVersion: two creates can
// never both take the last unit. Within this server, evaluations in one namespace run one at
// a time (upstream's per-namespace work queue); a conflict with another writer (the quota
// controller) re-reads that quota and checks again, up to three times. Dry runs are checked
// and charge nothing. What an object uses, and which quotas it falls under, are the quota
// controller's own rules (api/core/v1/quota/evaluators.ts).

import { rec } from '../../api/core/v1/json.ts';
import { evaluatorFor, quotaMatches, type Evaluator } from '../../api/core/v1/quota/evaluators.ts';
import { add, formatResourceList, mask, parseResourceList, subtractNonNegative, type ResourceList } from '../../api/core/v1/quota/resource-list.ts';
import type { KubeObject } from '../../api/kind.ts';
import { StatusError } from '../../machinery/status.ts';
import { generateName } from '../../machinery/validation.ts';
import type { RequestContext } from '../handlers/context.ts';
import { fillForCreate, preserveForUpdate } from '../registry/object-meta.ts';
import type { ApiResource } from '../registry/resources.ts';

/** Admits a create, or with `old` (the stored object) an update of the main resource. */
export async function admitResourceQuota(ctx: RequestContext, resource: ApiResource, namespace: string, object: KubeObject, old?: KubeObject): Promise<void> {
  const quotaResource = ctx.server.registry.get('', 'v1', 'resourcequotas');
  if (!resource.namespaced || !quotaResource || resource.resource === 'events') return;
  const evaluator = evaluatorFor(resource.group, resource.resource);
  if (old && !evaluator.chargesUpdates) return;
  const store = ctx.server.storeFor(quotaResource);
  const present = (await store.list(namespace, {})).items;
  if (present.length === 0) return;
  const obj = old ? asUpdated(resource, object, old) : asStored(resource, namespace, object, ctx.server.clock.now());
  if (!obj) return;
  // Requests no quota tracks do not wait for the namespace's turn.
  if (!present.some((q) => quotaMatches(evaluator, q, obj))) return;
  const dryRun = ctx.url.searchParams.getAll('dryRun').length > 0;
  const refuse = (message: string) => forbidden(resource, obj.metadata?.name ?? '', message);
  await serialized(store, namespace, async () => {
    let quotas = (await store.list(namespace, {})).items;
    for (let attempt = 0; ; attempt++) {
      const charges = checkRequest(quotas, evaluator, obj, old, ctx.server.clock.now(), refuse);
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

/** The updated object as the store will keep it (as ResourceStore.update prepares it), or undefined if validation will refuse it. */
function asUpdated(resource: ApiResource, object: KubeObject, old: KubeObject): KubeObject | undefined {
  const obj = structuredClone(object);
  obj.apiVersion = resource.apiVersion;
  obj.kind = resource.kind;
  const def = resource.def;
  if (def.status) {
    if (old.status === undefined) delete obj.status;
    else obj.status = structuredClone(old.status);
  }
  def.strategy?.prepareForUpdate?.(obj, old);
  preserveForUpdate(obj, old, def.generation === true);
  def.strategy?.defaults?.(obj);
  if ((def.strategy?.validate?.(obj) ?? []).length > 0 || (def.strategy?.validateUpdate?.(obj, old) ?? []).length > 0) return undefined;
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

export interface Charge {
  quota: KubeObject;
  used: Record<string, string>;
}

/** upstream CheckRequest: throws the refusal, or returns the new usage of each quota the request changes. */
export function checkRequest(quotas: readonly KubeObject[], evaluator: Evaluator, obj: KubeObject, old: KubeObject | undefined, now: number, refuse: (message: string) => StatusError): Charge[] {
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
  // An update is charged what it adds; one of an object never stored (create on update) all of it.
  const added = old?.metadata?.resourceVersion ? subtractNonNegative(usage, evaluator.usage(old, now)) : usage;
  const delta: ResourceList = new Map([...added].filter(([, q]) => !q.isZero()));
  if (delta.size === 0) return [];
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
    charges.push({ quota, used: formatResourceList(next) });
  }
  return charges;
}

function prettyPrint(list: ResourceList): string {
  return [...list.keys()]
    .sort()
    .map((name) => `${name}=${list.get(name)!.toString()}`)
    .join(',');
}
