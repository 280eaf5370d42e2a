// An informer whose cache is another informer's cache seen through a projection (each object
// mapped by a pure function), fed from that informer instead of its own watch: no extra
// LIST or WATCH reaches the server. Guarantees: it lists once the source has synced, taking
// the source's cache as it is at that moment, and then receives every change the source
// delivers after it, in the source's order; stopping it stops only the projection.

import type { KubeObject } from '../../../api/kind.ts';
import { DeletedFinalStateUnknown, SharedIndexInformer } from '../../../client/informer.ts';
import type { ListerWatcher } from '../../../client/reflector.ts';
import type { KubeList, WatchEvent, WatchStream } from '../../../client/rest-client.ts';

type Change<T> = { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T };

class ProjectionFeed<S extends KubeObject, T extends KubeObject> implements ListerWatcher<T> {
  readonly #source: SharedIndexInformer<S>;
  readonly #project: (obj: S) => T;
  /** Changes since the last list, for the watch to deliver; undefined until the first list. */
  #pending: Change<T>[] | undefined;
  #wake: (() => void) | undefined;

  constructor(source: SharedIndexInformer<S>, project: (obj: S) => T) {
    this.#source = source;
    this.#project = project;
    source.addEventHandler({
      onAdd: (obj) => this.#push('ADDED', obj),
      onUpdate: (_old, obj) => this.#push('MODIFIED', obj),
      onDelete: (obj) => this.#push('DELETED', obj instanceof DeletedFinalStateUnknown ? obj.obj : obj),
    });
  }

  #push(type: Change<T>['type'], obj: S): void {
    if (!this.#pending) return;
    this.#pending.push({ type, object: this.#project(obj) });
    this.#wake?.();
  }

  async list(_options: unknown, signal: AbortSignal): Promise<KubeList<T>> {
    if (!(await this.#source.waitForSync(signal))) throw new Error(`${this.#source.name} stopped before it synced`);
    // Synchronously with the snapshot: nothing the source delivers can fall between the two.
    this.#pending = [];
    return { metadata: { resourceVersion: '' }, items: this.#source.indexer.list().map(this.#project) };
  }

  async watch(_options: unknown, signal: AbortSignal): Promise<WatchStream<T>> {
    // Changes are kept only while a watch follows a list; anything else lists again first.
    if (!this.#pending) throw new Error(`${this.#source.name}: watch without a list`);
    let closed = false;
    const close = () => {
      closed = true;
      this.#pending = undefined;
      this.#wake?.();
    };
    signal.addEventListener('abort', close, { once: true });
    const next = async (): Promise<IteratorResult<WatchEvent<T>>> => {
      for (;;) {
        if (closed) {
          signal.removeEventListener('abort', close);
          return { done: true, value: undefined };
        }
        const change = this.#pending?.shift();
        if (change) return { done: false, value: change };
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = undefined;
      }
    };
    return { [Symbol.asyncIterator]: () => ({ next }), close };
  }
}

/** A started-on-demand informer over `source`'s objects mapped by `project` (which must not change its argument). */
export function projectedInformer<S extends KubeObject, T extends KubeObject>(source: SharedIndexInformer<S>, project: (obj: S) => T, name: string): SharedIndexInformer<T> {
  return new SharedIndexInformer<T>(new ProjectionFeed(source, project), { name, pageSize: 0 });
}
