// Opens a store by URL:
//   memory://                       in process memory (tests)
//   sqlite://<path>[?compact-interval=5m]   one SQLite file; relative paths are from the cwd
//   etcd://host:port[,host:port...]  real etcd v3; etcds:// for TLS (?ca=&cert=&key=)

import type { EngineOptions } from './mvcc/engine.ts';
import { openMemoryStore } from './memory/memory-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

export interface OpenOptions extends EngineOptions {
  /** TLS files for etcds://, overriding the URL's query. */
  tls?: { ca?: string; cert?: string; key?: string };
}

export async function openStore(url: string, options: OpenOptions = {}): Promise<Store> {
  const scheme = url.slice(0, url.indexOf('://'));
  const rest = url.slice(scheme.length + 3);
  switch (scheme) {
    case 'memory':
      return openMemoryStore(options);
    case 'sqlite': {
      const [path, query = ''] = splitQuery(rest);
      if (!path) throw new Error(`store URL ${url} has no file path`);
      const params = new URLSearchParams(query);
      const interval = params.get('compact-interval');
      const engineOptions: EngineOptions = { ...options };
      if (interval !== null) engineOptions.compactIntervalMs = parseDuration(interval);
      return openSqliteStore(path, engineOptions);
    }
    case 'etcd':
    case 'etcds': {
      const { openEtcdStore } = await import('./etcd/etcd-store.ts');
      return openEtcdStore(url, options.tls ? { tls: options.tls } : {});
    }
    default:
      throw new Error(`unknown store URL ${JSON.stringify(url)}: use sqlite://<path>, etcd://host:port or memory://`);
  }
}

function splitQuery(s: string): [string, string | undefined] {
  const i = s.indexOf('?');
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

/** Parses "300ms", "30s", "5m", "1h" or a bare number of seconds into milliseconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s.trim());
  if (!m) throw new Error(`invalid duration ${JSON.stringify(s)}: use e.g. 30s, 5m or 0`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}
