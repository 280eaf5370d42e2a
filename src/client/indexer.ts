// An indexed cache of objects, as client-go's cache.Indexer: objects by key (namespace/name,
// or name when cluster-scoped) plus named indexes from values to keys, kept in step with
// every add, update, delete and replace. The indexer stores what it is given as is; the
// informer hands it deep-frozen objects, so what a cache returns is read-only and callers
// structuredClone an object before changing it.

import type { KubeObject } from '../api/kind.ts';

export type KeyFunc<T> = (obj: T) => string;
/** The values under which an object is indexed (none, one or many). */
export type IndexFunc<T> = (obj: T) => readonly string[];
export type Indexers<T> = Record<string, IndexFunc<T>>;

/** cache.MetaNamespaceKeyFunc: "namespace/name", or "name" for cluster-scoped objects. */
export function metaNamespaceKey(obj: KubeObject): string {
  const name = obj.metadata?.name;
  if (!name) throw new Error('object has no metadata.name');
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${name}` : name;
}

/** cache.SplitMetaNamespaceKey. */
export function splitMetaNamespaceKey(key: string): { namespace: string; name: string } {
  const parts = key.split('/');
  if (parts.length === 1) return { namespace: '', name: parts[0] };
  if (parts.length === 2) return { namespace: parts[0], name: parts[1] };
  throw new Error(`unexpected key format: "${key}"`);
}

export const namespaceIndex = 'namespace';

/** cache.MetaNamespaceIndexFunc. */
export function metaNamespaceIndexFunc(obj: KubeObject): string[] {
  return [obj.metadata?.namespace ?? ''];
}

/** An index of pods (or anything with spec.nodeName) by node, as the scheduler and kubelet use. */
export function nodeNameIndexFunc(obj: KubeObject): string[] {
  const spec = obj.spec as { nodeName?: unknown } | undefined;
  return typeof spec?.nodeName === 'string' && spec.nodeName !== '' ? [spec.nodeName] : [];
}

/** Recursively freezes an object graph in place and returns it. */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  // Every object an informer receives passes through here: no arrays of values built for it.
  if (Array.isArray(value)) for (const v of value) deepFreeze(v);
  else for (const k in value) deepFreeze((value as Record<string, unknown>)[k]);
  return value;
}

export class Indexer<T = KubeObject> {
  readonly keyFunc: KeyFunc<T>;
  readonly #items = new Map<string, T>();
  readonly #indexers = new Map<string, IndexFunc<T>>();
  /** index name -> indexed value -> keys */
  readonly #indices = new Map<string, Map<string, Set<string>>>();

  constructor(keyFunc: KeyFunc<T>, indexers: Indexers<T> = {}) {
    this.keyFunc = keyFunc;
    this.addIndexers(indexers);
  }

  /** Adds indexes (existing objects are indexed at once); a name already in use must be the same function. */
  addIndexers(indexers: Indexers<T>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      const existing = this.#indexers.get(name);
      if (existing) {
        if (existing !== fn) throw new Error(`indexer conflict: "${name}" is already defined`);
        continue;
      }
      this.#indexers.set(name, fn);
      const index = new Map<string, Set<string>>();
      this.#indices.set(name, index);
      for (const [key, obj] of this.#items) for (const v of fn(obj)) addTo(index, v, key);
    }
  }

  get indexers(): ReadonlyMap<string, IndexFunc<T>> {
    return this.#indexers;
  }

  /** Adds or replaces the object under its key. */
  add(obj: T): void {
    this.#put(this.keyFunc(obj), obj);
  }

  update(obj: T): void {
    this.#put(this.keyFunc(obj), obj);
  }

  delete(obj: T): void {
    this.deleteKey(this.keyFunc(obj));
  }

  deleteKey(key: string): void {
    const old = this.#items.get(key);
    if (old === undefined) return;
    this.#unindex(key, old);
    this.#items.delete(key);
  }

  /** Makes the contents exactly `objs`. */
  replace(objs: Iterable<T>): void {
    this.#items.clear();
    for (const index of this.#indices.values()) index.clear();
    for (const obj of objs) this.#put(this.keyFunc(obj), obj);
  }

  get(obj: T): T | undefined {
    return this.#items.get(this.keyFunc(obj));
  }

  getByKey(key: string): T | undefined {
    return this.#items.get(key);
  }

  list(): T[] {
    return [...this.#items.values()];
  }

  listKeys(): string[] {
    return [...this.#items.keys()];
  }

  get size(): number {
    return this.#items.size;
  }

  /** Objects indexed under `value` by the named index. */
  byIndex(indexName: string, value: string): T[] {
    return this.indexKeys(indexName, value).map((k) => this.#items.get(k)!);
  }

  /** Keys indexed under `value` by the named index. */
  indexKeys(indexName: string, value: string): string[] {
    return [...(this.#index(indexName).get(value) ?? [])];
  }

  /** Objects sharing any index value with `obj` under the named index. */
  index(indexName: string, obj: T): T[] {
    const fn = this.#indexers.get(indexName);
    if (!fn) throw new Error(`index with name ${indexName} does not exist`);
    const keys = new Set<string>();
    const index = this.#index(indexName);
    for (const v of fn(obj)) for (const k of index.get(v) ?? []) keys.add(k);
    return [...keys].map((k) => this.#items.get(k)!);
  }

  /** Every value the named index currently holds. */
  listIndexFuncValues(indexName: string): string[] {
    return [...this.#index(indexName).keys()];
  }

  #index(indexName: string): Map<string, Set<string>> {
    const index = this.#indices.get(indexName);
    if (!index) throw new Error(`index with name ${indexName} does not exist`);
    return index;
  }

  #put(key: string, obj: T): void {
    const old = this.#items.get(key);
    if (old !== undefined) this.#unindex(key, old);
    this.#items.set(key, obj);
    for (const [name, fn] of this.#indexers) {
      const index = this.#indices.get(name)!;
      for (const v of fn(obj)) addTo(index, v, key);
    }
  }

  #unindex(key: string, obj: T): void {
    for (const [name, fn] of this.#indexers) {
      const index = this.#indices.get(name)!;
      for (const v of fn(obj)) {
        const keys = index.get(v);
        if (!keys) continue;
        keys.delete(key);
        if (keys.size === 0) index.delete(v);
      }
    }
  }
}

function addTo(index: Map<string, Set<string>>, value: string, key: string): void {
  let keys = index.get(value);
  if (!keys) index.set(value, (keys = new Set()));
  keys.add(key);
}
