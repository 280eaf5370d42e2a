// Turns etcd's wire KeyValue (int64 as strings, bytes as Buffers) into the contract's
// KeyValue: revisions as numbers, the lease as a bigint, keys and values copied into
// plain Uint8Arrays so they neither pin gRPC's receive buffers nor compare unequal to
// other drivers' values.

import type { KeyValue } from '../store.ts';
import type { PbKeyValue } from './rpc.ts';

export function toKeyValue(kv: PbKeyValue): KeyValue {
  return {
    key: new Uint8Array(kv.key),
    value: new Uint8Array(kv.value),
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
    version: Number(kv.version),
    lease: BigInt(kv.lease),
  };
}
