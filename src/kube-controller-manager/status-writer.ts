// Writes a controller's computed status through the /status subresource. The write
// carries the cached object's resourceVersion; on a conflict it re-reads the object once
// and writes the same status over the fresh copy (status is the controller's alone, so a
// newer spec or metadata does not change it). An object deleted meanwhile is not an error.

import { isConflict, isNotFound } from '../client/api-errors.ts';
import type { ResourceRef } from '../client/rest-client.ts';
import type { ApiClient } from './context.ts';

interface Named {
  metadata: { name?: string; namespace?: string };
  status?: unknown;
}

export async function writeStatus<T extends Named>(client: ApiClient, resource: ResourceRef, cached: T, status: T['status']): Promise<void> {
  const ref = { ...resource, namespace: cached.metadata.namespace, name: cached.metadata.name };
  let current = structuredClone(cached);
  for (let attempt = 0; ; attempt++) {
    current.status = status;
    try {
      await client.update<T>({ ...ref, subresource: 'status' }, current);
      return;
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err) || attempt >= 1) throw err;
      current = await client.get<T>(ref);
    }
  }
}
