// Test doubles for code that talks to the API server through the client: a fake REST client that
// records every call (creates get a generated name, updates a new resourceVersion, as the server
// would), informers whose caches tests fill directly (never started: no list, no watch), and an
// event recorder that keeps what it was told.

import type { KubeObject } from '../api/kind.ts';
import type { EventRecorder, EventType } from './event-recorder.ts';
import { deepFreeze } from './indexer.ts';
import { SharedIndexInformer } from './informer.ts';
import type { ResourceRef, RestClient } from './rest-client.ts';

export interface Call {
  verb: 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete' | 'deleteCollection' | 'request';
  ref: Partial<ResourceRef> & { path?: string };
  body?: unknown;
  options?: unknown;
}

/** The calls a FakeClient answers. */
export type FakeApiClient = Pick<RestClient, 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete' | 'deleteCollection' | 'request'>;

/** Every call is recorded; `fail` may reject one by returning an error. */
export class FakeClient {
  readonly calls: Call[] = [];
  fail: (call: Call) => Error | undefined = () => undefined;
  getResult: (ref: ResourceRef) => KubeObject = () => ({});
  #seq = 0;
  #rv = 100;

  #record(call: Call): void {
    this.calls.push(call);
    const err = this.fail(call);
    if (err) throw err;
  }

  callsOf(verb: Call['verb'], resource?: string): Call[] {
    return this.calls.filter((c) => c.verb === verb && (resource === undefined || c.ref.resource === resource));
  }

  readonly client: FakeApiClient = {
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
      const obj = structuredClone(body) as KubeObject;
      obj.metadata = { ...obj.metadata, resourceVersion: String(this.#rv++) };
      return obj as T;
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

/** An informer that is never started; its cache holds `objects` (add more with informer.indexer.add). */
export function cacheOf<T extends KubeObject>(objects: T[] = []): SharedIndexInformer<T> {
  const informer = new SharedIndexInformer<T>({
    list: () => Promise.reject(new Error('not started')),
    watch: () => Promise.reject(new Error('not started')),
  });
  for (const o of objects) informer.indexer.add(deepFreeze(structuredClone(o)));
  return informer;
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
  reasons(): string[] {
    return this.events.map((e) => e.reason);
  }
}
