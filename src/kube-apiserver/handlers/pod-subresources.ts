// pods/binding (how the scheduler places a pod) and pods/eviction (a deletion that
// respects PodDisruptionBudgets, as kubectl drain uses it).

import type { KubeObject } from '../../api/kind.ts';
import { fromLabelSelector } from '../../machinery/labels.ts';
import { badRequest, conflict, notFound, StatusError, success, tooManyRequests } from '../../machinery/status.ts';
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

export async function serveEviction(ctx: RequestContext, pods: ResourceStore, pdbs: ResourceStore | undefined, namespace: string): Promise<void> {
  const body = requireObject(decodeBody(await readBody(ctx.req), bodyType(ctx.req))) as {
    metadata?: { name?: string };
    deleteOptions?: { gracePeriodSeconds?: number; preconditions?: { uid?: string; resourceVersion?: string } };
  };
  const name = ctx.info.name;
  if (body.metadata?.name && body.metadata.name !== name) throw badRequest(`name in URL does not match name in Eviction object`);
  const pod = await pods.get(namespace, name);
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (pdbs && phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp) {
    const { items } = await pdbs.list(namespace, {});
    for (const pdb of items) blockIfViolated(pdb, pod);
  }
  await pods.delete(namespace, name, {
    gracePeriodSeconds: body.deleteOptions?.gracePeriodSeconds,
    preconditions: body.deleteOptions?.preconditions,
    now: ctx.server.clock.now(),
  });
  writeJson(ctx.res, 201, { ...success(), code: 201 });
}

function blockIfViolated(pdb: KubeObject, pod: KubeObject): void {
  const spec = pdb.spec as { selector?: Parameters<typeof fromLabelSelector>[0] } | undefined;
  let selects = false;
  try {
    selects = fromLabelSelector(spec?.selector).matches(pod.metadata?.labels);
  } catch {
    selects = false;
  }
  if (!selects) return;
  const status = (pdb.status ?? {}) as { disruptionsAllowed?: number; desiredHealthy?: number; currentHealthy?: number };
  if ((status.disruptionsAllowed ?? 0) > 0) return;
  const err = tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 10);
  err.status.details = {
    ...err.status.details,
    causes: [
      {
        reason: 'DisruptionBudget',
        message: `The disruption budget ${pdb.metadata?.name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`,
      },
    ],
  };
  throw err;
}
