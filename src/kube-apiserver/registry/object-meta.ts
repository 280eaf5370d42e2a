// The server-owned parts of ObjectMeta: set on create, preserved across updates, as
// upstream's rest.BeforeCreate/BeforeUpdate do. Users cannot forge a uid, a creation time
// or a deletion timestamp, and generation counts spec changes only.

import { randomUUID } from 'node:crypto';
import type { KubeObject, ObjectMeta } from '../../api/kind.ts';
import { rfc3339 } from '../../machinery/time.ts';

export function fillForCreate(object: KubeObject, now: number, generation: boolean): void {
  const meta = (object.metadata ??= {});
  meta.uid = randomUUID();
  meta.creationTimestamp = rfc3339(now);
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  delete meta.resourceVersion;
  if (generation) meta.generation = 1;
  else delete meta.generation;
  if (meta.labels && Object.keys(meta.labels).length === 0) delete meta.labels;
  if (meta.annotations && Object.keys(meta.annotations).length === 0) delete meta.annotations;
}

/** Carries the server-owned fields of `old` into an update. */
export function preserveForUpdate(object: KubeObject, old: KubeObject, generation: boolean): void {
  const meta = (object.metadata ??= {});
  const was = old.metadata ?? {};
  meta.name = was.name;
  if (was.namespace !== undefined) meta.namespace = was.namespace;
  else delete meta.namespace;
  meta.uid = was.uid;
  meta.creationTimestamp = was.creationTimestamp;
  copyOrDelete(meta, was, 'deletionTimestamp');
  copyOrDelete(meta, was, 'deletionGracePeriodSeconds');
  copyOrDelete(meta, was, 'generateName');
  delete meta.selfLink;
  if (generation) {
    meta.generation = (was.generation ?? 1) + (specChanged(object, old) ? 1 : 0);
  } else {
    delete meta.generation;
  }
  if (meta.labels && Object.keys(meta.labels).length === 0) delete meta.labels;
  if (meta.annotations && Object.keys(meta.annotations).length === 0) delete meta.annotations;
  if (meta.finalizers && meta.finalizers.length === 0) delete meta.finalizers;
}

function copyOrDelete(meta: ObjectMeta, was: ObjectMeta, field: keyof ObjectMeta): void {
  if (was[field] !== undefined) meta[field] = was[field];
  else delete meta[field];
}

/** Whether anything besides metadata and status differs. */
export function specChanged(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
    return rest;
  };
  return !deepEqual(strip(a), strip(b));
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ak = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const bk = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ak.length !== bk.length) return false;
  return ak.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
