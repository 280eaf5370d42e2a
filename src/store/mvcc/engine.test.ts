// The engine's own guarantees beyond the shared contract: group commit, failed commits,
// slow watchers, background compaction against a model, and time-driven behaviour.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FakeClock } from '../../machinery/fake-clock.ts';
import { collect } from '../contract.ts';
import { UnavailableError } from '../errors.ts';
import { bytes, prefixEnd, text } from '../keys.ts';
import { MemoryBackend } from '../memory/memory-backend.ts';
import { SqliteBackend } from '../sqlite/sqlite-backend.ts';
import type { Backend } from './backend.ts';
import type { EngineOptions } from './engine.ts';
import { Engine } from './engine.ts';

const backends: [string, () => { backend: Backend; cleanup(): void }][] = [
  ['memory', () => ({ backend: new MemoryBackend(), cleanup() {} })],
  [
    'sqlite',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'k8ts-engine-'));
      return { backend: new SqliteBackend(join(dir, 'db')), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
];

async function withEngine(make: () => { backend: Backend; cleanup(): void }, options: EngineOptions, fn: (e: Engine, b: Backend) => Promise<void>) {
  const { backend, cleanup } = make();
  const engine = new Engine(backend, options);
  try {
    await fn(engine, backend);
  } finally {
    await engine.close();
    cleanup();
  }
}

const put = async (e: Engine, key: string, value: string) =>
  (await e.txn({ compare: [], success: [{ type: 'put', key: bytes(key), value: bytes(value) }] })).revision;

for (const [name, make] of backends) {
  describe(`engine on ${name}`, () => {
    it('commits concurrent writes together (group commit), each with its own revision', async () => {
      await withEngine(make, {}, async (engine, backend) => {
        let commits = 0;
        const commit = backend.commit.bind(backend);
        backend.commit = (revision) => {
          commits++;
          commit(revision);
        };
        const revisions = await Promise.all(Array.from({ length: 64 }, (_, i) => put(engine, `/g/${i}`, 'v')));
        assert.equal(new Set(revisions).size, 64);
        assert.deepEqual([...revisions].sort((a, b) => a - b), Array.from({ length: 64 }, (_, i) => i + 1));
        assert.ok(commits < 64, `64 writes took ${commits} commits`);
      });
    });

    it('a slow watcher falls back to history and still gets everything in order', async () => {
      await withEngine(make, { watchMaxBufferedEvents: 10, watchChunkRows: 7 }, async (engine) => {
        const watch = engine.watch({ key: bytes('/slow/'), end: prefixEnd(bytes('/slow/')), prevKv: true });
        const expected: number[] = [];
        for (let i = 0; i < 100; i++) expected.push(await put(engine, `/slow/${i % 5}`, String(i)));
        const reading = collect(watch, (ev) => ev.length >= 200);
        for (let i = 100; i < 200; i++) expected.push(await put(engine, `/slow/${i % 5}`, String(i)));
        const events = await reading;
        assert.deepEqual(events.map((e) => e.kv.modRevision), expected);
        assert.deepEqual(events.map((e) => text(e.kv.value)), expected.map((_, i) => String(i)));
        assert.equal(text(events[150].prevKv!.value), '145');
      });
    });

    it('compaction keeps every read at or above the compact revision exact (model check)', async () => {
      await withEngine(make, {}, async (engine) => {
        // The model: the full key->value map after each revision.
        const snapshots: Map<string, string>[] = [new Map()];
        let state = new Map<string, string>();
        let seed = 42;
        const random = (n: number) => {
          seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
          return (seed >>> 8) % n;
        };
        let compacted = 0;
        for (let i = 0; i < 600; i++) {
          const key = `/m/${random(12)}`;
          const before = engine.stats().revision;
          if (random(4) === 0) {
            await engine.txn({ compare: [], success: [{ type: 'delete', key: bytes(key) }] });
            if (state.has(key)) (state = new Map(state)).delete(key);
          } else {
            await put(engine, key, `v${i}`);
            (state = new Map(state)).set(key, `v${i}`);
          }
          if (engine.stats().revision > before) snapshots.push(state);
          if (i % 150 === 149) {
            compacted = Math.max(compacted + 1, engine.stats().revision - random(40));
            await engine.compact(compacted);
            await engine.idle();
          }
        }
        const current = engine.stats().revision;
        assert.equal(snapshots.length, current + 1);
        for (let rev = compacted; rev <= current; rev++) {
          const r = await engine.range(bytes('/m/'), { end: prefixEnd(bytes('/m/')), revision: rev });
          const got = new Map(r.kvs.map((kv) => [text(kv.key), text(kv.value)]));
          assert.deepEqual(got, snapshots[rev], `state at revision ${rev}`);
        }
        const history = await collect(engine.watch({ key: bytes('/m/'), end: prefixEnd(bytes('/m/')), startRevision: compacted }), (ev) => ev.at(-1)?.kv.modRevision === current);
        assert.equal(history[0].kv.modRevision, compacted);
        assert.ok(engine.stats().historyRows < current, `obsolete history was reclaimed (${engine.stats().historyRows} rows for ${current} revisions)`);
      });
    });

    it('leases expire on the clock, not before', async () => {
      const clock = new FakeClock();
      await withEngine(make, { clock, leaseCheckIntervalMs: 500 }, async (engine) => {
        const lease = await engine.grantLease(10);
        await engine.txn({ compare: [], success: [{ type: 'put', key: bytes('/l/a'), value: bytes('x'), lease }] });
        clock.advance(9_000);
        await engine.idle();
        assert.equal((await engine.range(bytes('/l/a'))).count, 1);
        assert.equal((await engine.leaseTimeToLive(lease))?.ttl, 1);
        assert.equal(await engine.keepAliveLease(lease), 10);
        clock.advance(9_500);
        await engine.idle();
        assert.equal((await engine.range(bytes('/l/a'))).count, 1, 'keep-alive moved the deadline');
        clock.advance(1_000);
        await engine.idle();
        assert.equal((await engine.range(bytes('/l/a'))).count, 0);
      });
    });

    it('compacts on a timer, keeping one interval of history', async () => {
      const clock = new FakeClock();
      await withEngine(make, { clock, compactIntervalMs: 60_000 }, async (engine) => {
        const r1 = await put(engine, '/t/a', '1');
        clock.advance(60_000);
        await engine.idle();
        assert.equal(engine.stats().compactRevision, 0, 'nothing is older than one interval yet');
        const r2 = await put(engine, '/t/a', '2');
        clock.advance(60_000);
        await engine.idle();
        assert.equal(engine.stats().compactRevision, r1);
        assert.equal(text((await engine.range(bytes('/t/a'), { revision: r1 })).kvs[0].value), '1');
        clock.advance(60_000);
        await engine.idle();
        assert.equal(engine.stats().compactRevision, r2);
      });
    });
  });
}

describe('engine on sqlite: failed commits', () => {
  it('a failed commit fails every write of its batch and changes nothing', async () => {
    await withEngine(backends[1][1], {}, async (engine, backend) => {
      await put(engine, '/f/a', 'kept');
      const commit = backend.commit.bind(backend);
      backend.commit = () => {
        throw new Error('disk full');
      };
      const results = await Promise.allSettled([put(engine, '/f/a', 'lost'), put(engine, '/f/b', 'lost')]);
      for (const r of results) assert.ok(r.status === 'rejected' && r.reason instanceof UnavailableError);
      backend.commit = commit;
      assert.equal(engine.stats().revision, 1);
      assert.equal(text((await engine.range(bytes('/f/a'))).kvs[0].value), 'kept');
      assert.equal((await engine.range(bytes('/f/b'))).count, 0);
      assert.equal(await put(engine, '/f/b', 'ok'), 2, 'the next write takes the next revision');
    });
  });
});

describe('engine on sqlite: background compaction', () => {
  it('reclaims history in steps while writes go on', async () => {
    await withEngine(backends[1][1], {}, async (engine) => {
      const writes = Array.from({ length: 20_000 }, (_, i) => put(engine, `/bg/${i % 100}`, String(i)));
      const last = Math.max(...(await Promise.all(writes)));
      await engine.compact(last);
      let reclaimed = false;
      const idle = engine.idle().then(() => (reclaimed = true));
      const during = await put(engine, '/bg/during', 'x');
      assert.equal(during, last + 1);
      assert.equal(reclaimed, false, 'the write was acknowledged before reclaiming finished');
      await idle;
      assert.equal(engine.stats().historyRows, 101, 'one row per live key is left');
    });
  });
});

describe('engine over a backend made durable by sync()', () => {
  /** A memory backend whose sync() is held until the test releases it. */
  function heldSync() {
    const backend: Backend = new MemoryBackend();
    const pending: { resolve(): void; reject(err: Error): void }[] = [];
    let calls = 0;
    backend.sync = () => {
      calls++;
      return new Promise<void>((resolve, reject) => pending.push({ resolve, reject }));
    };
    return { backend, pending, calls: () => calls };
  }
  const tick = () => new Promise((r) => setImmediate(r));

  it('publishes and acknowledges a commit only once it is synced; batches committed meanwhile share the next sync', async () => {
    const { backend, pending, calls } = heldSync();
    const engine = new Engine(backend);
    try {
      const watch = engine.watch({ key: bytes('/d/'), end: prefixEnd(bytes('/d/')) });
      const seen: number[] = [];
      void (async () => {
        for await (const batch of watch) seen.push(...batch.map((e) => e.kv.modRevision));
      })().catch(() => {});
      let acked = 0;
      const first = put(engine, '/d/a', '1').then((r) => (acked++, r));
      await tick();
      assert.equal(calls(), 1, 'the first commit is being synced');
      // Committed: a read sees it; but no watcher and no writer has heard of it.
      assert.equal(text((await engine.range(bytes('/d/a'))).kvs[0].value), '1');
      const second = put(engine, '/d/b', '2').then((r) => (acked++, r));
      const third = put(engine, '/d/c', '3').then((r) => (acked++, r));
      await tick();
      const published = engine.published();
      let isPublished = false;
      void published.then(() => (isPublished = true));
      assert.equal(calls(), 1, 'one sync at a time');
      assert.equal(acked, 0);
      assert.deepEqual(seen, []);
      assert.equal(isPublished, false);
      pending.shift()!.resolve();
      assert.equal(await first, 1);
      await tick();
      assert.deepEqual(seen, [1]);
      assert.equal(acked, 1, 'the later batch waits for its own sync');
      assert.equal(isPublished, false, 'published() covers what was committed when it was called');
      assert.equal(calls(), 2, 'the batches committed meanwhile share one sync');
      pending.shift()!.resolve();
      assert.deepEqual([await second, await third], [2, 3]);
      await published;
      await tick();
      assert.deepEqual(seen, [1, 2, 3]);
      // A watch opened from a revision that was read but not yet published gets it once it is.
      const late = put(engine, '/d/e', '4');
      await tick();
      const fromRead = (await engine.range(bytes('/d/e'))).kvs[0].modRevision;
      const resumed = engine.watch({ key: bytes('/d/'), end: prefixEnd(bytes('/d/')), startRevision: fromRead });
      pending.shift()!.resolve();
      await late;
      const events = await collect(resumed, (ev) => ev.length >= 1, 2_000);
      assert.deepEqual(events.map((e) => text(e.kv.value)), ['4']);
      watch.close();
    } finally {
      const closing = engine.close();
      for (const p of pending.splice(0)) p.resolve();
      await closing;
    }
  });

  it('a failed sync fails its writers and every write after it', async () => {
    const { backend, pending } = heldSync();
    const engine = new Engine(backend);
    try {
      const write = put(engine, '/f/a', '1');
      await tick();
      const published = engine.published();
      pending.shift()!.reject(new Error('EIO'));
      await assert.rejects(write, (err: unknown) => err instanceof UnavailableError && /EIO/.test(err.message));
      await assert.rejects(published, UnavailableError, 'a consistent read waiting for it fails rather than hangs');
      await assert.rejects(put(engine, '/f/b', '2'), UnavailableError);
      await assert.rejects(engine.published(), UnavailableError);
    } finally {
      await engine.close();
    }
  });
});
