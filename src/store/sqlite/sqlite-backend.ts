// A Backend in one SQLite file (node:sqlite), durable on commit and sync().
//
// Tables:
//   log     every change (rows of Backend), the history that watches and past reads use;
//   current one row per live key pointing at its newest log row, for fast latest reads;
//   meta    the revision and the compact revision;
//   lease   granted leases and their TTLs.
// WAL mode: a commit appends to the WAL and is made durable by sync(), an fdatasync of the WAL
// on libuv's thread pool, so the event loop is not held for the disk (the engine acknowledges
// writes only after it); with synchronous=NORMAL SQLite itself syncs only around checkpoints,
// which keeps the database file consistent. The engine's group commit puts many writes under
// one sync. Checkpoints run on a second connection in a worker thread (checkpoints.ts), not
// inside commits. One process at a time may open a store: it holds an exclusive lock on a
// small companion database, <path>.lock, while open; a second opener fails instead of
// corrupting the revision sequence. All other calls are synchronous.

import { closeSync, fdatasync, openSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import type { StatementSync } from 'node:sqlite';
import { UnavailableError } from '../errors.ts';
import { Checkpoints, type CheckpointsOptions } from './checkpoints.ts';
import { isUnbounded } from '../keys.ts';
import type { KeyValue } from '../store.ts';
import type { Backend, Cursor, HistoryRows, LeaseRecord, Meta, RangeRows, Row } from '../mvcc/backend.ts';

const schema = `
CREATE TABLE IF NOT EXISTS log (
  id INTEGER PRIMARY KEY,
  rev INTEGER NOT NULL,
  sub INTEGER NOT NULL,
  key BLOB NOT NULL,
  value BLOB,
  create_rev INTEGER NOT NULL,
  version INTEGER NOT NULL,
  lease INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS log_by_rev ON log (rev, sub);
CREATE INDEX IF NOT EXISTS log_by_key ON log (key, rev);
CREATE TABLE IF NOT EXISTS current (key BLOB PRIMARY KEY, id INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lease (id INTEGER PRIMARY KEY, ttl INTEGER NOT NULL);
INSERT OR IGNORE INTO meta (name, value) VALUES ('revision', 0), ('compact_revision', 0), ('schema', 1);
`;

// Live kvs are read as one blob of key and value per row, in array form: node:sqlite spends
// most of a range on allocating result objects and buffers, and this halves them.
const kvColumns = 'length(l.key), CAST(l.key || l.value AS BLOB), l.create_rev, l.rev, l.version, l.lease';
const rowColumns = 'key, rev, sub, value, create_rev, version, lease';

interface DbRow {
  key: Uint8Array;
  value: Uint8Array | null;
  create_rev: number;
  rev: number;
  sub?: number;
  version: number;
  lease: number;
}

export class SqliteBackend implements Backend {
  readonly #db: DatabaseSync;
  readonly #s: Record<string, StatementSync>;
  #lastId: number;
  /** The WAL's path (none for an in-memory database) and a descriptor of it for fdatasync. */
  readonly #walPath: string | undefined;
  #walFd: number | undefined;
  /** A file database: the lock held while open, and the checkpoints of its WAL. */
  readonly #lock: DatabaseSync | undefined;
  readonly #checkpoints: Checkpoints | undefined;

  constructor(path: string, options: { checkpoints?: CheckpointsOptions } = {}) {
    const file = path !== '' && path !== ':memory:' && !path.startsWith('file:');
    this.#walPath = file ? `${path}-wal` : undefined;
    if (file) this.#lock = lockFor(path);
    this.#db = new DatabaseSync(path);
    try {
      // An in-memory database is this connection's alone; a file one is shared with the checkpointer.
      if (!file) this.#db.exec('PRAGMA locking_mode = EXCLUSIVE');
      this.#db.exec('PRAGMA journal_mode = WAL');
      this.#db.exec('PRAGMA synchronous = NORMAL');
      if (file) this.#db.exec('PRAGMA wal_autocheckpoint = 0');
      this.#db.exec('PRAGMA cache_size = -65536');
      this.#db.exec(schema);
    } catch (err) {
      this.#db.close();
      this.#lock?.close();
      throw err;
    }
    if (file) this.#checkpoints = new Checkpoints(path, () => this.#db.exec('PRAGMA wal_checkpoint(RESTART)'), options.checkpoints);
    const p = (sql: string) => this.#db.prepare(sql);
    this.#s = {
      meta: p(`SELECT name, value FROM meta`),
      setMeta: p(`UPDATE meta SET value = ? WHERE name = ?`),
      lastId: p(`SELECT coalesce(max(id), 0) AS id FROM log`),
      historyRows: p(`SELECT count(*) AS n FROM log`),
      get: p(`SELECT ${kvColumns} FROM current c JOIN log l ON l.id = c.id WHERE c.key = ?`),
      range: p(`SELECT ${kvColumns} FROM current c JOIN log l ON l.id = c.id WHERE c.key >= ? AND c.key < ? ORDER BY c.key LIMIT ?`),
      rangeFrom: p(`SELECT ${kvColumns} FROM current c JOIN log l ON l.id = c.id WHERE c.key >= ? ORDER BY c.key LIMIT ?`),
      count: p(`SELECT count(*) AS n FROM current WHERE key >= ? AND key < ?`),
      countFrom: p(`SELECT count(*) AS n FROM current WHERE key >= ?`),
      // SQLite takes the bare columns of a max() aggregate from the row holding the max.
      rangeAt: p(`SELECT length(key), CAST(key || value AS BLOB), create_rev, rev, version, lease FROM (
          SELECT key, max(rev) AS rev, value, create_rev, version, lease FROM log
          WHERE key >= ? AND key < ? AND rev <= ? GROUP BY key)
        WHERE value IS NOT NULL ORDER BY key LIMIT ?`),
      rangeAtFrom: p(`SELECT length(key), CAST(key || value AS BLOB), create_rev, rev, version, lease FROM (
          SELECT key, max(rev) AS rev, value, create_rev, version, lease FROM log
          WHERE key >= ? AND rev <= ? GROUP BY key)
        WHERE value IS NOT NULL ORDER BY key LIMIT ?`),
      previous: p(`SELECT ${rowColumns} FROM log WHERE key = ? AND rev < ? ORDER BY rev DESC LIMIT 1`),
      historyKey: p(`SELECT ${rowColumns} FROM log WHERE key = ? AND rev >= ? AND rev <= ? ORDER BY rev LIMIT ?`),
      historyRange: p(`SELECT ${rowColumns} FROM log WHERE rev >= ? AND rev <= ? AND key >= ? AND key < ? ORDER BY rev, sub LIMIT ?`),
      historyFrom: p(`SELECT ${rowColumns} FROM log WHERE rev >= ? AND rev <= ? AND key >= ? ORDER BY rev, sub LIMIT ?`),
      revisionRest: p(`SELECT ${rowColumns} FROM log WHERE rev = ? AND sub > ? ORDER BY sub`),
      leasedKeys: p(`SELECT l.key AS key, l.lease AS lease FROM current c JOIN log l ON l.id = c.id WHERE l.lease != 0`),
      leases: p(`SELECT id, ttl FROM lease`),
      insert: p(`INSERT INTO log (id, rev, sub, key, value, create_rev, version, lease) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      setCurrent: p(`INSERT OR REPLACE INTO current (key, id) VALUES (?, ?)`),
      unsetCurrent: p(`DELETE FROM current WHERE key = ?`),
      putLease: p(`INSERT OR REPLACE INTO lease (id, ttl) VALUES (?, ?)`),
      deleteLease: p(`DELETE FROM lease WHERE id = ?`),
      compactScan: p(`SELECT id, key, rev, sub, value IS NULL AS tomb FROM log WHERE (rev, sub) > (?, ?) AND rev <= ? ORDER BY rev, sub LIMIT ?`),
      deleteOlder: p(`DELETE FROM log WHERE key = ? AND rev < ?`),
      deleteId: p(`DELETE FROM log WHERE id = ?`),
    };
    for (const name of ['get', 'range', 'rangeFrom', 'rangeAt', 'rangeAtFrom']) this.#s[name].setReturnArrays(true);
    this.#lastId = (this.#s.lastId.get() as { id: number }).id;
  }

  loadMeta(): Meta {
    const meta = new Map<string, number>();
    for (const row of this.#s.meta.all() as { name: string; value: number }[]) meta.set(row.name, row.value);
    return { revision: meta.get('revision') ?? 0, compactRevision: meta.get('compact_revision') ?? 0 };
  }

  get(key: Uint8Array): KeyValue | undefined {
    const row = this.#s.get.get(key) as KvArray | undefined;
    return row ? arrayToKv(row) : undefined;
  }

  range(key: Uint8Array, end: Uint8Array, limit: number, countOnly: boolean): RangeRows {
    const open = isUnbounded(end);
    const count = (open ? this.#s.countFrom.get(key) : this.#s.count.get(key, end)) as { n: number };
    if (countOnly) return { kvs: [], count: count.n };
    const lim = limit > 0 ? limit : -1;
    const rows = (open ? this.#s.rangeFrom.all(key, lim) : this.#s.range.all(key, end, lim)) as unknown as KvArray[];
    return { kvs: rows.map(arrayToKv), count: count.n };
  }

  rangeAt(key: Uint8Array, end: Uint8Array, revision: number, limit: number, countOnly: boolean): RangeRows {
    const open = isUnbounded(end);
    // The count needs every row anyway, so read them all and cut.
    const rows = (open ? this.#s.rangeAtFrom.all(key, revision, -1) : this.#s.rangeAt.all(key, end, revision, -1)) as unknown as KvArray[];
    if (countOnly) return { kvs: [], count: rows.length };
    const kept = limit > 0 ? rows.slice(0, limit) : rows;
    return { kvs: kept.map(arrayToKv), count: rows.length };
  }

  previous(key: Uint8Array, revision: number): KeyValue | undefined {
    const row = this.#s.previous.get(key, revision) as DbRow | undefined;
    return row && row.value !== null ? toKv(row) : undefined;
  }

  history(key: Uint8Array, end: Uint8Array | undefined, from: number, to: number, limit: number): HistoryRows {
    let dbRows: DbRow[];
    if (end === undefined) {
      dbRows = this.#s.historyKey.all(key, from, to, limit) as unknown as DbRow[];
    } else if (isUnbounded(end)) {
      dbRows = this.#s.historyFrom.all(from, to, key, limit) as unknown as DbRow[];
    } else {
      dbRows = this.#s.historyRange.all(from, to, key, end, limit) as unknown as DbRow[];
    }
    const rows = dbRows.map(toRow);
    if (rows.length < limit) return { rows, through: to };
    const last = rows[rows.length - 1];
    if (end !== undefined) {
      // Never end inside a revision: take the rest of the last one.
      for (const rest of this.#s.revisionRest.all(last.revision, last.sub) as unknown as DbRow[]) {
        const row = toRow(rest);
        if (inRange(row.key, key, end)) rows.push(row);
      }
    }
    return { rows, through: last.revision };
  }

  leasedKeys(): { key: Uint8Array; lease: bigint }[] {
    return (this.#s.leasedKeys.all() as unknown as { key: Uint8Array; lease: number }[]).map((r) => ({ key: r.key, lease: BigInt(r.lease) }));
  }

  loadLeases(): LeaseRecord[] {
    return (this.#s.leases.all() as { id: number; ttl: number }[]).map((r) => ({ id: BigInt(r.id), ttl: r.ttl }));
  }

  begin(): void {
    this.#db.exec('BEGIN IMMEDIATE');
  }

  write(row: Row): void {
    const id = ++this.#lastId;
    this.#s.insert.run(id, row.revision, row.sub, row.key, row.value, row.createRevision, row.version, Number(row.lease));
    if (row.value === null) this.#s.unsetCurrent.run(row.key);
    else this.#s.setCurrent.run(row.key, id);
  }

  putLease(lease: LeaseRecord): void {
    this.#s.putLease.run(Number(lease.id), lease.ttl);
  }

  deleteLease(id: bigint): void {
    this.#s.deleteLease.run(Number(id));
  }

  setCompactRevision(revision: number): void {
    this.#s.setMeta.run(revision, 'compact_revision');
  }

  commit(revision: number): void {
    this.#s.setMeta.run(revision, 'revision');
    this.#db.exec('COMMIT');
    this.#checkpoints?.committed();
  }

  /** The checkpoints run so far (tests). */
  get checkpointCounts(): { worker: number; writer: number; errors: number } | undefined {
    return this.#checkpoints?.counts;
  }

  sync(): Promise<void> {
    if (!this.#walPath) return Promise.resolve();
    if (this.#walFd === undefined) {
      try {
        this.#walFd = openSync(this.#walPath, 'r');
      } catch (err) {
        // No WAL yet: nothing was committed to it.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Promise.resolve();
        return Promise.reject(err);
      }
    }
    const fd = this.#walFd;
    return new Promise((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  }

  rollback(): void {
    if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
    for (const name of ['get', 'range', 'rangeFrom', 'rangeAt', 'rangeAtFrom']) this.#s[name].setReturnArrays(true);
    this.#lastId = (this.#s.lastId.get() as { id: number }).id;
  }

  compactStep(compactRevision: number, after: Cursor, limit: number): Cursor | undefined {
    const rows = this.#s.compactScan.all(after.revision, after.sub, compactRevision, limit) as unknown as {
      id: number;
      key: Uint8Array;
      rev: number;
      sub: number;
      tomb: number;
    }[];
    if (rows.length === 0) return undefined;
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      for (const row of rows) {
        this.#s.deleteOlder.run(row.key, row.rev);
        if (row.tomb && row.rev < compactRevision) this.#s.deleteId.run(row.id);
      }
      this.#db.exec('COMMIT');
      this.#checkpoints?.committed();
    } catch (err) {
      this.#db.exec('ROLLBACK');
      throw err;
    }
    const last = rows[rows.length - 1];
    return { revision: last.rev, sub: last.sub };
  }

  historyRows(): number {
    return (this.#s.historyRows.get() as { n: number }).n;
  }

  async close(): Promise<void> {
    await this.#checkpoints?.close();
    if (this.#walFd !== undefined) closeSync(this.#walFd);
    this.#walFd = undefined;
    // The last connection to close checkpoints what is left and removes the WAL.
    if (this.#db.isOpen) this.#db.close();
    if (this.#lock?.isOpen) this.#lock.close();
  }
}

/**
 * Takes the exclusive lock of `<path>.lock` (a database of its own, held in exclusive locking
 * mode until closed); throws UnavailableError when another connection holds it.
 */
function lockFor(path: string): DatabaseSync {
  const lock = new DatabaseSync(`${path}.lock`);
  try {
    lock.exec('PRAGMA locking_mode = EXCLUSIVE');
    lock.exec('CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY, pid INTEGER)');
    lock.exec(`INSERT OR REPLACE INTO holder (id, pid) VALUES (1, ${process.pid})`);
    return lock;
  } catch (err) {
    lock.close();
    if (/locked|busy/i.test((err as Error).message)) {
      throw new UnavailableError(`${path} is in use by another process (only one may open a sqlite store)`, { cause: err });
    }
    throw err;
  }
}

/** [length of key, key and value, create_rev, rev, version, lease] */
type KvArray = [number, Uint8Array, number, number, number, number];

function arrayToKv(row: KvArray): KeyValue {
  const [keyLength, both, createRevision, modRevision, version, lease] = row;
  return {
    key: both.subarray(0, keyLength),
    value: both.subarray(keyLength),
    createRevision,
    modRevision,
    version,
    lease: lease === 0 ? 0n : BigInt(lease),
  };
}

function toKv(row: DbRow): KeyValue {
  return {
    key: row.key,
    value: row.value ?? new Uint8Array(0),
    createRevision: row.create_rev,
    modRevision: row.rev,
    version: row.version,
    lease: BigInt(row.lease),
  };
}

function toRow(row: DbRow): Row {
  return {
    key: row.key,
    revision: row.rev,
    sub: row.sub ?? 0,
    value: row.value,
    createRevision: row.create_rev,
    version: row.version,
    lease: BigInt(row.lease),
  };
}

function inRange(k: Uint8Array, key: Uint8Array, end: Uint8Array): boolean {
  return Buffer.compare(k, key) >= 0 && (isUnbounded(end) || Buffer.compare(k, end) < 0);
}
