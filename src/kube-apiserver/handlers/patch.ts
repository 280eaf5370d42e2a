// Applies a PATCH body to the current object by its content type. Patch errors are the
// client's: 422 for JSON patches that do not apply (as upstream), 400 for malformed ones.

import type { Schema } from '../../api/schema.ts';
import { StatusError } from '../../machinery/status.ts';
import { applyJSONPatch } from '../patch/json-patch.ts';
import { mergePatch } from '../patch/merge-patch.ts';
import { PatchError } from '../patch/patch-error.ts';
import { strategicMergePatch } from '../patch/strategic-merge-patch.ts';
import type { ApiResource } from '../registry/resources.ts';

export const patchTypes = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

/** Whether a kind's schema carries strategic-merge metadata (built-in kinds do; custom resources do not). */
function supportsStrategic(resource: ApiResource | undefined): boolean {
  return resource !== undefined && resource.def.group !== undefined && !(resource.def.group.includes('.') && !resource.def.group.endsWith('.k8s.io'));
}

export function applyPatch(type: string, current: unknown, patch: unknown, resource: ApiResource | undefined): unknown {
  const schema: Schema | undefined = resource?.def.schema;
  try {
    switch (type) {
      case 'application/json-patch+json':
        return applyJSONPatch(current, patch);
      case 'application/merge-patch+json':
        return mergePatch(current, patch);
      case 'application/strategic-merge-patch+json':
        if (!supportsStrategic(resource)) {
          throw new StatusError(415, 'UnsupportedMediaType', 'strategic merge patch is not supported for custom resources; use a JSON merge patch');
        }
        return strategicMergePatch(current, patch, schema);
      case 'application/apply-patch+yaml':
        // Server-side apply is fieldmanager/'s (applyConfiguration); only a Scale applied to
        // /scale gets here, and merges as a JSON merge patch.
        return mergePatch(current, patch);
      default:
        throw new StatusError(415, 'UnsupportedMediaType', `unsupported patch type ${type}`);
    }
  } catch (err) {
    if (err instanceof PatchError) {
      const code = type === 'application/json-patch+json' ? 422 : 400;
      throw new StatusError(code, code === 422 ? 'Invalid' : 'BadRequest', err.message);
    }
    throw err;
  }
}
