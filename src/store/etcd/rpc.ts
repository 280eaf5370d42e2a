// Typed calls to etcd v3's KV, Watch and Lease services over one gRPC channel.
//
// rpc.proto is loaded once per process. Int64 fields travel as decimal strings (longs:
// String) so that lease IDs keep all 64 bits; callers turn revisions into numbers and
// lease IDs into bigints. Bytes arrive as Buffers that the caller copies out.

import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { UnavailableError } from '../errors.ts';

const definition = protoLoader.loadSync(fileURLToPath(new URL('./rpc.proto', import.meta.url)), {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});

/** An int64 as sent: a decimal string (exact) or a safe integer. */
type Int64 = string | number;

export interface PbHeader {
  revision: string;
}

export interface PbKeyValue {
  key: Buffer;
  create_revision: string;
  mod_revision: string;
  version: string;
  value: Buffer;
  lease: string;
}

export interface PbEvent {
  type: 'PUT' | 'DELETE';
  kv: PbKeyValue | null;
  prev_kv: PbKeyValue | null;
}

export interface RangeRequest {
  key: Uint8Array;
  range_end?: Uint8Array;
  limit?: Int64;
  revision?: Int64;
  count_only?: boolean;
}

export interface PbRangeResponse {
  header: PbHeader;
  kvs: PbKeyValue[];
  more: boolean;
  count: string;
}

export interface PutRequest {
  key: Uint8Array;
  value: Uint8Array;
  lease?: Int64;
  prev_kv?: boolean;
}

export interface PbPutResponse {
  header: PbHeader;
  prev_kv: PbKeyValue | null;
}

export interface DeleteRangeRequest {
  key: Uint8Array;
  range_end?: Uint8Array;
  prev_kv?: boolean;
}

export interface PbDeleteRangeResponse {
  header: PbHeader;
  deleted: string;
  prev_kvs: PbKeyValue[];
}

export type RequestOp =
  | { request_range: RangeRequest }
  | { request_put: PutRequest }
  | { request_delete_range: DeleteRangeRequest };

export interface PbResponseOp {
  response: 'response_range' | 'response_put' | 'response_delete_range' | 'response_txn';
  response_range: PbRangeResponse | null;
  response_put: PbPutResponse | null;
  response_delete_range: PbDeleteRangeResponse | null;
}

export interface Compare {
  result: 'EQUAL' | 'GREATER' | 'LESS' | 'NOT_EQUAL';
  target: 'VERSION' | 'CREATE' | 'MOD' | 'VALUE' | 'LEASE';
  key: Uint8Array;
  mod_revision?: Int64;
}

export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}

export interface PbTxnResponse {
  header: PbHeader;
  succeeded: boolean;
  responses: PbResponseOp[];
}

export interface CompactionRequest {
  revision: Int64;
  physical: boolean;
}

export interface PbCompactionResponse {
  header: PbHeader;
}

export type WatchRequest =
  | {
      create_request: {
        key: Uint8Array;
        range_end?: Uint8Array;
        start_revision?: Int64;
        prev_kv?: boolean;
        watch_id: Int64;
      };
    }
  | { cancel_request: { watch_id: Int64 } };

export interface PbWatchResponse {
  header: PbHeader | null;
  watch_id: string;
  created: boolean;
  canceled: boolean;
  compact_revision: string;
  cancel_reason: string;
  fragment: boolean;
  events: PbEvent[];
}

export interface PbLeaseGrantResponse {
  header: PbHeader;
  ID: string;
  TTL: string;
  error: string;
}

export interface PbLeaseKeepAliveResponse {
  header: PbHeader;
  ID: string;
  TTL: string;
}

export interface PbLeaseTimeToLiveResponse {
  header: PbHeader;
  ID: string;
  TTL: string;
  grantedTTL: string;
  keys: Buffer[];
}

/** Unary methods: service, request, response. */
interface Unary {
  Range: ['KV', RangeRequest, PbRangeResponse];
  Txn: ['KV', TxnRequest, PbTxnResponse];
  Compact: ['KV', CompactionRequest, PbCompactionResponse];
  LeaseGrant: ['Lease', { TTL: Int64; ID: Int64 }, PbLeaseGrantResponse];
  LeaseRevoke: ['Lease', { ID: Int64 }, { header: PbHeader }];
  LeaseTimeToLive: ['Lease', { ID: Int64; keys: boolean }, PbLeaseTimeToLiveResponse];
}

const services: { [M in keyof Unary]: Unary[M][0] } = {
  Range: 'KV',
  Txn: 'KV',
  Compact: 'KV',
  LeaseGrant: 'Lease',
  LeaseRevoke: 'Lease',
  LeaseTimeToLive: 'Lease',
};

/** Calls whose repetition cannot change anything a first attempt might have done. */
const REPEATABLE = new Set<keyof Unary>(['Range', 'LeaseRevoke', 'LeaseTimeToLive']);

function method(service: string, name: string): protoLoader.MethodDefinition<object, object> {
  const found = (definition[`etcdserverpb.${service}`] as protoLoader.ServiceDefinition | undefined)?.[name];
  if (!found) throw new Error(`rpc.proto has no method ${service}.${name}`);
  return found as protoLoader.MethodDefinition<object, object>;
}

export type WatchCall = grpc.ClientDuplexStream<WatchRequest, PbWatchResponse>;
export type KeepAliveCall = grpc.ClientDuplexStream<{ ID: Int64 }, PbLeaseKeepAliveResponse>;

export class Rpc {
  readonly #client: grpc.Client;
  readonly #readyTimeoutMs: number;

  /** Calls wait up to `readyTimeoutMs` for a connection (a member restarting, failover). */
  constructor(target: string, credentials: grpc.ChannelCredentials, options: grpc.ChannelOptions, readyTimeoutMs: number) {
    this.#client = new grpc.Client(target, credentials, options);
    this.#readyTimeoutMs = readyTimeoutMs;
  }

  /**
   * Resolves at once when connected, else once connected within the ready timeout;
   * rejects with UnavailableError when no member could be reached by then.
   */
  ready(): Promise<void> {
    if (this.#client.getChannel().getConnectivityState(true) === grpc.connectivityState.READY) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#client.waitForReady(Date.now() + this.#readyTimeoutMs, (err) =>
        err ? reject(new UnavailableError(`cannot reach etcd: ${err.message}`, { cause: err })) : resolve(),
      );
    });
  }

  /**
   * One unary call. Calls that only read or that are harmless to repeat are retried when
   * the connection fails under them (a member going away), until the ready timeout.
   */
  async call<M extends keyof Unary>(name: M, request: Unary[M][1]): Promise<Unary[M][2]> {
    const deadline = Date.now() + this.#readyTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      await this.ready();
      try {
        return await this.#unary(name, request);
      } catch (err) {
        const unavailable = (err as { code?: unknown }).code === grpc.status.UNAVAILABLE;
        if (!unavailable || !REPEATABLE.has(name) || Date.now() >= deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, Math.min(50 * attempt, 500)));
      }
    }
  }

  #unary<M extends keyof Unary>(name: M, request: Unary[M][1]): Promise<Unary[M][2]> {
    const m = method(services[name], name);
    return new Promise((resolve, reject) => {
      this.#client.makeUnaryRequest(
        m.path,
        m.requestSerialize as (value: Unary[M][1]) => Buffer,
        m.responseDeserialize as (value: Buffer) => Unary[M][2],
        request,
        (err, response) => (err ? reject(err) : resolve(response!)),
      );
    });
  }

  /** Opens a Watch stream; `hasleader` makes etcd end it when its member loses the leader. */
  watch(): WatchCall {
    const m = method('Watch', 'Watch');
    const metadata = new grpc.Metadata();
    metadata.set('hasleader', 'true');
    return this.#client.makeBidiStreamRequest(
      m.path,
      m.requestSerialize as (value: WatchRequest) => Buffer,
      m.responseDeserialize as (value: Buffer) => PbWatchResponse,
      metadata,
    );
  }

  leaseKeepAlive(): KeepAliveCall {
    const m = method('Lease', 'LeaseKeepAlive');
    return this.#client.makeBidiStreamRequest(
      m.path,
      m.requestSerialize as (value: { ID: Int64 }) => Buffer,
      m.responseDeserialize as (value: Buffer) => PbLeaseKeepAliveResponse,
    );
  }

  close(): void {
    this.#client.close();
  }
}
