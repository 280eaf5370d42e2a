// The store contract as tests: every driver runs this same suite (memory, sqlite, etcd).
// Tests share one store per driver, so each works under its own key prefix and reasons
// about revisions relative to what it wrote.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CompactedError, FutureRevisionError, InvalidRequestError, LeaseNotFoundError } from './errors.ts';
import { bytes, prefixEnd, text } from './keys.ts';
import type { KeyValue, Store, Watch, WatchEvent } from './store.ts';

export interface ContractTarget {
  /** Why the driver cannot run here (the suite is skipped with this message), if it can't. */
  unavailable?(): string | undefined;
  /** Opens a store on fresh data. */
  open(): Promise<Store>;
  /** Closes the store and opens it again on the same data, for drivers that persist. */
  reopen?(store: Store): Promise<Store>;
  /** Removes what the opened stores left (called once, after every test). */
  cleanup?(): Promise<void>;
}

let unique = 0;
function prefix(name: string): string {
  return `/contract/${process.pid}-${Date.now()}-${unique++}/${name}/`;
}

async function put(store: Store, key: string, value: string, lease?: bigint): Promise<number> {
  const r = await store.txn({ compare: [], success: [{ type: 'put', key: bytes(key), value: bytes(value), lease }] });
  return r.revision;
}

async function get(store: Store, key: string, revision?: number): Promise<KeyValue | undefined> {
  const r = await store.range(bytes(key), { revision });
  return r.kvs[0];
}

async function del(store: Store, key: string): Promise<number> {
  const r = await store.txn({ compare: [], success: [{ type: 'delete', key: bytes(key) }] });
  return r.revision;
}

/** Reads events from a watch until `until` says stop or the deadline passes. */
export async function collect(watch: Watch, until: (events: WatchEvent[]) => boolean, timeoutMs = 10_000): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  const timer = setTimeout(() => watch.close(), timeoutMs);
  try {
    for await (const batch of watch) {
      events.push(...batch);
      if (until(events)) break;
    }
  } finally {
    clearTimeout(timer);
    watch.close();
  }
  return events;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function storeContract(name: string, target: ContractTarget): void {
  describe(`store contract: ${name}`, () => {
    after(async () => {
      await target.cleanup?.();
    });
    sharedStoreTests(target);
    if (target.reopen) restartTests(target);
  });
}

function sharedStoreTests(target: ContractTarget): void {
  describe('behaviour', () => {
    let store: Store | undefined;
    const skip = target.unavailable?.();

    before(async () => {
      if (!skip) store = await target.open();
    });
    after(async () => {
      await store?.close();
    });

    const test = (title: string, fn: (s: Store) => Promise<void>, timeout = 60_000) =>
      it(title, { timeout }, async (t) => {
        if (skip) return t.skip(skip);
        await fn(store!);
      });

    test('each change advances the revision by one and keeps per-key revisions', async (s) => {
      const p = prefix('rev');
      const r1 = await put(s, p + 'a', '1');
      const r2 = await put(s, p + 'a', '2');
      const r3 = await put(s, p + 'b', '1');
      assert.equal(r2, r1 + 1);
      assert.equal(r3, r2 + 1);
      const a = await get(s, p + 'a');
      assert.ok(a);
      assert.equal(text(a.value), '2');
      assert.equal(a.createRevision, r1);
      assert.equal(a.modRevision, r2);
      assert.equal(a.version, 2);
      const r4 = await del(s, p + 'a');
      assert.equal(r4, r3 + 1);
      assert.equal(await get(s, p + 'a'), undefined);
      const r5 = await put(s, p + 'a', '3');
      const again = await get(s, p + 'a');
      assert.equal(again?.createRevision, r5, 'a re-created key starts a new life');
      assert.equal(again?.version, 1);
    });

    test('a write that changes nothing does not advance the revision', async (s) => {
      const p = prefix('noop');
      const r1 = await put(s, p + 'x', 'v');
      const missing = await s.txn({ compare: [], success: [{ type: 'delete', key: bytes(p + 'missing') }] });
      assert.equal(missing.revision, r1);
      assert.deepEqual(missing.results, [{ type: 'delete', deleted: 0, prevKvs: [] }]);
      const failed = await s.txn({ compare: [{ key: bytes(p + 'x'), modRevision: r1 + 100 }], success: [{ type: 'put', key: bytes(p + 'x'), value: bytes('no') }] });
      assert.equal(failed.succeeded, false);
      assert.equal(failed.revision, r1);
      assert.equal(text((await get(s, p + 'x'))!.value), 'v');
    });

    test('range by prefix in byte order, with limit, more, count and count only', async (s) => {
      const p = prefix('range');
      const names = ['b', 'a', 'c/1', 'c', 'd'];
      for (const n of names) await put(s, p + n, n);
      await put(s, p.slice(0, -1) + 'x', 'outside');
      const all = await s.range(bytes(p), { end: prefixEnd(bytes(p)) });
      assert.deepEqual(all.kvs.map((kv) => text(kv.key).slice(p.length)), ['a', 'b', 'c', 'c/1', 'd']);
      assert.equal(all.count, 5);
      assert.equal(all.more, false);
      const two = await s.range(bytes(p), { end: prefixEnd(bytes(p)), limit: 2 });
      assert.deepEqual(two.kvs.map((kv) => text(kv.value)), ['a', 'b']);
      assert.equal(two.count, 5);
      assert.equal(two.more, true);
      const counted = await s.range(bytes(p), { end: prefixEnd(bytes(p)), countOnly: true });
      assert.equal(counted.count, 5);
      assert.equal(counted.kvs.length, 0);
      const rest = await s.range(bytes(p + 'c\0'), { end: prefixEnd(bytes(p)) });
      assert.deepEqual(rest.kvs.map((kv) => text(kv.value)), ['c/1', 'd'], 'continuing after a key, as pagination does');
      const fromKey = await s.range(bytes(p + 'c/1'), { end: new Uint8Array([0]) });
      assert.ok(fromKey.kvs.length >= 2, 'an end of one zero byte means every key from here on');
      assert.equal(text(fromKey.kvs[0].value), 'c/1');
    });

    test('keys and values are bytes, not text', async (s) => {
      const p = bytes(prefix('bytes'));
      const key = new Uint8Array([...p, 0xff, 0x00, 0x80]);
      const value = new Uint8Array([0, 1, 2, 0xfe, 0xff]);
      await s.txn({ compare: [], success: [{ type: 'put', key, value }] });
      const low = new Uint8Array([...p, 0x01]);
      await s.txn({ compare: [], success: [{ type: 'put', key: low, value }] });
      const r = await s.range(p, { end: prefixEnd(p) });
      assert.deepEqual(r.kvs.map((kv) => [...kv.key]), [[...low], [...key]]);
      assert.deepEqual([...r.kvs[1].value], [...value]);
    });

    test('range at a past revision sees the values of then', async (s) => {
      const p = prefix('past');
      const r1 = await put(s, p + 'a', 'old');
      await put(s, p + 'b', 'b');
      await put(s, p + 'a', 'new');
      await del(s, p + 'b');
      const then = await s.range(bytes(p), { end: prefixEnd(bytes(p)), revision: r1 + 1 });
      assert.deepEqual(then.kvs.map((kv) => [text(kv.key).slice(p.length), text(kv.value)]), [['a', 'old'], ['b', 'b']]);
      assert.equal(then.count, 2);
      const limited = await s.range(bytes(p), { end: prefixEnd(bytes(p)), revision: r1 + 1, limit: 1 });
      assert.equal(limited.kvs.length, 1);
      assert.equal(limited.more, true);
      const now = await s.range(bytes(p), { end: prefixEnd(bytes(p)) });
      assert.deepEqual(now.kvs.map((kv) => text(kv.value)), ['new']);
      await assert.rejects(s.range(bytes(p), { revision: now.revision + 1000 }), FutureRevisionError);
    });

    test('compare-and-swap: create if absent, update and delete if unchanged', async (s) => {
      const p = prefix('cas');
      const key = bytes(p + 'obj');
      const create = () =>
        s.txn({
          compare: [{ key, modRevision: 0 }],
          success: [{ type: 'put', key, value: bytes('v1') }],
          failure: [{ type: 'range', key }],
        });
      const first = await create();
      assert.equal(first.succeeded, true);
      const second = await create();
      assert.equal(second.succeeded, false, 'create of an existing key fails');
      assert.equal(second.revision, first.revision);
      const current = second.results[0];
      assert.equal(current.type, 'range');
      assert.equal(current.type === 'range' && text(current.kvs[0].value), 'v1', 'the failure branch reads the current value');

      const stale = await s.txn({ compare: [{ key, modRevision: first.revision - 1 }], success: [{ type: 'put', key, value: bytes('lost') }] });
      assert.equal(stale.succeeded, false, 'update against a stale revision fails');
      const update = await s.txn({ compare: [{ key, modRevision: first.revision }], success: [{ type: 'put', key, value: bytes('v2'), prevKv: true }] });
      assert.equal(update.succeeded, true);
      assert.equal(update.results[0].type === 'put' && update.results[0].prevKv && text(update.results[0].prevKv.value), 'v1');

      const staleDelete = await s.txn({ compare: [{ key, modRevision: first.revision }], success: [{ type: 'delete', key }] });
      assert.equal(staleDelete.succeeded, false);
      const remove = await s.txn({ compare: [{ key, modRevision: update.revision }], success: [{ type: 'delete', key }] });
      assert.equal(remove.succeeded, true);
      assert.equal(remove.results[0].type === 'delete' && text(remove.results[0].prevKvs[0].value), 'v2');
      assert.equal(await get(s, p + 'obj'), undefined);
    });

    test('a transaction is one revision, and may not write a key twice', async (s) => {
      const p = prefix('multi');
      const r = await s.txn({
        compare: [],
        success: [
          { type: 'put', key: bytes(p + 'a'), value: bytes('1') },
          { type: 'put', key: bytes(p + 'b'), value: bytes('2') },
        ],
      });
      assert.equal((await get(s, p + 'a'))?.modRevision, r.revision);
      assert.equal((await get(s, p + 'b'))?.modRevision, r.revision);
      await assert.rejects(
        s.txn({ compare: [], success: [{ type: 'put', key: bytes(p + 'a'), value: bytes('x') }, { type: 'put', key: bytes(p + 'a'), value: bytes('y') }] }),
        InvalidRequestError,
      );
      assert.equal(text((await get(s, p + 'a'))!.value), '1', 'a refused transaction changes nothing');
    });

    test('concurrent compare-and-swap updates: each wins exactly once, none is lost', async (s) => {
      const p = prefix('counter');
      const key = bytes(p + 'n');
      await s.txn({ compare: [], success: [{ type: 'put', key, value: bytes('0') }] });
      let conflicts = 0;
      const increment = async () => {
        for (;;) {
          const cur = (await s.range(key)).kvs[0];
          const next = String(Number(text(cur.value)) + 1);
          const r = await s.txn({ compare: [{ key, modRevision: cur.modRevision }], success: [{ type: 'put', key, value: bytes(next) }] });
          if (r.succeeded) return r.revision;
          conflicts++;
        }
      };
      const revisions = await Promise.all(Array.from({ length: 20 }, increment));
      assert.equal(text((await s.range(key)).kvs[0].value), '20');
      assert.equal(new Set(revisions).size, 20, 'every successful update has its own revision');
      assert.ok(conflicts > 0, 'concurrent updates of one key conflict');
    });

    test('watch from a past revision: every change in order, no gap, no duplicate', async (s) => {
      const p = prefix('watch');
      const start = await put(s, p + 'k0', 'v0');
      const expected: number[] = [start];
      for (let i = 1; i < 50; i++) expected.push(await put(s, p + 'k' + (i % 7), 'v' + i));
      expected.push(await del(s, p + 'k3'));
      await put(s, p.slice(0, -1) + '-other/x', 'not watched');
      const watch = s.watch({ key: bytes(p), end: prefixEnd(bytes(p)), startRevision: start, prevKv: true });
      const writer = (async () => {
        for (let i = 50; i < 100; i++) expected.push(await put(s, p + 'k' + (i % 7), 'v' + i));
      })();
      const events = await collect(watch, (ev) => ev.length >= 101);
      await writer;
      assert.deepEqual(events.map((e) => e.kv.modRevision), expected);
      const update = events.find((e) => e.type === 'put' && text(e.kv.value) === 'v7');
      assert.equal(update?.prevKv && text(update.prevKv.value), 'v0', 'an update carries the previous value');
      const deletion = events.find((e) => e.type === 'delete');
      assert.equal(deletion && text(deletion.kv.key), p + 'k3');
      assert.equal(deletion?.prevKv && text(deletion.prevKv.value), 'v45', 'a delete carries the deleted value');
    });

    test('watch without a start revision sees only what comes after', async (s) => {
      const p = prefix('watch-new');
      await put(s, p + 'before', 'x');
      const watch = s.watch({ key: bytes(p), end: prefixEnd(bytes(p)) });
      await new Promise((r) => setTimeout(r, 100));
      const r = await put(s, p + 'after', 'y');
      const events = await collect(watch, (ev) => ev.length >= 1);
      assert.deepEqual(events.map((e) => [e.type, text(e.kv.key).slice(p.length), e.kv.modRevision]), [['put', 'after', r]]);
      assert.equal(events[0].prevKv, undefined, 'no previous value unless asked');
    });

    test('watch of a single key ignores its neighbours', async (s) => {
      const p = prefix('watch-key');
      const start = await put(s, p + 'a', '1');
      await put(s, p + 'ab', 'neighbour');
      const r = await put(s, p + 'a', '2');
      const events = await collect(s.watch({ key: bytes(p + 'a'), startRevision: start }), (ev) => ev.length >= 2);
      assert.deepEqual(events.map((e) => e.kv.modRevision), [start, r]);
    });

    test('a hundred watchers each get every event', async (s) => {
      const p = prefix('fanout');
      const watches = Array.from({ length: 100 }, () => s.watch({ key: bytes(p), end: prefixEnd(bytes(p)) }));
      await new Promise((r) => setTimeout(r, 200));
      const results = watches.map((w) => collect(w, (ev) => ev.length >= 3));
      const revs = [await put(s, p + 'a', '1'), await put(s, p + 'b', '2'), await del(s, p + 'a')];
      for (const events of await Promise.all(results)) assert.deepEqual(events.map((e) => e.kv.modRevision), revs);
    });

    test('compaction: reads and watches below it fail with CompactedError, history at and above it stays', async (s) => {
      const p = prefix('compact');
      const r1 = await put(s, p + 'a', '1');
      const r2 = await put(s, p + 'a', '2');
      await put(s, p + 'b', '1');
      await del(s, p + 'b');
      const r5 = await put(s, p + 'a', '3');
      await s.compact(r2);
      await assert.rejects(s.range(bytes(p + 'a'), { revision: r1 }), (err: unknown) => err instanceof CompactedError);
      assert.equal(text((await get(s, p + 'a', r2))!.value), '2', 'the compact revision itself is still readable');
      const later = await s.range(bytes(p), { end: prefixEnd(bytes(p)), revision: r2 + 1 });
      assert.deepEqual(later.kvs.map((kv) => text(kv.key).slice(p.length)), ['a', 'b']);
      const watch = s.watch({ key: bytes(p), end: prefixEnd(bytes(p)), startRevision: r1 });
      await assert.rejects(collect(watch, () => true), (err: unknown) => err instanceof CompactedError && err.compactRevision >= r2);
      const fromCompact = await collect(s.watch({ key: bytes(p), end: prefixEnd(bytes(p)), startRevision: r2 }), (ev) => ev.length >= 4);
      assert.deepEqual(fromCompact.map((e) => e.kv.modRevision), [r2, r2 + 1, r2 + 2, r5]);
      await assert.rejects(s.compact(r1), CompactedError, 'compacting below the compact revision fails');
      // Writes go on while history is reclaimed in the background.
      const after = await put(s, p + 'c', 'after');
      assert.equal((await get(s, p + 'c'))?.modRevision, after);
    });

    test('lease expiry deletes the attached keys, and watchers see the delete', async (s) => {
      const p = prefix('lease');
      const id = await s.grantLease(2);
      await put(s, p + 'event', 'e', id);
      await put(s, p + 'plain', 'p');
      const status = await s.leaseTimeToLive(id);
      assert.ok(status && status.ttl > 0 && status.ttl <= 2 && status.grantedTtl === 2);
      assert.deepEqual(status.keys.map(text), [p + 'event']);
      const watch = s.watch({ key: bytes(p), end: prefixEnd(bytes(p)), prevKv: true });
      const seen = collect(watch, (ev) => ev.some((e) => e.type === 'delete'), 15_000);
      await waitFor(async () => (await get(s, p + 'event')) === undefined, 15_000);
      const events = await seen;
      const deletion = events.find((e) => e.type === 'delete');
      assert.equal(deletion && text(deletion.kv.key), p + 'event');
      assert.ok(await get(s, p + 'plain'), 'keys without the lease stay');
      assert.equal(await s.leaseTimeToLive(id), undefined);
      await assert.rejects(s.keepAliveLease(id), LeaseNotFoundError);
      await assert.rejects(put(s, p + 'late', 'x', id), LeaseNotFoundError);
    });

    test('lease keep-alive renews, revoke deletes keys at once, rebinding a key detaches it', async (s) => {
      const p = prefix('lease-revoke');
      const id = await s.grantLease(30);
      await put(s, p + 'a', '1', id);
      await put(s, p + 'b', '1', id);
      await put(s, p + 'b', 'no lease now');
      assert.equal(await s.keepAliveLease(id), 30);
      await s.revokeLease(id);
      assert.equal(await get(s, p + 'a'), undefined);
      assert.equal(text((await get(s, p + 'b'))!.value), 'no lease now');
      await s.revokeLease(id);
    });
  });

}

function restartTests(target: ContractTarget): void {
  {
    describe('restart', () => {
      it('keeps every acknowledged write, the history, compaction and leases across a restart', async (t) => {
        const skip = target.unavailable?.();
        if (skip) return t.skip(skip);
        let s = await target.open();
        try {
          const p = prefix('restart');
          const id = await s.grantLease(60);
          const r1 = await put(s, p + 'a', '1');
          const r2 = await put(s, p + 'a', '2');
          await s.compact(r2);
          await put(s, p + 'leased', 'x', id);
          // Acknowledged concurrently, in one group commit.
          const revs = await Promise.all(Array.from({ length: 50 }, (_, i) => put(s, p + 'n' + i, String(i))));
          const last = Math.max(...revs);
          s = await target.reopen!(s);
          const all = await s.range(bytes(p), { end: prefixEnd(bytes(p)) });
          assert.equal(all.count, 52);
          assert.equal(all.revision, last);
          assert.equal(text((await get(s, p + 'a', r2))!.value), '2');
          await assert.rejects(s.range(bytes(p + 'a'), { revision: r1 }), CompactedError);
          assert.deepEqual((await s.leaseTimeToLive(id))?.keys.map(text), [p + 'leased']);
          const events = await collect(s.watch({ key: bytes(p + 'n'), end: prefixEnd(bytes(p + 'n')), startRevision: r2 }), (ev) => ev.length >= 50);
          assert.equal(events.length, 50);
          assert.equal(await put(s, p + 'z', 'z'), last + 1, 'revisions continue where they stopped');
          await s.revokeLease(id);
        } finally {
          await s.close();
        }
      });
    });
  }
}
