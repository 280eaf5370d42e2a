// Test doubles for controller unit tests: a fake API client that records every call and
// answers creates with a generated name, informers whose caches tests fill directly (never
// started: no list, no watch), source informers that really run (list, then a watch fed by
// hand instead of a server), and an event recorder that keeps what it was told.

import type { KubeObject } from '../api/kind.ts';
import { deepFreeze } from '../client/indexer.ts';
import { SharedIndexInformer } from '../client/informer.ts';
import type { ResourceRef, WatchEvent } from '../client/rest-client.ts';
import { createLogger } from '../component-base/logging.ts';
import type { ApiClient } from './context.ts';
import type { EventRecorder, EventType } from '../client/event-recorder.ts';

export interface Call {
  verb: 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete' | 'deleteCollection' | 'request';
  ref: Partial<ResourceRef> & { path?: string };
  body?: unknown;
  options?: unknown;
}

/** Every call is recorded; `fail` may reject one by returning an error. */
export class FakeClient {
  readonly calls: Call[] = [];
  fail: (call: Call) => Error | undefined = () => undefined;
  getResult: (ref: ResourceRef) => KubeObject = () => ({});
  #seq = 0;

  #record(call: Call): void {
    this.calls.push(call);
    const err = this.fail(call);
    if (err) throw err;
  }

  callsOf(verb: Call['verb'], resource?: string): Call[] {
    return this.calls.filter((c) => c.verb === verb && (resource === undefined || c.ref.resource === resource));
  }

  readonly client: ApiClient = {
    get: async <T>(ref: ResourceRef) => {
      this.#record({ verb: 'get', ref });
      return this.getResult(ref) as T;
    },
    list: async <T>(ref: ResourceRef) => {
      this.#record({ verb: 'list', ref });
      return { metadata: {}, items: [] as T[] };
    },
    create: async <T>(ref: ResourceRef, body: T) => {
      this.#record({ verb: 'create', ref, body });
      const obj = structuredClone(body) as KubeObject;
      const meta = (obj.metadata ??= {});
      if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${String(this.#seq++).padStart(5, '0')}`;
      return obj as T;
    },
    update: async <T>(ref: ResourceRef, body: T) => {
      this.#record({ verb: 'update', ref, body });
      return structuredClone(body);
    },
    patch: async <T>(ref: ResourceRef, patch: unknown, options: unknown) => {
      this.#record({ verb: 'patch', ref, body: patch, options });
      return {} as T;
    },
    delete: async <T>(ref: ResourceRef, options: unknown) => {
      this.#record({ verb: 'delete', ref, options });
      return {} as T;
    },
    deleteCollection: async <T>(ref: ResourceRef, options: unknown) => {
      this.#record({ verb: 'deleteCollection', ref, options });
      return { metadata: {}, items: [] as T[] };
    },
    request: async <T>(method: string, path: string) => {
      this.#record({ verb: 'request', ref: { path: `${method} ${path}` } });
      return undefined as T;
    },
  };
}

/** An informer that is never started; put objects in its cache with informer.indexer.add. */
export function cacheOf<T extends KubeObject>(objects: T[] = []): SharedIndexInformer<T> {
  const informer = new SharedIndexInformer<T>({
    list: () => Promise.reject(new Error('not started')),
    watch: () => Promise.reject(new Error('not started')),
  });
  for (const o of objects) informer.indexer.add(deepFreeze(structuredClone(o)));
  return informer;
}

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

export interface RecordedEvent {
  object: string;
  type: EventType;
  reason: string;
  message: string;
}

export class FakeRecorder implements EventRecorder {
  readonly events: RecordedEvent[] = [];
  event(object: KubeObject, type: EventType, reason: string, message: string): void {
    this.events.push({ object: `${object.kind}/${object.metadata?.name}`, type, reason, message });
  }
}

export const quietLogger = createLogger('test', { sink: () => {} });
