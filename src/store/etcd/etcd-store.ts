// The Store contract served by a real etcd v3 (3.4 or newer) over gRPC.
//
// One gRPC channel per store carries every call; it lists all endpoints so it fails over
// between members. Reads, transactions, compaction and lease grants are unary calls;
// watches share one Watch stream (watch-stream.ts) and renewals one LeaseKeepAlive stream
// (lease-keepalive.ts). etcd's failures come out as the contract's errors (errors.ts).
// close() ends both streams, every watch's iteration and the channel.

import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import tls from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { UnavailableError } from '../errors.ts';
import type {
  KeyValue,
  LeaseStatus,
  Op,
  OpResult,
  RangeOptions,
  RangeResult,
  Store,
  TxnRequest,
  TxnResult,
  Watch,
  WatchOptions,
} from '../store.ts';
import { grpcTarget, parseEtcdUrl } from './endpoints.ts';
import { type ErrorContext, isFutureRevision, toStoreError } from './errors.ts';
import { toKeyValue } from './kv.ts';
import { LeaseKeepAlive } from './lease-keepalive.ts';
import { type PbResponseOp, type RequestOp, Rpc } from './rpc.ts';
import { WatchStream } from './watch-stream.ts';

export interface EtcdOptions {
  /** PEM file paths for `etcds://`; they win over the URL's `?ca=&cert=&key=`. */
  tls?: { ca?: string; cert?: string; key?: string };
  /**
   * How long opening, and later each call, waits for a connection to some member when
   * there is none (default 5000 ms); then it fails with UnavailableError.
   */
  dialTimeoutMs?: number;
  /**
   * `pick_first` (default) talks to one member at a time, in URL order, and moves on when
   * it fails; `round_robin` spreads calls over every member that is up.
   */
  balancer?: 'pick_first' | 'round_robin';
}

const ZERO_KEY = new Uint8Array([0]);

/**
 * etcd reads a range_end that is present but empty as "no upper bound" (only an absent
 * one means the single key), so an absent or empty `end` is never sent.
 */
function rangeEnd(end: Uint8Array | undefined): Uint8Array | undefined {
  return end && end.length > 0 ? end : undefined;
}

/** etcd refuses an empty key; no key is empty, so a range from "" equals one from "\0". */
function rangeKey(key: Uint8Array, end: Uint8Array | undefined): Uint8Array {
  return key.length === 0 && rangeEnd(end) ? ZERO_KEY : key;
}

export async function openEtcdStore(url: string, options: EtcdOptions = {}): Promise<Store> {
  const parsed = parseEtcdUrl(url);
  const target = await grpcTarget(parsed.endpoints);
  const channelOptions: grpc.ChannelOptions = {
    'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ [options.balancer ?? 'pick_first']: {} }] }),
    // Find a dead connection within ~15 s even when no call is answered; etcd allows
    // pings every 5 s while a call is open (and none without one).
    'grpc.keepalive_time_ms': 10_000,
    'grpc.keepalive_timeout_ms': 5_000,
    'grpc.keepalive_permit_without_calls': 0,
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 2_000,
    // Ranges over many objects exceed gRPC's 4 MiB default.
    'grpc.max_receive_message_length': -1,
    'grpc.max_send_message_length': -1,
    // Connections belong to this store alone, so close() really closes them.
    'grpc.use_local_subchannel_pool': 1,
  };
  let credentials: grpc.ChannelCredentials;
  if (parsed.tls) {
    const files = { ca: options.tls?.ca ?? parsed.ca, cert: options.tls?.cert ?? parsed.cert, key: options.tls?.key ?? parsed.key };
    if ((files.cert === undefined) !== (files.key === undefined)) {
      throw new Error('etcd TLS: a client certificate needs its key and a key its certificate');
    }
    const read = (path: string | undefined) => (path === undefined ? Promise.resolve(null) : readFile(path));
    const [ca, cert, key] = await Promise.all([read(files.ca), read(files.cert), read(files.key)]);
    const hosts = parsed.endpoints.map((e) => e.host);
    credentials = grpc.credentials.createSsl(ca, key, cert, {
      // gRPC checks every member against the first endpoint's name; each member's
      // certificate names its own, so accept a certificate that names any endpoint.
      checkServerIdentity: (host, peer) =>
        hosts.some((h) => tls.checkServerIdentity(h, peer) === undefined) ? undefined : tls.checkServerIdentity(host, peer),
    });
    const first = hosts[0];
    // Host names resolved here into an IP target still go out as the TLS server name.
    if (parsed.endpoints.length > 1 && isIP(first) === 0) channelOptions['grpc.ssl_target_name_override'] = first;
  } else {
    credentials = grpc.credentials.createInsecure();
  }
  const rpc = new Rpc(target, credentials, channelOptions, options.dialTimeoutMs ?? 5_000);
  try {
    await rpc.ready();
  } catch (err) {
    rpc.close();
    const where = parsed.endpoints.map((e) => `${e.host}:${e.port}`).join(',');
    throw new UnavailableError(`cannot connect to etcd at ${where}`, { cause: err });
  }
  return new EtcdStore(rpc);
}

class EtcdStore implements Store {
  readonly #rpc: Rpc;
  readonly #watches: WatchStream;
  readonly #keepAlive: LeaseKeepAlive;
  /** The highest compaction seen (ours, or reported by a watch); etcd's read errors omit it. */
  #compactRevision = 0;
  #closed = false;

  constructor(rpc: Rpc) {
    this.#rpc = rpc;
    const compactRevision = () => this.#compactRevision;
    this.#watches = new WatchStream(rpc, {
      compactRevision,
      onCompacted: (revision) => this.#sawCompaction(revision),
    });
    this.#keepAlive = new LeaseKeepAlive(rpc, compactRevision);
  }

  async range(key: Uint8Array, options: RangeOptions = {}): Promise<RangeResult> {
    this.#open();
    const revision = options.revision ?? 0;
    try {
      const response = await this.#rpc.call('Range', {
        key: rangeKey(key, options.end),
        range_end: rangeEnd(options.end),
        limit: options.limit ?? 0,
        revision,
        count_only: options.countOnly ?? false,
      });
      return {
        kvs: response.kvs.map(toKeyValue),
        count: Number(response.count),
        more: response.more,
        revision: Number(response.header.revision),
      };
    } catch (err) {
      throw await this.#error(err, { revision });
    }
  }

  async txn(request: TxnRequest): Promise<TxnResult> {
    this.#open();
    const success = request.success;
    const failure = request.failure ?? [];
    try {
      const response = await this.#rpc.call('Txn', {
        compare: request.compare.map((c) => ({
          result: 'EQUAL' as const,
          target: 'MOD' as const,
          key: c.key,
          mod_revision: c.modRevision,
        })),
        success: success.map(requestOp),
        failure: failure.map(requestOp),
      });
      const ops = response.succeeded ? success : failure;
      return {
        succeeded: response.succeeded,
        revision: Number(response.header.revision),
        results: response.responses.map((r, i) => opResult(ops[i], r)),
      };
    } catch (err) {
      let lease: bigint | undefined;
      for (const op of [...success, ...failure]) if (op.type === 'put' && op.lease) lease ??= op.lease;
      throw await this.#error(err, { lease });
    }
  }

  async compact(revision: number): Promise<void> {
    this.#open();
    try {
      await this.#rpc.call('Compact', { revision, physical: false });
      this.#sawCompaction(revision);
    } catch (err) {
      throw await this.#error(err, { revision });
    }
  }

  watch(options: WatchOptions): Watch {
    return this.#watches.watch(options);
  }

  async grantLease(ttl: number): Promise<bigint> {
    this.#open();
    try {
      const response = await this.#rpc.call('LeaseGrant', { TTL: ttl, ID: 0 });
      if (response.error) throw new Error(`etcd: ${response.error}`);
      return BigInt(response.ID);
    } catch (err) {
      throw await this.#error(err, {});
    }
  }

  keepAliveLease(id: bigint): Promise<number> {
    return this.#keepAlive.keepAlive(id);
  }

  async revokeLease(id: bigint): Promise<void> {
    this.#open();
    try {
      await this.#rpc.call('LeaseRevoke', { ID: id.toString() });
    } catch (err) {
      const error = await this.#error(err, { lease: id });
      if (error.name !== 'LeaseNotFoundError') throw error;
    }
  }

  async leaseTimeToLive(id: bigint): Promise<LeaseStatus | undefined> {
    this.#open();
    let response;
    try {
      response = await this.#rpc.call('LeaseTimeToLive', { ID: id.toString(), keys: true });
    } catch (err) {
      const error = await this.#error(err, { lease: id });
      if (error.name === 'LeaseNotFoundError') return undefined;
      throw error;
    }
    const ttl = Number(response.TTL);
    if (ttl < 0) return undefined;
    const grantedTtl = Number(response.grantedTTL);
    return {
      id,
      // etcd truncates the seconds left; the contract rounds them up.
      ttl: Math.min(ttl + 1, grantedTtl),
      grantedTtl,
      keys: response.keys.map((k) => new Uint8Array(k)),
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watches.close();
    this.#keepAlive.close();
    this.#rpc.close();
  }

  #open(): void {
    if (this.#closed) throw new UnavailableError('etcd store is closed');
  }

  #sawCompaction(revision: number): void {
    if (revision > this.#compactRevision) this.#compactRevision = revision;
  }

  async #error(err: unknown, context: Omit<ErrorContext, 'compactRevision'>): Promise<Error> {
    let currentRevision: number | undefined;
    if (isFutureRevision(err)) {
      // etcd's message omits the store's revision; ask for it (best effort).
      currentRevision = await this.#rpc
        .call('Range', { key: ZERO_KEY, count_only: true })
        .then((r) => Number(r.header.revision))
        .catch(() => undefined);
    }
    return toStoreError(err, { ...context, currentRevision, compactRevision: this.#compactRevision });
  }
}

function requestOp(op: Op): RequestOp {
  switch (op.type) {
    case 'put':
      return {
        request_put: { key: op.key, value: op.value, lease: (op.lease ?? 0n).toString(), prev_kv: op.prevKv ?? false },
      };
    case 'delete':
      // The contract's delete result always carries the deleted kvs.
      return { request_delete_range: { key: rangeKey(op.key, op.end), range_end: rangeEnd(op.end), prev_kv: true } };
    case 'range':
      return { request_range: { key: rangeKey(op.key, op.end), range_end: rangeEnd(op.end), limit: op.limit ?? 0 } };
  }
}

function opResult(op: Op, response: PbResponseOp): OpResult {
  switch (op.type) {
    case 'put': {
      const prev = response.response_put?.prev_kv;
      return op.prevKv && prev ? { type: 'put', prevKv: toKeyValue(prev) } : { type: 'put' };
    }
    case 'delete': {
      const r = response.response_delete_range;
      return { type: 'delete', deleted: Number(r?.deleted ?? 0), prevKvs: (r?.prev_kvs ?? []).map(toKeyValue) };
    }
    case 'range': {
      const r = response.response_range;
      const kvs: KeyValue[] = (r?.kvs ?? []).map(toKeyValue);
      return { type: 'range', kvs, count: Number(r?.count ?? 0), more: r?.more ?? false };
    }
  }
}
