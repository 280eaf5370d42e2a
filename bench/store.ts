// Store benchmark: the sqlite driver and a real etcd, side by side on this machine.
//   puts/s with 1 and with 64 concurrent writers (256-byte values, each put acknowledged)
//   range of 10,000 keys (ms, median of repeated reads)
//   watch delivery latency p50/p99, from the write's acknowledgement to the event's
//   arrival, with 1 and with 100 watchers; an event that arrives before the writer has its
//   acknowledgement counts as 0 (the in-process store publishes before it acknowledges).
//   The latency from sending the write to receiving the event is printed too.
// Usage: npm run bench -- store [--quick] [--only sqlite|etcd]

import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startEtcd, findEtcd } from '../test/support/etcd-server.ts';
import { bytes, prefixEnd } from '../src/store/keys.ts';
import { openStore } from '../src/store/open.ts';
import type { Store } from '../src/store/store.ts';
import { percentile } from './support/measure.ts';

interface Sizes {
  singlePuts: number;
  concurrentPuts: number;
  rangeKeys: number;
  rangeReads: number;
  watchPuts: number;
}

type Figures = Record<string, number>;

const value = new Uint8Array(256).fill(0x61);

async function putsPerSecond(store: Store, prefix: string, writers: number, total: number): Promise<number> {
  let next = 0;
  const writer = async () => {
    for (let i = next++; i < total; i = next++) {
      await store.txn({ compare: [], success: [{ type: 'put', key: bytes(`${prefix}${i}`), value }] });
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: writers }, writer));
  return total / ((performance.now() - start) / 1000);
}

async function rangeMs(store: Store, prefix: string, keys: number, reads: number): Promise<number> {
  await putsPerSecond(store, prefix, 64, keys);
  const times: number[] = [];
  for (let i = 0; i < reads; i++) {
    const start = performance.now();
    const r = await store.range(bytes(prefix), { end: prefixEnd(bytes(prefix)) });
    times.push(performance.now() - start);
    if (r.kvs.length !== keys) throw new Error(`range returned ${r.kvs.length} keys, wanted ${keys}`);
  }
  return percentile(times, 50);
}

async function watchLatency(store: Store, prefix: string, watchers: number, puts: number): Promise<{ ack: number[]; send: number[] }> {
  const received = new Map<number, number[]>();
  const watches = Array.from({ length: watchers }, () => store.watch({ key: bytes(prefix), end: prefixEnd(bytes(prefix)) }));
  const done = watches.map(async (w) => {
    let seen = 0;
    for await (const batch of w) {
      const now = performance.now();
      for (const e of batch) {
        let list = received.get(e.kv.modRevision);
        if (!list) received.set(e.kv.modRevision, (list = []));
        list.push(now);
      }
      seen += batch.length;
      if (seen >= puts) break;
    }
  });
  // Let every watch be established before writing.
  await new Promise((r) => setTimeout(r, 500));
  const ack: number[] = [];
  const send: number[] = [];
  const writes: { revision: number; sent: number; acked: number }[] = [];
  for (let i = 0; i < puts; i++) {
    const sent = performance.now();
    const r = await store.txn({ compare: [], success: [{ type: 'put', key: bytes(`${prefix}${i % 100}`), value }] });
    writes.push({ revision: r.revision, sent, acked: performance.now() });
  }
  await Promise.all(done);
  for (const w of writes) {
    for (const at of received.get(w.revision) ?? []) {
      ack.push(Math.max(0, at - w.acked));
      send.push(at - w.sent);
    }
  }
  if (ack.length !== puts * watchers) throw new Error(`watchers saw ${ack.length} events, wanted ${puts * watchers}`);
  return { ack, send };
}


async function measure(store: Store, sizes: Sizes): Promise<Figures> {
  const f: Figures = {};
  await putsPerSecond(store, '/warmup/', 8, 500);
  f['puts/s, 1 writer'] = await putsPerSecond(store, '/put1/', 1, sizes.singlePuts);
  f['puts/s, 64 writers'] = await putsPerSecond(store, '/put64/', 64, sizes.concurrentPuts);
  f[`range of ${sizes.rangeKeys.toLocaleString('en')} keys, ms`] = await rangeMs(store, '/range/', sizes.rangeKeys, sizes.rangeReads);
  for (const watchers of [1, 100]) {
    const { ack, send } = await watchLatency(store, `/watch${watchers}/`, watchers, sizes.watchPuts);
    f[`watch ack→event p50, ms, ${watchers} watcher${watchers > 1 ? 's' : ''}`] = percentile(ack, 50);
    f[`watch ack→event p99, ms, ${watchers} watcher${watchers > 1 ? 's' : ''}`] = percentile(ack, 99);
    f[`watch write→event p50, ms, ${watchers} watcher${watchers > 1 ? 's' : ''}`] = percentile(send, 50);
    f[`watch write→event p99, ms, ${watchers} watcher${watchers > 1 ? 's' : ''}`] = percentile(send, 99);
  }
  return f;
}

function format(metric: string, n: number): string {
  if (metric.startsWith('puts/s')) return Math.round(n).toLocaleString('en');
  return n < 10 ? n.toFixed(3) : n.toFixed(1);
}

/** Whether the sqlite figure is at least as good as etcd's (higher puts, lower times). */
function better(metric: string, sqlite: number, etcd: number): string {
  const higherIsBetter = metric.startsWith('puts/s');
  const ok = higherIsBetter ? sqlite >= etcd : sqlite <= etcd;
  return ok ? 'yes' : 'no';
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
  const wanted = (driver: string) => values.only === undefined || values.only === driver;
  const sizes: Sizes = values.quick
    ? { singlePuts: 300, concurrentPuts: 3000, rangeKeys: 10_000, rangeReads: 5, watchPuts: 100 }
    : { singlePuts: 2000, concurrentPuts: 20_000, rangeKeys: 10_000, rangeReads: 20, watchPuts: 500 };

  console.log(`store benchmark on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node.js ${process.version}`);
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-'));
  const results: Record<string, Figures> = {};
  try {
    if (wanted('sqlite')) {
      const sqlite = await openStore(`sqlite://${join(dir, 'bench.db')}?compact-interval=0`);
      try {
        console.log('measuring sqlite ...');
        results.sqlite = await measure(sqlite, sizes);
      } finally {
        await sqlite.close();
      }
    }
    if (!wanted('etcd')) {
      // not asked for
    } else if (findEtcd()) {
      const etcd = await startEtcd();
      try {
        const store = await openStore(etcd.url);
        try {
          console.log(`measuring etcd at ${etcd.url} ...`);
          results.etcd = await measure(store, sizes);
        } finally {
          await store.close();
        }
      } finally {
        await etcd.stop();
      }
    } else {
      console.log('etcd not found (Debian package etcd-server): measuring sqlite only');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const metrics = Object.keys(results.sqlite ?? results.etcd ?? {});
  const rows = metrics.map((m) => {
    const s = results.sqlite?.[m];
    const e = results.etcd?.[m];
    const cell = (n: number | undefined) => (n === undefined ? '-' : format(m, n));
    return [m, cell(s), cell(e), s === undefined || e === undefined ? '-' : better(m, s, e)];
  });
  const header = ['metric', 'sqlite', 'etcd', 'sqlite at or above etcd'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log('');
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|')}|`);
  for (const r of rows) console.log(line(r));
}
