// Listers: the read side of an informer's cache, as client-go's generated listers offer it
// (list by label selector, get by name, scoped to a namespace). Reads are served from
// memory with no copying: the objects are the cache's own, frozen; structuredClone one
// before changing it.

import type { KubeObject } from '../api/kind.ts';
import { everything, type LabelSelector } from '../machinery/labels.ts';
import { namespaceIndex, type Indexer } from './indexer.ts';

function select<T extends KubeObject>(objs: T[], selector: LabelSelector): T[] {
  return selector.empty ? objs : objs.filter((o) => selector.matches(o.metadata?.labels));
}

export class Lister<T extends KubeObject = KubeObject> {
  readonly #indexer: Indexer<T>;

  constructor(indexer: Indexer<T>) {
    this.#indexer = indexer;
  }

  /** Every cached object (all namespaces) matching the selector. */
  list(selector: LabelSelector = everything): T[] {
    return select(this.#indexer.list(), selector);
  }

  /** A cluster-scoped object by name. */
  get(name: string): T | undefined {
    return this.#indexer.getByKey(name);
  }

  namespace(namespace: string): NamespaceLister<T> {
    return new NamespaceLister(this.#indexer, namespace);
  }
}

export class NamespaceLister<T extends KubeObject = KubeObject> {
  readonly #indexer: Indexer<T>;
  readonly namespace: string;

  constructor(indexer: Indexer<T>, namespace: string) {
    this.#indexer = indexer;
    this.namespace = namespace;
  }

  list(selector: LabelSelector = everything): T[] {
    const objs = this.#indexer.indexers.has(namespaceIndex)
      ? this.#indexer.byIndex(namespaceIndex, this.namespace)
      : this.#indexer.list().filter((o) => (o.metadata?.namespace ?? '') === this.namespace);
    return select(objs, selector);
  }

  get(name: string): T | undefined {
    return this.#indexer.getByKey(this.namespace ? `${this.namespace}/${name}` : name);
  }
}
