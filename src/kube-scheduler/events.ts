// Records core/v1 Events about pods through the API, as the scheduler's event broadcaster:
// source and reportingComponent name the scheduler, events are written in the background (a
// failed write is logged, never fails scheduling), and a repeat of the same reason and message
// for the same pod bumps count and lastTimestamp of the event already written instead of adding
// one, so a pod retried for minutes shows "(x12 over 3m)" in kubectl describe.

import type { Clock } from '../machinery/clock.ts';
import type { RestClient } from '../client/rest-client.ts';
import type { Pod } from './types.ts';
import { rfc3339 } from '../machinery/time.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  component: string;
  instance: string;
  clock: Clock;
  log: (message: string, fields?: Record<string, unknown>) => void;
  /** How many distinct (pod, reason, message) series are remembered for aggregation. */
  maxSeries?: number;
}

interface Series {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
  /** The previous write of this series; the next one waits for it. */
  last: Promise<void>;
}

const events = { group: '', version: 'v1', resource: 'events' };

export class EventRecorder {
  readonly #client: RestClient;
  readonly #options: EventRecorderOptions;
  readonly #series = new Map<string, Series>();
  readonly #pending = new Set<Promise<void>>();

  constructor(client: RestClient, options: EventRecorderOptions) {
    this.#client = client;
    this.#options = options;
  }

  event(pod: Pod, type: EventType, reason: string, action: string, message: string): void {
    const meta = pod.metadata ?? {};
    const namespace = meta.namespace ?? 'default';
    const now = this.#options.clock.now();
    const key = `${meta.uid ?? ''}\u0000${namespace}/${meta.name}\u0000${type}\u0000${reason}\u0000${message}`;
    let series = this.#series.get(key);
    let write: () => Promise<unknown>;
    if (series) {
      this.#series.delete(key);
      this.#series.set(key, series);
      series.count++;
      const s = series;
      const patch = { count: s.count, lastTimestamp: rfc3339(now) };
      write = () => this.#client.patch({ ...events, namespace, name: s.name }, patch, { type: 'merge' });
    } else {
      const name = `${meta.name}.${(BigInt(now) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000))).toString(16)}`;
      series = { name, namespace, count: 1, firstTimestamp: rfc3339(now), last: Promise.resolve() };
      this.#series.set(key, series);
      if (this.#series.size > (this.#options.maxSeries ?? 4096)) this.#series.delete(this.#series.keys().next().value!);
      const body = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: { kind: 'Pod', namespace, name: meta.name, uid: meta.uid, apiVersion: 'v1', resourceVersion: meta.resourceVersion },
        reason,
        message,
        source: { component: this.#options.component },
        firstTimestamp: series.firstTimestamp,
        lastTimestamp: series.firstTimestamp,
        count: 1,
        type,
        action,
        reportingComponent: this.#options.component,
        reportingInstance: this.#options.instance,
      };
      write = () => this.#client.create({ ...events, namespace }, body);
    }
    const s = series;
    const done = s.last
      .then(write)
      .then(
        () => undefined,
        (err: unknown) => this.#options.log('Failed to write event', { reason, pod: `${namespace}/${meta.name}`, err }),
      );
    s.last = done;
    this.#pending.add(done);
    void done.finally(() => this.#pending.delete(done));
  }

  /** Resolves when every event written so far has been sent (or failed). */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
}
