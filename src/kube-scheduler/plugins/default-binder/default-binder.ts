// DefaultBinder: binds through the API server's pods/binding subresource.

import type { Handle, Plugin } from '../../framework/interfaces.ts';
import { asError } from '../../framework/status.ts';

export const name = 'DefaultBinder';

export function newDefaultBinder(_args: unknown, handle: Handle): Plugin {
  return {
    name,
    async bind(_state, pod, nodeName, signal) {
      if (!handle.bindPod) return asError(new Error('DefaultBinder: no API client to bind with'));
      try {
        await handle.bindPod(pod, nodeName, signal);
        return undefined;
      } catch (err) {
        return asError(err);
      }
    },
  };
}
