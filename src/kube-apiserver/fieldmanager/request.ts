// The field-management parameters of a write request: fieldManager (validated as upstream's
// Create/Update/PatchOptions, required for apply, defaulting to the User-Agent's program
// name otherwise) and force (apply only).

import type { KubeObject } from '../../api/kind.ts';
import type { RequestContext } from '../handlers/context.ts';
import { requestManager, validateWriteOptions } from './field-manager.ts';
import type { ManagedFieldsEntry } from './managed-fields.ts';

export function writeManager(ctx: RequestContext, kind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions', apply = false): string {
  const q = ctx.url.searchParams;
  const fieldManager = q.get('fieldManager');
  validateWriteOptions(kind, fieldManager, { apply, force: q.get('force') });
  return requestManager(fieldManager, ctx.req.headers['user-agent']);
}

/** force=true takes over conflicting fields on apply. */
export function forceParam(ctx: RequestContext): boolean {
  return ctx.url.searchParams.get('force') === 'true';
}

/** A store write option: puts the computed entries on the object about to be stored. */
export function storeManagedFields(entries: () => ManagedFieldsEntry[] | undefined): (object: KubeObject) => void {
  return (object) => {
    const value = entries();
    const meta = (object.metadata ??= {});
    if (value === undefined) delete meta.managedFields;
    else meta.managedFields = value;
  };
}
