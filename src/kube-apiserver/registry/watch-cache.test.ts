import assert from 'node:assert/strict';
import { it } from 'node:test';
import { StatusError } from '../../machinery/status.ts';
import { bytes } from '../../store/keys.ts';
import { openMemoryStore } from '../../store/memory/memory-store.ts';
import type { Store } from '../../store/store.ts';
import { WatchCache, type CacheEvent } from './watch-cache.ts';

const put = async (store: Store, key: string, value: object) =>
  (await store.txn({ compare: [], success: [{ type: 'put', key: bytes(key), value: bytes(JSON.stringify(value)) }] })).revision;
const del = async (store: Store, key: string) => (await store.txn({ compare: [], success: [{ type: 'delete', key: bytes(key) }] })).revision;

async function take(events: AsyncIterable<CacheEvent[]>, n: number): Promise<CacheEvent[]> {
  const out: CacheEvent[] = [];
  for await (const batch of events) {
    out.push(...batch);
    if (out.length >= n) break;
  }
  return out;
}

it('serves lists from memory and watches from any revision in its window', async () => {
  const store = openMemoryStore();
  const cache = new WatchCache(store, '/registry/things/', { capacity: 3 });
  try {
    await put(store, '/registry/things/a/x', { metadata: { name: 'x' } });
    await cache.start();
    assert.deepEqual(cache.list().map((o) => o.metadata?.name), ['x']);
    const r1 = await put(store, '/registry/things/a/y', { metadata: { name: 'y' } });
    const r2 = await put(store, '/registry/things/b/z', { metadata: { name: 'z' } });
    const r3 = await del(store, '/registry/things/a/x');
    await put(store, '/registry/other/q', { metadata: { name: 'q' } });
    assert.ok(await cache.waitForRevision(r3, 1000));
    assert.deepEqual(cache.list('/registry/things/a/').map((o) => o.metadata?.name), ['y']);
    const events = await take(cache.watch(r1 - 1, () => true).events, 3);
    assert.deepEqual(events.map((e) => [e.type, e.object.metadata?.name, e.revision]), [
      ['ADDED', 'y', r1],
      ['ADDED', 'z', r2],
      ['DELETED', 'x', r3],
    ]);
    assert.equal(events[2].object.metadata?.resourceVersion, String(r3), 'a DELETED object carries the revision of the delete');
    const r4 = await put(store, '/registry/things/a/y', { metadata: { name: 'y' }, v: 2 });
    assert.throws(() => cache.watch(r1 - 1, () => true), (err: unknown) => err instanceof StatusError && err.code === 410, 'a revision out of the window is gone');
    const live = cache.watch(r4, (e) => e.key.startsWith('/registry/things/a/'));
    const next = take(live.events, 1);
    await put(store, '/registry/things/b/z', { metadata: { name: 'z' }, v: 2 });
    const r6 = await put(store, '/registry/things/a/y', { metadata: { name: 'y' }, v: 3 });
    const [modified] = await next;
    assert.equal(modified.type, 'MODIFIED');
    assert.equal(modified.revision, r6);
    assert.equal((modified.prevObject as { v?: number }).v, 2);
    live.close();
  } finally {
    cache.close();
    await store.close();
  }
});
