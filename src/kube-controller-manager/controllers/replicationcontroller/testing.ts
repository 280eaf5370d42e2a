// Test doubles for the ReplicationController views: a source informer that really runs (the
// projections list only once their source has synced), fed by hand instead of a server.

import type { KubeObject } from '../../../api/kind.ts';
import { SharedIndexInformer } from '../../../client/informer.ts';
import type { WatchEvent } from '../../../client/rest-client.ts';

/** A source informer listing `items`, whose watch delivers what `emit` is given. */
export function fakeSource<T extends KubeObject>(items: T[]) {
  const queue: WatchEvent<T>[] = [];
  let wake: (() => void) | undefined;
  const informer = new SharedIndexInformer<T>({
    list: async () => ({ metadata: { resourceVersion: '1' }, items: structuredClone(items) }),
    watch: async (_o, signal) => {
      const stop = () => wake?.();
      signal.addEventListener('abort', stop, { once: true });
      return {
        [Symbol.asyncIterator]: () => ({
          next: async (): Promise<IteratorResult<WatchEvent<T>>> => {
            for (;;) {
              if (signal.aborted) return { done: true, value: undefined };
              const e = queue.shift();
              if (e) return { done: false, value: e };
              await new Promise<void>((r) => (wake = r));
            }
          },
        }),
        close: stop,
      };
    },
  });
  return {
    informer,
    emit(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: T) {
      queue.push({ type, object: structuredClone(object) });
      wake?.();
    },
  };
}
