// pods/binding (how the scheduler places a pod) and pods/eviction (a deletion that
// respects PodDisruptionBudgets, as kubectl drain uses it). An eviction, as upstream's
// EvictionREST:
// - deletes a pod that is terminal, Pending or already being deleted without asking any budget;
// - refuses (500) a pod that more than one budget selects;
// - deletes an unready pod without spending the budget when its unhealthyPodEvictionPolicy is
//   AlwaysAllow, or (IfHealthyBudget, the default) when the budget is currently met, with the
//   pod's resourceVersion as a precondition so that it cannot have turned ready meanwhile;
// - otherwise spends one of the budget's disruptionsAllowed (429 when there is none, or when the
//   disruption controller has not yet observed the budget's generation) and records the pod in
//   status.disruptedPods, in one compare-and-swap status write, before the pod is deleted;
// - marks the pod DisruptionTarget=True (EvictionByEvictionAPI) before deleting it.

import type { KubeObject } from '../../api/kind.ts';
import { fromLabelSelector } from '../../machinery/labels.ts';
import { badRequest, conflict, notFound, StatusError, success, type StatusCause } from '../../machinery/status.ts';
import { bodyType, decodeBody, readBody, requireObject } from '../http/body.ts';
import { writeJson } from '../http/respond.ts';
import { rfc3339 } from '../../machinery/time.ts';
import type { ResourceStore } from '../registry/resource-store.ts';
import type { RequestContext } from './context.ts';

interface Condition {
  type: string;
  status: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export async function serveBinding(ctx: RequestContext, pods: ResourceStore, namespace: string): Promise<void> {
  const body = requireObject(decodeBody(await readBody(ctx.req), bodyType(ctx.req))) as { metadata?: { name?: string }; target?: { kind?: string; name?: string } };
  const name = ctx.info.name;
  if (body.metadata?.name && body.metadata.name !== name) throw badRequest(`the name of the binding (${body.metadata.name}) does not match the pod (${name})`);
  const node = body.target?.name;
  if (!node) throw new StatusError(422, 'Invalid', `Binding "${name}" is invalid: target.name: Required value`, { causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'target.name' }] });
  const gr = { group: '', resource: 'pods/binding' };
  await pods.update(
    namespace,
    name,
    (pod) => {
      if (!pod) throw notFound({ group: '', resource: 'pods' }, name);
      if (pod.metadata?.deletionTimestamp) throw conflict(gr, name, `pod ${name} is being deleted, cannot be assigned to a host`);
      const spec = (pod.spec ??= {}) as { nodeName?: string };
      if (spec.nodeName) throw conflict(gr, name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
      spec.nodeName = node;
      const status = (pod.status ??= {}) as { conditions?: Condition[] };
      const conditions = (status.conditions ??= []);
      const now = rfc3339(ctx.server.clock.now());
      const scheduled = conditions.find((c) => c.type === 'PodScheduled');
      if (scheduled) Object.assign(scheduled, { status: 'True', lastTransitionTime: now, reason: undefined, message: undefined });
      else conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now });
      return pod;
    },
    { subresource: 'binding', now: ctx.server.clock.now() },
  );
  writeJson(ctx.res, 201, { ...success(), code: 201 });
}

interface DeletePreconditions {
  uid?: string;
  resourceVersion?: string;
}

interface BudgetStatus {
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed?: number;
  currentHealthy?: number;
  desiredHealthy?: number;
  conditions?: Condition[];
}

/** Upstream MaxDisruptedPodSize: evictions the disruption controller has not confirmed yet. */
const maxDisruptedPods = 2000;
const evictionRetries = 20;
const pdbGroupResource = { group: 'policy', resource: 'poddisruptionbudgets' };
const budgetMessage = "Cannot evict pod as it would violate the pod's disruption budget.";

function budgetRefusal(retryAfterSeconds: number, message: string): StatusError {
  const cause: StatusCause = { reason: 'DisruptionBudget', message };
  return new StatusError(429, 'TooManyRequests', budgetMessage, retryAfterSeconds ? { retryAfterSeconds, causes: [cause] } : { causes: [cause] });
}

const stillProcessing = (pdb: string) => budgetRefusal(10, `The disruption budget ${pdb} is still being processed by the server.`);

function budgetForbidden(pdb: string, why: string): StatusError {
  return new StatusError(403, 'Forbidden', `poddisruptionbudget.policy "${pdb}" is forbidden: ${why}`, { name: pdb, group: 'policy', kind: 'poddisruptionbudget' });
}

const isConflictError = (err: unknown) => err instanceof StatusError && err.code === 409;
const podPhase = (pod: KubeObject) => (pod.status as { phase?: string } | undefined)?.phase;
const podReady = (pod: KubeObject) => ((pod.status as { conditions?: Condition[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

export async function serveEviction(ctx: RequestContext, pods: ResourceStore, pdbs: ResourceStore | undefined, namespace: string): Promise<void> {
  const body = requireObject(decodeBody(await readBody(ctx.req), bodyType(ctx.req))) as {
    metadata?: { name?: string };
    deleteOptions?: { gracePeriodSeconds?: number; preconditions?: DeletePreconditions; dryRun?: string[] };
  };
  const name = ctx.info.name;
  if (body.metadata?.name && body.metadata.name !== name) throw badRequest(`name in URL does not match name in Eviction object`);
  const options = body.deleteOptions ?? {};
  const dryRun = ctx.url.searchParams.getAll('dryRun').includes('All') || (options.dryRun ?? []).includes('All');
  const callerResourceVersion = options.preconditions?.resourceVersion;
  const now = () => ctx.server.clock.now();
  const evict = (preconditions: DeletePreconditions | undefined) => deletePod(pods, namespace, name, { gracePeriodSeconds: options.gracePeriodSeconds, preconditions, dryRun, now: now() });
  const done = () => writeJson(ctx.res, 201, { ...success(), code: 201 });

  // A pod that is terminal, Pending or already going has disrupted nothing that a budget guards.
  let pod: KubeObject;
  for (let attempt = 0; ; attempt++) {
    pod = await pods.get(namespace, name);
    const phase = podPhase(pod);
    const deleting = Boolean(pod.metadata?.deletionTimestamp);
    if (phase !== 'Succeeded' && phase !== 'Failed' && phase !== 'Pending' && !deleting) break;
    // A Pending pod must not turn Running (and count for a budget) between the read and the delete.
    const enforce = phase === 'Pending' && !deleting && !callerResourceVersion;
    try {
      await evict(enforce ? { ...options.preconditions, resourceVersion: pod.metadata?.resourceVersion } : options.preconditions);
      return done();
    } catch (err) {
      if (!isConflictError(err) || callerResourceVersion || attempt >= evictionRetries) throw err;
    }
  }

  const selecting = (pdbs ? (await pdbs.list(namespace, {})).items : []).filter((pdb) => {
    try {
      return fromLabelSelector((pdb.spec as { selector?: Parameters<typeof fromLabelSelector>[0] } | undefined)?.selector).matches(pod.metadata?.labels);
    } catch {
      return false;
    }
  });
  if (selecting.length > 1) {
    const err = new StatusError(500, '', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    delete err.status.reason;
    throw err;
  }
  const pdb = selecting[0];
  if (!pdb) {
    await evict(options.preconditions);
    return done();
  }
  const pdbName = pdb.metadata?.name ?? '';
  const status = (pdb.status ?? {}) as BudgetStatus;
  const policy = (pdb.spec as { unhealthyPodEvictionPolicy?: string } | undefined)?.unhealthyPodEvictionPolicy;
  // An unready pod does not count as healthy: deleting it spends nothing, when the policy allows.
  const unhealthyAllowed =
    !podReady(pod) && (policy === 'AlwaysAllow' || ((status.currentHealthy ?? 0) >= (status.desiredHealthy ?? 0) && (status.desiredHealthy ?? 0) > 0));
  if (!unhealthyAllowed) {
    if (dryRun) checkBudget(pdb);
    else await spendBudget(pdbs!, namespace, pdbName, name, now());
  }
  try {
    await evict(unhealthyAllowed ? { ...options.preconditions, resourceVersion: pod.metadata?.resourceVersion } : options.preconditions);
  } catch (err) {
    // The unready pod changed since it was read (it may be ready now): the client should retry.
    if (isConflictError(err) && unhealthyAllowed && !callerResourceVersion) throw stillProcessing(pdbName);
    throw err;
  }
  done();
}

/** checkAndDecrement's refusals: the budget is not observed yet, broken, or spent. */
function checkBudget(pdb: KubeObject): void {
  const name = pdb.metadata?.name ?? '';
  const status = (pdb.status ?? {}) as BudgetStatus;
  if ((status.observedGeneration ?? 0) < (pdb.metadata?.generation ?? 0)) throw stillProcessing(name);
  const allowed = status.disruptionsAllowed ?? 0;
  if (allowed < 0) throw budgetForbidden(name, 'pdb disruptions allowed is negative');
  if (Object.keys(status.disruptedPods ?? {}).length > maxDisruptedPods) {
    throw budgetForbidden(name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  }
  if (allowed === 0) {
    throw budgetRefusal(0, `The disruption budget ${name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`);
  }
}

/**
 * One disruption less, and the pod in disruptedPods, written over the budget as it is now
 * (re-read on every conflict), so that concurrent evictions never spend the same disruption.
 */
async function spendBudget(pdbs: ResourceStore, namespace: string, pdbName: string, podName: string, now: number): Promise<void> {
  await pdbs.update(
    namespace,
    pdbName,
    (current) => {
      if (!current) throw notFound(pdbGroupResource, pdbName);
      checkBudget(current);
      const status = current.status as BudgetStatus;
      status.disruptionsAllowed = (status.disruptionsAllowed ?? 0) - 1;
      if (status.disruptionsAllowed === 0) {
        // pdbhelper.UpdateDisruptionAllowedCondition for a budget that has just run out.
        const conditions = (status.conditions ??= []);
        const c = conditions.find((x) => x.type === 'DisruptionAllowed');
        const next = { type: 'DisruptionAllowed', status: 'False', observedGeneration: status.observedGeneration, reason: 'InsufficientPods', message: '' };
        if (!c) conditions.push({ ...next, lastTransitionTime: rfc3339(now) });
        else Object.assign(c, next, c.status === 'False' ? {} : { lastTransitionTime: rfc3339(now) });
      }
      status.disruptedPods = { ...status.disruptedPods, [podName]: rfc3339(now) };
      // No resourceVersion: a conflicting write makes the store run this again on the newer budget.
      delete current.metadata!.resourceVersion;
      return current;
    },
    { subresource: 'status', now },
  );
}

/** Marks the pod DisruptionTarget=True, then deletes it (upstream addConditionAndDeletePod). */
async function deletePod(
  pods: ResourceStore,
  namespace: string,
  name: string,
  o: { gracePeriodSeconds?: number; preconditions?: DeletePreconditions; dryRun: boolean; now: number },
): Promise<void> {
  let preconditions = o.preconditions;
  if (!o.dryRun) {
    const podsGroupResource = { group: '', resource: 'pods' };
    const { object } = await pods.update(
      namespace,
      name,
      (current) => {
        if (!current) throw notFound(podsGroupResource, name);
        const meta = current.metadata ?? {};
        if (preconditions?.uid && preconditions.uid !== meta.uid) {
          throw conflict(podsGroupResource, name, `the UID in the precondition (${preconditions.uid}) does not match the UID in record (${meta.uid}). The object might have been deleted and then recreated`);
        }
        if (preconditions?.resourceVersion && preconditions.resourceVersion !== meta.resourceVersion) {
          throw conflict(podsGroupResource, name, `the ResourceVersion in the precondition (${preconditions.resourceVersion}) does not match the ResourceVersion in record (${meta.resourceVersion}). The object might have been modified`);
        }
        const status = (current.status ??= {}) as { conditions?: Condition[] };
        const conditions = (status.conditions ??= []);
        const next: Condition = { type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(o.now), reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' };
        const i = conditions.findIndex((c) => c.type === 'DisruptionTarget');
        if (i < 0) conditions.push(next);
        else conditions[i] = { ...next, lastTransitionTime: conditions[i].status === 'True' ? conditions[i].lastTransitionTime : next.lastTransitionTime };
        delete meta.resourceVersion;
        return current;
      },
      { subresource: 'status', now: o.now },
    );
    // The condition is our own change: the caller's resourceVersion now means the version after it.
    if (preconditions?.resourceVersion) preconditions = { ...preconditions, resourceVersion: object.metadata?.resourceVersion };
  }
  await pods.delete(namespace, name, { gracePeriodSeconds: o.gracePeriodSeconds, preconditions, dryRun: o.dryRun, now: o.now });
}
