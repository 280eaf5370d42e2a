// The storage contract: what the kube-apiserver needs from etcd v3, and no more.
//
// A Store is an MVCC key-value map. Every write that changes something advances one
// global revision; each key remembers the revision that created it, the revision of its
// last change and how many times it changed since creation (version). Reads may be served
// at a past revision until that revision is compacted. Transactions compare mod revisions
// and so give the API server optimistic concurrency. Watches deliver every change from a
// revision on, in revision order, with no gap and no duplicate. Leases expire and take
// their attached keys with them.
//
// Keys and values are bytes. Revisions are numbers (safe up to 2^53, which no store
// reaches); lease IDs are bigint because etcd's are arbitrary int64 values.

export interface KeyValue {
  key: Uint8Array;
  value: Uint8Array;
  createRevision: number;
  modRevision: number;
  /** Number of changes since creation; 1 right after the key is created. */
  version: number;
  /** Lease the key is attached to; 0n for none. */
  lease: bigint;
}

export interface RangeOptions {
  /**
   * Exclusive end of the key range. Absent: the single key. A single zero byte: every key
   * from `key` on (as etcd's range_end "\0"). Use `prefixEnd(prefix)` for a prefix.
   */
  end?: Uint8Array;
  /** At most this many kvs (0 or absent: no limit). `more` tells whether some were cut. */
  limit?: number;
  /** Read as of this revision (0 or absent: the newest). */
  revision?: number;
  /** Only count the matching keys; `kvs` is empty. */
  countOnly?: boolean;
}

export interface RangeResult {
  kvs: KeyValue[];
  /** Number of keys in the whole range, ignoring `limit`. */
  count: number;
  more: boolean;
  /** The store's revision when the read was served (not the revision read at). */
  revision: number;
}

/** Holds when the key's mod revision equals `modRevision`; 0 means "the key does not exist". */
export interface Compare {
  key: Uint8Array;
  modRevision: number;
}

export type Op =
  | { type: 'put'; key: Uint8Array; value: Uint8Array; lease?: bigint; prevKv?: boolean }
  | { type: 'delete'; key: Uint8Array; end?: Uint8Array }
  | { type: 'range'; key: Uint8Array; end?: Uint8Array; limit?: number };

export type OpResult =
  | { type: 'put'; prevKv?: KeyValue }
  | { type: 'delete'; deleted: number; prevKvs: KeyValue[] }
  | { type: 'range'; kvs: KeyValue[]; count: number; more: boolean };

export interface TxnRequest {
  compare: Compare[];
  success: Op[];
  failure?: Op[];
}

export interface TxnResult {
  succeeded: boolean;
  /** Revision after the transaction; unchanged when it changed nothing. */
  revision: number;
  results: OpResult[];
}

export interface WatchOptions {
  key: Uint8Array;
  end?: Uint8Array;
  /** First revision to deliver; absent: changes after the current revision. */
  startRevision?: number;
  /** Include the previous kv on updates and deletes. */
  prevKv?: boolean;
}

export interface WatchEvent {
  type: 'put' | 'delete';
  /** For deletes: the key, with modRevision set to the revision of the delete. */
  kv: KeyValue;
  prevKv?: KeyValue;
}

/**
 * A watch yields batches of events in revision order; a batch never splits a revision.
 * Iteration ends after close(); it throws CompactedError when the start revision (or the
 * next revision a slow watcher needs) has been compacted.
 */
export interface Watch extends AsyncIterable<WatchEvent[]> {
  close(): void;
}

export interface LeaseStatus {
  id: bigint;
  /** Seconds left, rounded up. */
  ttl: number;
  grantedTtl: number;
  keys: Uint8Array[];
}

export interface Store {
  /**
   * True when a write's watch events reach every watcher before the write is acknowledged
   * and before any later read is served (an in-process store). A watch-fed cache of such a
   * store is then as fresh as the store itself whenever a request is being handled, so it
   * may serve consistent reads; with etcd it may not.
   */
  readonly synchronousWatch?: boolean;
  /**
   * With synchronousWatch: resolves once every revision committed so far has been published
   * to watchers (a store may let reads see a commit before it is durable, and publish it only
   * then). A consistent read from a watch-fed cache waits for this first.
   */
  published?(): Promise<void>;
  range(key: Uint8Array, options?: RangeOptions): Promise<RangeResult>;
  txn(request: TxnRequest): Promise<TxnResult>;
  /**
   * Marks history before `revision` as gone: reads and watches below it fail with
   * CompactedError from now on. Space is reclaimed in the background.
   */
  compact(revision: number): Promise<void>;
  watch(options: WatchOptions): Watch;
  /** Grants a lease of at least `ttl` seconds. */
  grantLease(ttl: number): Promise<bigint>;
  /** Renews a lease to its full TTL and returns it; throws LeaseNotFoundError once expired. */
  keepAliveLease(id: bigint): Promise<number>;
  /** Revokes a lease and deletes its keys (a no-op for an unknown lease). */
  revokeLease(id: bigint): Promise<void>;
  leaseTimeToLive(id: bigint): Promise<LeaseStatus | undefined>;
  close(): Promise<void>;
}
