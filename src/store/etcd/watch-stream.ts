// Multiplexes every watch of one store over a single etcd Watch stream.
//
// Each watch gets a client-chosen watch_id (etcd 3.4 honours non-zero IDs), never reused
// in the store's lifetime, so responses route by ID and a re-created watch keeps its ID.
// A watch remembers the next revision it needs. When the stream breaks (member restarted,
// failover to another member), a new stream is opened with back-off and every open watch
// is created again from that revision, so no event is lost or delivered twice; a watch
// whose revision was compacted meanwhile ends with CompactedError. One etcd response is
// one batch (etcd never splits a revision across responses). Events wait in memory per
// watch until the consumer takes them. The stream is open only while some watch is.

import { CompactedError, UnavailableError } from '../errors.ts';
import type { Watch, WatchEvent, WatchOptions } from '../store.ts';
import { isTransient, toStoreError } from './errors.ts';
import { toKeyValue } from './kv.ts';
import type { PbWatchResponse, Rpc, WatchCall } from './rpc.ts';

const MIN_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 2000;

export interface WatchStreamHooks {
  /** The highest compaction the store knows of, for errors that do not say. */
  compactRevision(): number;
  /** etcd reported a compaction (a watch was canceled because of it). */
  onCompacted(revision: number): void;
}

class EtcdWatch implements Watch {
  readonly id: number;
  readonly key: Uint8Array;
  readonly end: Uint8Array | undefined;
  readonly prevKv: boolean;
  /** The first revision not yet delivered; undefined until etcd says where "now" is. */
  nextRevision: number | undefined;
  readonly #release: (w: EtcdWatch) => void;
  #batches: WatchEvent[][] = [];
  #error: Error | undefined;
  #done = false;
  #wake: (() => void) | undefined;

  constructor(id: number, options: WatchOptions, release: (w: EtcdWatch) => void) {
    this.id = id;
    // An empty range_end would mean "no upper bound" to etcd: absent means the single key.
    this.end = options.end && options.end.length > 0 ? options.end : undefined;
    // etcd refuses an empty key; no key is empty, so "from the empty key" equals "from \0".
    this.key = options.key.length === 0 && this.end ? new Uint8Array([0]) : options.key;
    this.prevKv = options.prevKv ?? false;
    this.nextRevision = options.startRevision ? options.startRevision : undefined;
    this.#release = release;
  }

  push(batch: WatchEvent[]): void {
    this.#batches.push(batch);
    this.#notify();
  }

  /** Ends iteration with `error` once the buffered batches are taken. */
  fail(error: Error): void {
    this.#error ??= error;
    this.#notify();
  }

  /** Ends iteration now, dropping what is buffered. */
  finish(): void {
    this.#done = true;
    this.#batches = [];
    this.#notify();
  }

  close(): void {
    if (this.#done) return;
    this.finish();
    this.#release(this);
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent[]> {
    try {
      for (;;) {
        if (this.#done) return;
        const batch = this.#batches.shift();
        if (batch) {
          yield batch;
          continue;
        }
        if (this.#error) throw this.#error;
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
    } finally {
      this.close();
    }
  }
}

export class WatchStream {
  readonly #rpc: Rpc;
  readonly #hooks: WatchStreamHooks;
  readonly #watches = new Map<number, EtcdWatch>();
  #nextId = 1;
  #call: WatchCall | undefined;
  /** The stream that just broke: its last responses still count until a new one opens. */
  #previous: WatchCall | undefined;
  #retry: NodeJS.Timeout | undefined;
  #backoffMs = MIN_BACKOFF_MS;
  #closed = false;

  constructor(rpc: Rpc, hooks: WatchStreamHooks) {
    this.#rpc = rpc;
    this.#hooks = hooks;
  }

  watch(options: WatchOptions): Watch {
    const w = new EtcdWatch(this.#nextId++, options, (released) => this.#release(released));
    if (this.#closed) {
      w.fail(new UnavailableError('etcd store is closed'));
      return w;
    }
    this.#watches.set(w.id, w);
    if (this.#call) this.#create(this.#call, w);
    else if (!this.#retry) this.#connect();
    return w;
  }

  /** Ends every watch's iteration and the stream; later watches fail with UnavailableError. */
  close(): void {
    this.#closed = true;
    for (const w of this.#watches.values()) w.finish();
    this.#watches.clear();
    this.#stop();
  }

  #connect(): void {
    this.#retry = undefined;
    const call = this.#rpc.watch();
    this.#call = call;
    this.#previous = undefined;
    let failure: Error | undefined;
    call.on('data', (response: PbWatchResponse) => this.#receive(call, response));
    call.on('error', (err: Error) => (failure = err));
    // 'status' comes last, after 'error' when there is one.
    call.on('status', () => this.#broken(call, failure));
    for (const w of this.#watches.values()) this.#create(call, w);
  }

  #create(call: WatchCall, w: EtcdWatch): void {
    call.write({
      create_request: {
        key: w.key,
        range_end: w.end,
        start_revision: w.nextRevision ?? 0,
        prev_kv: w.prevKv,
        watch_id: w.id,
      },
    });
  }

  #receive(call: WatchCall, response: PbWatchResponse): void {
    if (call !== this.#call && call !== this.#previous) return;
    if (call === this.#call) this.#backoffMs = MIN_BACKOFF_MS;
    const w = this.#watches.get(Number(response.watch_id));
    if (!w) return;
    const compactRevision = Number(response.compact_revision);
    if (compactRevision > 0) {
      this.#hooks.onCompacted(compactRevision);
      this.#drop(w, new CompactedError(compactRevision));
      return;
    }
    if (response.canceled) {
      this.#drop(w, new UnavailableError(`etcd canceled the watch: ${response.cancel_reason || 'no reason given'}`));
      return;
    }
    if (response.created && w.nextRevision === undefined && response.header) {
      w.nextRevision = Number(response.header.revision) + 1;
    }
    if (response.events.length === 0) return;
    const batch: WatchEvent[] = [];
    for (const e of response.events) {
      if (!e.kv) continue;
      const kv = toKeyValue(e.kv);
      // A re-created watch starts at nextRevision; anything older was delivered already.
      if (w.nextRevision !== undefined && kv.modRevision < w.nextRevision) continue;
      const event: WatchEvent = { type: e.type === 'DELETE' ? 'delete' : 'put', kv };
      if (w.prevKv && e.prev_kv) event.prevKv = toKeyValue(e.prev_kv);
      batch.push(event);
    }
    if (batch.length === 0) return;
    w.nextRevision = batch[batch.length - 1].kv.modRevision + 1;
    w.push(batch);
  }

  #broken(call: WatchCall, failure: Error | undefined): void {
    if (call !== this.#call) return;
    this.#call = undefined;
    this.#previous = call;
    if (this.#closed || this.#watches.size === 0) return;
    if (failure && !isTransient(failure)) {
      const error = toStoreError(failure, { compactRevision: this.#hooks.compactRevision() });
      for (const w of this.#watches.values()) w.fail(error);
      this.#watches.clear();
      return;
    }
    this.#retry = setTimeout(() => this.#connect(), this.#backoffMs);
    this.#backoffMs = Math.min(this.#backoffMs * 2, MAX_BACKOFF_MS);
  }

  #drop(w: EtcdWatch, error: Error): void {
    this.#watches.delete(w.id);
    w.fail(error);
    if (this.#watches.size === 0) this.#stop();
  }

  #release(w: EtcdWatch): void {
    if (!this.#watches.delete(w.id)) return;
    if (this.#watches.size === 0) this.#stop();
    else this.#call?.write({ cancel_request: { watch_id: w.id } });
  }

  #stop(): void {
    clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#previous = undefined;
    const call = this.#call;
    this.#call = undefined;
    call?.cancel();
  }
}
