// Test doubles for controller unit tests: the client layer's fakes (a fake API client that
// records every call, informers whose caches tests fill directly, an event recorder that keeps
// what it was told), source informers that really run (list, then a watch fed by hand instead
// of a server), and a logger that prints nothing.

import type { KubeObject } from '../api/kind.ts';
import { SharedIndexInformer } from '../client/informer.ts';
import type { WatchEvent } from '../client/rest-client.ts';
import { createLogger } from '../component-base/logging.ts';

export { cacheOf, FakeClient, FakeRecorder } from '../client/testing.ts';

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

export const quietLogger = createLogger('test', { sink: () => {} });
