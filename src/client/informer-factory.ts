// One informer per collection for a whole process, as client-go's SharedInformerFactory:
// asking twice for the same (group, version, resource, namespace, selectors) returns the
// same informer, so every controller that needs pods shares one cache and one watch.
// start() starts what is not yet running (call it again after asking for more);
// shutdown() stops them all and resolves when nothing is left running.

import type { KubeObject } from '../api/kind.ts';
import type { Clock } from '../machinery/clock.ts';
import type { Indexers } from './indexer.ts';
import { SharedIndexInformer } from './informer.ts';
import { listerWatcher, type ListWatchTarget } from './reflector.ts';
import type { RestClient } from './rest-client.ts';

export interface InformerFactoryOptions {
  /** Namespace of every informer whose target names none; "" or omitted: all namespaces. */
  namespace?: string;
  /** Default resync period of handlers (0: off). */
  resyncPeriodMs?: number;
  clock?: Clock;
  minWatchTimeoutSeconds?: number;
  pageSize?: number;
  random?: () => number;
  log?: (message: string) => void;
}

export class SharedInformerFactory {
  readonly #client: RestClient;
  readonly #options: InformerFactoryOptions;
  readonly #informers = new Map<string, SharedIndexInformer<KubeObject>>();
  readonly #started = new Set<SharedIndexInformer<KubeObject>>();
  #signal: AbortSignal | undefined;

  constructor(client: RestClient, options: InformerFactoryOptions = {}) {
    this.#client = client;
    this.#options = options;
  }

  /** The shared informer for a collection; `indexers` are added to it if not there yet. */
  informerFor<T extends KubeObject = KubeObject>(target: ListWatchTarget, options: { indexers?: Indexers<T> } = {}): SharedIndexInformer<T> {
    const normalized: ListWatchTarget = {
      group: target.group,
      version: target.version,
      resource: target.resource,
      namespace: target.namespace ?? this.#options.namespace ?? '',
      labelSelector: target.labelSelector === undefined ? '' : String(target.labelSelector),
      fieldSelector: target.fieldSelector === undefined ? '' : String(target.fieldSelector),
    };
    const key = JSON.stringify([normalized.group, normalized.version, normalized.resource, normalized.namespace, normalized.labelSelector, normalized.fieldSelector]);
    let informer = this.#informers.get(key) as SharedIndexInformer<T> | undefined;
    if (!informer) {
      const name = `${normalized.resource}${normalized.group ? `.${normalized.group}` : ''}${normalized.namespace ? ` in ${normalized.namespace}` : ''}`;
      informer = new SharedIndexInformer<T>(listerWatcher<T>(this.#client, normalized), { ...this.#options, name });
      this.#informers.set(key, informer as unknown as SharedIndexInformer<KubeObject>);
    }
    if (options.indexers) informer.addIndexers(options.indexers);
    return informer;
  }

  /** Starts every informer handed out and not yet started. */
  start(signal?: AbortSignal): void {
    this.#signal = signal ?? this.#signal;
    for (const informer of this.#informers.values()) {
      if (this.#started.has(informer)) continue;
      this.#started.add(informer);
      informer.start(this.#signal);
    }
  }

  /** Resolves true when every started informer has synced, false if `signal` aborts first. */
  async waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    const results = await Promise.all([...this.#started].map((i) => i.waitForSync(signal)));
    return results.every(Boolean);
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.#started].map((i) => i.stop()));
  }
}
