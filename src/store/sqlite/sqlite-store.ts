// sqlite://<path> — the embedded default store: one SQLite file, compacted on a timer.

import type { EngineOptions } from '../mvcc/engine.ts';
import { Engine } from '../mvcc/engine.ts';
import type { Store } from '../store.ts';
import { SqliteBackend } from './sqlite-backend.ts';

/** The kube-apiserver's default --etcd-compaction-interval. */
export const defaultCompactIntervalMs = 5 * 60 * 1000;

export function openSqliteStore(path: string, options: EngineOptions = {}): Store {
  return new Engine(new SqliteBackend(path), { compactIntervalMs: defaultCompactIntervalMs, ...options });
}
