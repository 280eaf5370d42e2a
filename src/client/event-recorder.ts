// Records core/v1 Events through the API, as client-go's record.EventRecorder does for
// controllers, the kubelet and others: an event about an object is created in that object's namespace ("default" for
// cluster-scoped objects) with source.component set; a repeat of the same event (same object,
// type, reason and message) within ten minutes increments count and lastTimestamp of the event
// already written instead of creating another (the correlator's de-duplication). Writing is
// asynchronous and never blocks or fails the caller: errors are logged, at most `maxPending`
// writes wait (more are dropped, as upstream's broadcaster drops on a full channel). close()
// waits for writes already accepted.

import type { RestClient } from './rest-client.ts';
import { isNotFound } from './api-errors.ts';
import type { Clock } from '../machinery/clock.ts';
import type { KubeObject } from '../api/kind.ts';
import { rfc3339 } from '../machinery/time.ts';

export type EventType = 'Normal' | 'Warning';

interface EventSource {
  component: string;
  host?: string;
}

export interface EventRecorder {
  event(object: KubeObject, type: EventType, reason: string, message: string): void;
}

export interface EventBroadcasterOptions {
  client: Pick<RestClient, 'create' | 'patch'>;
  clock: Clock;
  log?: (message: string) => void;
  maxPending?: number;
  /** How long a repeat is folded into the earlier event (default 10 min, as upstream's LRU expiry). */
  aggregationWindowMs?: number;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
  lastMs: number;
}

const events = { group: '', version: 'v1', resource: 'events' };

/** One per process: hands out recorders per component and serializes their writes. */
export class EventBroadcaster {
  readonly #options: EventBroadcasterOptions;
  readonly #seen = new Map<string, Seen>();
  #chain: Promise<void> = Promise.resolve();
  #pending = 0;
  #seq = 0;
  #closed = false;

  constructor(options: EventBroadcasterOptions) {
    this.#options = options;
  }

  /** A recorder whose events name `component` (and `host`, a node name, as the kubelet's do) as their source. */
  recorderFor(component: string, host?: string): EventRecorder {
    const source = host ? { component, host } : { component };
    return { event: (object, type, reason, message) => this.#record(source, object, type, reason, message) };
  }

  /** Resolves once every accepted write has finished; later events are dropped. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#chain;
  }

  #record(source: EventSource, object: KubeObject, type: EventType, reason: string, message: string): void {
    if (this.#closed) return;
    if (this.#pending >= (this.#options.maxPending ?? 1000)) {
      this.#options.log?.(`dropping event ${reason} for ${object.metadata?.name}: too many pending`);
      return;
    }
    const meta = object.metadata ?? {};
    const [group, version] = (object.apiVersion ?? 'v1').includes('/') ? (object.apiVersion as string).split('/') : ['', object.apiVersion ?? 'v1'];
    const involvedObject = {
      kind: object.kind,
      namespace: meta.namespace,
      name: meta.name,
      uid: meta.uid,
      apiVersion: group ? `${group}/${version}` : version,
      resourceVersion: meta.resourceVersion,
    };
    const now = this.#options.clock.now();
    this.#pending++;
    this.#chain = this.#chain
      .then(() => this.#write(source, involvedObject, type, reason, message, now))
      .catch((err: unknown) => this.#options.log?.(`unable to write event ${reason} for ${meta.namespace ?? ''}/${meta.name}: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => this.#pending--);
  }

  async #write(source: EventSource, involvedObject: Record<string, unknown>, type: EventType, reason: string, message: string, now: number): Promise<void> {
    const namespace = (involvedObject.namespace as string | undefined) || 'default';
    const key = JSON.stringify([source.component, source.host, involvedObject.kind, namespace, involvedObject.name, involvedObject.uid, type, reason, message]);
    const window = this.#options.aggregationWindowMs ?? 10 * 60_000;
    for (const [k, s] of this.#seen) if (now - s.lastMs > window) this.#seen.delete(k);
    const seen = this.#seen.get(key);
    if (seen) {
      seen.count++;
      seen.lastMs = now;
      try {
        await this.#options.client.patch(
          { ...events, namespace: seen.namespace, name: seen.name },
          { count: seen.count, lastTimestamp: rfc3339(now), message },
          { type: 'strategic' },
        );
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        this.#seen.delete(key);
      }
    }
    // Upstream names events <object>.<unix nanoseconds in hex>; the sequence keeps names unique.
    const nanos = BigInt(now) * 1_000_000n + BigInt(this.#seq++ % 1_000_000);
    const name = `${String(involvedObject.name)}.${nanos.toString(16)}`;
    const body: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject,
      reason,
      message,
      source,
      firstTimestamp: rfc3339(now),
      lastTimestamp: rfc3339(now),
      count: 1,
      type,
      eventTime: null,
      reportingComponent: source.component,
      reportingInstance: source.host ?? '',
    };
    await this.#options.client.create({ ...events, namespace }, body);
    this.#seen.set(key, { name, namespace, count: 1, firstTimestamp: rfc3339(now), lastMs: now });
  }
}
