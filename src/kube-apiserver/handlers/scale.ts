// The scale subresource: an autoscaling/v1 Scale view of a workload's replica count.

import type { KubeObject } from '../../api/kind.ts';
import { fromLabelSelector } from '../../machinery/labels.ts';
import { badRequest } from '../../machinery/status.ts';
import type { ApiResource } from '../registry/resources.ts';

function readPath(object: unknown, path: string): unknown {
  let cur = object;
  for (const part of path.replace(/^\./, '').split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function writePath(object: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.replace(/^\./, '').split('.');
  let cur = object;
  for (const part of parts.slice(0, -1)) {
    if (typeof cur[part] !== 'object' || cur[part] === null) cur[part] = {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = value;
}

export function getScale(resource: ApiResource, object: KubeObject): Record<string, unknown> {
  const scale = resource.def.scale!;
  const selectorValue = scale.labelSelectorPath ? readPath(object, scale.labelSelectorPath) : undefined;
  let selector: string | undefined;
  if (typeof selectorValue === 'string') selector = selectorValue;
  else if (selectorValue) {
    try {
      selector = fromLabelSelector(selectorValue as Parameters<typeof fromLabelSelector>[0]).toString();
    } catch {
      selector = undefined;
    }
  }
  const meta = object.metadata ?? {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
      creationTimestamp: meta.creationTimestamp,
    },
    spec: { replicas: Number(readPath(object, scale.specReplicasPath) ?? 0) },
    status: { replicas: Number(readPath(object, scale.statusReplicasPath) ?? 0), ...(selector ? { selector } : {}) },
  };
}

/** The parent object with the replicas of a written Scale (its resourceVersion a precondition). */
export function scaleToReplicas(resource: ApiResource, parent: KubeObject, scale: unknown): KubeObject {
  const s = scale as { kind?: string; metadata?: { resourceVersion?: string }; spec?: { replicas?: unknown } };
  if (typeof s !== 'object' || s === null) throw badRequest('the body must be a Scale object');
  const replicas = s.spec?.replicas ?? 0;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw badRequest(`spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`);
  }
  const next = structuredClone(parent);
  writePath(next as Record<string, unknown>, resource.def.scale!.specReplicasPath, replicas);
  const rv = s.metadata?.resourceVersion;
  next.metadata = { ...next.metadata, resourceVersion: rv || undefined };
  if (!rv) delete next.metadata.resourceVersion;
  return next;
}
