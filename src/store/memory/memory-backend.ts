// A Backend kept in process memory, for unit tests: nothing survives close(). Writes apply
// immediately; a memory write cannot fail, so there is nothing to roll back.

import { binaryString, compareBytes, isUnbounded } from '../keys.ts';
import type { KeyValue } from '../store.ts';
import type { Backend, Cursor, HistoryRows, LeaseRecord, Meta, RangeRows, Row } from '../mvcc/backend.ts';
import { lowerBound } from '../../machinery/sorted.ts';

export class MemoryBackend implements Backend {
  /** Every row, in revision and op order. */
  #log: Row[] = [];
  /** Each key's rows, oldest first. */
  readonly #history = new Map<string, Row[]>();
  /** Keys with any history, sorted. */
  #keys: string[] = [];
  readonly #leases = new Map<bigint, number>();
  #revision = 0;
  #compactRevision = 0;

  loadMeta(): Meta {
    return { revision: this.#revision, compactRevision: this.#compactRevision };
  }

  get(key: Uint8Array): KeyValue | undefined {
    const rows = this.#history.get(binaryString(key));
    return rows ? live(rows[rows.length - 1]) : undefined;
  }

  range(key: Uint8Array, end: Uint8Array, limit: number, countOnly: boolean): RangeRows {
    return this.#collect(key, end, limit, countOnly, (rows) => live(rows[rows.length - 1]));
  }

  rangeAt(key: Uint8Array, end: Uint8Array, revision: number, limit: number, countOnly: boolean): RangeRows {
    return this.#collect(key, end, limit, countOnly, (rows) => {
      const i = lastAtOrBelow(rows, revision);
      return i >= 0 ? live(rows[i]) : undefined;
    });
  }

  previous(key: Uint8Array, revision: number): KeyValue | undefined {
    const rows = this.#history.get(binaryString(key));
    if (!rows) return undefined;
    const i = lastAtOrBelow(rows, revision - 1);
    return i >= 0 ? live(rows[i]) : undefined;
  }

  history(key: Uint8Array, end: Uint8Array | undefined, from: number, to: number, limit: number): HistoryRows {
    const rows: Row[] = [];
    let i = firstAtOrAbove(this.#log, from);
    for (; i < this.#log.length && this.#log[i].revision <= to; i++) {
      const row = this.#log[i];
      if (rows.length >= limit && row.revision !== rows[rows.length - 1].revision) {
        return { rows, through: rows[rows.length - 1].revision };
      }
      if (inRange(row.key, key, end)) rows.push(row);
    }
    return { rows, through: to };
  }

  leasedKeys(): { key: Uint8Array; lease: bigint }[] {
    const out: { key: Uint8Array; lease: bigint }[] = [];
    for (const rows of this.#history.values()) {
      const kv = live(rows[rows.length - 1]);
      if (kv && kv.lease !== 0n) out.push({ key: kv.key, lease: kv.lease });
    }
    return out;
  }

  loadLeases(): LeaseRecord[] {
    return [...this.#leases].map(([id, ttl]) => ({ id, ttl }));
  }

  begin(): void {}

  write(row: Row): void {
    this.#log.push(row);
    const k = binaryString(row.key);
    let rows = this.#history.get(k);
    if (!rows) {
      rows = [];
      this.#history.set(k, rows);
      this.#keys.splice(lowerBound(this.#keys, k), 0, k);
    }
    rows.push(row);
  }

  putLease(lease: LeaseRecord): void {
    this.#leases.set(lease.id, lease.ttl);
  }

  deleteLease(id: bigint): void {
    this.#leases.delete(id);
  }

  setCompactRevision(revision: number): void {
    this.#compactRevision = revision;
  }

  commit(revision: number): void {
    this.#revision = revision;
  }

  rollback(): void {
    throw new Error('memory backend cannot roll back');
  }

  compactStep(compactRevision: number, _after: Cursor, _limit: number): Cursor | undefined {
    // Memory is small: reclaim everything in one step.
    let touched = false;
    for (const [k, rows] of this.#history) {
      const i = lastAtOrBelow(rows, compactRevision);
      if (i < 0) continue;
      const keepFrom = rows[i].value === null && rows[i].revision < compactRevision ? i + 1 : i;
      if (keepFrom === 0) continue;
      touched = true;
      rows.splice(0, keepFrom);
      if (rows.length === 0) {
        this.#history.delete(k);
        this.#keys.splice(lowerBound(this.#keys, k), 1);
      }
    }
    if (touched) {
      this.#log = this.#log.filter((row) => {
        const rows = this.#history.get(binaryString(row.key));
        return rows !== undefined && rows[0].revision <= row.revision;
      });
    }
    return undefined;
  }

  historyRows(): number {
    return this.#log.length;
  }

  close(): void {
    this.#log = [];
    this.#history.clear();
    this.#keys = [];
  }

  #collect(key: Uint8Array, end: Uint8Array, limit: number, countOnly: boolean, pick: (rows: Row[]) => KeyValue | undefined): RangeRows {
    const kvs: KeyValue[] = [];
    let count = 0;
    const from = lowerBound(this.#keys, binaryString(key));
    const to = isUnbounded(end) ? undefined : binaryString(end);
    for (let i = from; i < this.#keys.length && (to === undefined || this.#keys[i] < to); i++) {
      const kv = pick(this.#history.get(this.#keys[i])!);
      if (!kv) continue;
      count++;
      if (!countOnly && (limit === 0 || kvs.length < limit)) kvs.push(kv);
    }
    return { kvs, count };
  }
}

function live(row: Row): KeyValue | undefined {
  if (row.value === null) return undefined;
  return { key: row.key, value: row.value, createRevision: row.createRevision, modRevision: row.revision, version: row.version, lease: row.lease };
}

function inRange(k: Uint8Array, key: Uint8Array, end: Uint8Array | undefined): boolean {
  if (end === undefined) return compareBytes(k, key) === 0;
  return compareBytes(k, key) >= 0 && (isUnbounded(end) || compareBytes(k, end) < 0);
}


/** Index of the last row with revision <= r, or -1. */
function lastAtOrBelow(rows: Row[], r: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid].revision <= r) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Index of the first row with revision >= r. */
function firstAtOrAbove(rows: Row[], r: number): number {
  return lastAtOrBelow(rows, r - 1) + 1;
}
