// The persistence a Backend gives the MVCC engine (engine.ts). The engine owns every rule
// of the contract (revisions, compares, watch ordering, leases); a backend only stores
// rows and answers queries, synchronously. Writes happen between begin() and commit();
// reads made in between see them. After commit() returns, the writes are durable, or, for a
// backend with sync(), once the next sync() resolves.

import type { KeyValue } from '../store.ts';

/** One change to one key. A tombstone (value null) records a delete. */
export interface Row {
  key: Uint8Array;
  /** Revision of the change. */
  revision: number;
  /** Position within its revision (the op order of the transaction). */
  sub: number;
  value: Uint8Array | null;
  createRevision: number;
  version: number;
  lease: bigint;
}

export interface RangeRows {
  kvs: KeyValue[];
  count: number;
}

export interface HistoryRows {
  rows: Row[];
  /** Revision up to which (inclusive) every matching row is in `rows`. */
  through: number;
}

export interface Meta {
  revision: number;
  compactRevision: number;
}

/** A position in history: after this row of this revision. */
export interface Cursor {
  revision: number;
  sub: number;
}

export interface LeaseRecord {
  id: bigint;
  ttl: number;
}

export interface Backend {
  loadMeta(): Meta;

  /** The live value of a key. */
  get(key: Uint8Array): KeyValue | undefined;
  /**
   * Live keys in [key, end) in key order (end: unbounded when a single zero byte), at most
   * `limit` of them (0: all); count is of the whole range unless `countOnly` skips rows.
   */
  range(key: Uint8Array, end: Uint8Array, limit: number, countOnly: boolean): RangeRows;
  /** The same, as the keys were at `revision` (not below the compact revision). */
  rangeAt(key: Uint8Array, end: Uint8Array, revision: number, limit: number, countOnly: boolean): RangeRows;
  /** The key's value just before `revision`, if it was live then. */
  previous(key: Uint8Array, revision: number): KeyValue | undefined;
  /**
   * Changes in revisions [from, to] to keys in [key, end) (end absent: the key only), in
   * revision and op order; about `limit` rows, but never part of a revision.
   */
  history(key: Uint8Array, end: Uint8Array | undefined, from: number, to: number, limit: number): HistoryRows;
  /** Keys attached to a lease, from the live values. */
  leasedKeys(): { key: Uint8Array; lease: bigint }[];
  loadLeases(): LeaseRecord[];

  begin(): void;
  write(row: Row): void;
  putLease(lease: LeaseRecord): void;
  deleteLease(id: bigint): void;
  setCompactRevision(revision: number): void;
  commit(revision: number): void;
  /**
   * Backends that do not make a commit durable by themselves (the write-ahead log is only in
   * the OS's cache) make everything committed before the call durable; the engine
   * acknowledges and publishes writes only after it resolves. Absent: commit() is durable.
   */
  sync?(): Promise<void>;
  rollback(): void;

  /**
   * One step of reclaiming history obsolete at `compactRevision`: looks at up to `limit`
   * rows after `after` with revisions up to `compactRevision`; for each, deletes the older
   * rows of its key, and the row itself if it is a delete below `compactRevision`. Returns
   * where to continue, or undefined when no such row is left. Steps are idempotent.
   */
  compactStep(compactRevision: number, after: Cursor, limit: number): Cursor | undefined;

  /** Number of history rows kept. */
  historyRows(): number;

  /** Releases the storage; may finish asynchronously (the engine waits). */
  close(): void | Promise<void>;
}
