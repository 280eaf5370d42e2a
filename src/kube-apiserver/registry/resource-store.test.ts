import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/kind.ts';
import { StatusError } from '../../machinery/status.ts';
import { openMemoryStore } from '../../store/memory/memory-store.ts';
import { ResourceStore } from './resource-store.ts';
import { toApiResource } from './resources.ts';
import { selection } from './selection.ts';
import { widgetKind } from './test-kinds.ts';
import { WatchCache } from './watch-cache.ts';

function setup() {
  const store = openMemoryStore();
  const resource = toApiResource(widgetKind);
  const cache = new WatchCache(store, resource.keyPrefix);
  const rs = new ResourceStore(resource, store, cache);
  return { store, rs, cache, close: async () => (cache.close(), await store.close()) };
}

const now = Date.UTC(2026, 0, 1);
const widget = (name: string, spec: Record<string, unknown> = {}, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'example.k8ts.io/v1',
  kind: 'Widget',
  metadata: { name, ...(labels ? { labels } : {}) },
  spec,
});

const reason = (r: string) => (err: unknown) => err instanceof StatusError && err.reason === r;

describe('generic registry store', () => {
  it('creates with server-owned metadata and refuses duplicates', async () => {
    const { rs, close } = setup();
    try {
      const created = await rs.create('ns', { ...widget('a', { size: 1 }), status: { ready: 'forged' } } as KubeObject, { now });
      assert.match(created.metadata!.uid!, /^[0-9a-f-]{36}$/);
      assert.equal(created.metadata!.creationTimestamp, '2026-01-01T00:00:00Z');
      assert.equal(created.metadata!.generation, 1);
      assert.equal(created.metadata!.namespace, 'ns');
      assert.ok(Number(created.metadata!.resourceVersion) > 0);
      await assert.rejects(rs.create('ns', widget('a'), { now }), reason('AlreadyExists'));
      await assert.rejects(rs.create('ns', widget('b', { size: -1 }), { now }), reason('Invalid'));
      const generated = await rs.create('ns', { metadata: { generateName: 'w-' } }, { now });
      assert.match(generated.metadata!.name!, /^w-[a-z0-9]{5}$/);
    } finally {
      await close();
    }
  });

  it('updates with optimistic concurrency; generation counts spec changes only; status is separate', async () => {
    const { rs, close } = setup();
    try {
      const v1 = await rs.create('ns', widget('a', { size: 1 }), { now });
      const { object: v2 } = await rs.update('ns', 'a', (cur) => ({ ...cur!, spec: { size: 2 } }), { now });
      assert.equal(v2.metadata!.generation, 2);
      const { object: v3 } = await rs.update('ns', 'a', (cur) => ({ ...cur!, metadata: { ...cur!.metadata, labels: { x: 'y' } } }), { now });
      assert.equal(v3.metadata!.generation, 2, 'a metadata change is not a new generation');
      await assert.rejects(
        rs.update('ns', 'a', () => ({ ...v1, spec: { size: 9 } }), { now }),
        reason('Conflict'),
        'an update carrying a stale resourceVersion conflicts',
      );
      const { object: v4 } = await rs.update('ns', 'a', (cur) => ({ ...cur!, spec: { size: 100 }, status: { ready: 'yes' } }), { now, subresource: 'status' });
      assert.deepEqual(v4.spec, { size: 2 }, 'a status write leaves spec alone');
      assert.deepEqual(v4.status, { ready: 'yes' });
      const { object: v5 } = await rs.update('ns', 'a', (cur) => ({ ...cur!, status: { ready: 'no' } }), { now });
      assert.deepEqual(v5.status, { ready: 'yes' }, 'a main-resource write leaves status alone');
      assert.equal(v5.metadata!.resourceVersion, v4.metadata!.resourceVersion, 'a write that changes nothing is not stored');
    } finally {
      await close();
    }
  });

  it('deletes at once without finalizers, and waits for finalizers otherwise', async () => {
    const { rs, close } = setup();
    try {
      await rs.create('ns', widget('plain'), { now });
      const plain = await rs.delete('ns', 'plain', { now });
      assert.equal(plain.deleted, true);
      await assert.rejects(rs.get('ns', 'plain'), reason('NotFound'));

      await rs.create('ns', { ...widget('held'), metadata: { name: 'held', finalizers: ['example.com/hold'] } }, { now });
      const held = await rs.delete('ns', 'held', { now: now + 5000 });
      assert.equal(held.deleted, false);
      assert.equal(held.object.metadata!.deletionTimestamp, '2026-01-01T00:00:05Z');
      const fg = await rs.delete('ns', 'held', { now, propagationPolicy: 'Foreground' });
      assert.deepEqual(fg.object.metadata!.finalizers, ['example.com/hold', 'foregroundDeletion']);
      await rs.update('ns', 'held', (cur) => ({ ...cur!, metadata: { ...cur!.metadata, finalizers: ['foregroundDeletion'] } }), { now });
      assert.ok(await rs.get('ns', 'held'));
      await rs.update('ns', 'held', (cur) => ({ ...cur!, metadata: { ...cur!.metadata, finalizers: [] } }), { now });
      await assert.rejects(rs.get('ns', 'held'), reason('NotFound'), 'removing the last finalizer completes the deletion');
      await assert.rejects(rs.delete('ns', 'gone', { now }), reason('NotFound'));
    } finally {
      await close();
    }
  });

  it('pages a list with continue tokens at one revision, and filters by selectors', async () => {
    const { rs, store, close } = setup();
    try {
      for (let i = 0; i < 7; i++) await rs.create('ns', widget(`w${i}`, { color: i % 2 ? 'red' : 'blue' }, { n: String(i % 3) }), { now });
      await rs.create('other', widget('x'), { now });
      const first = await rs.list('ns', { limit: 3 });
      assert.deepEqual(first.items.map((o) => o.metadata!.name), ['w0', 'w1', 'w2']);
      assert.equal(first.remainingItemCount, 4);
      await rs.create('ns', widget('w00'), { now });
      const second = await rs.list('ns', { limit: 3, continue: first.continue });
      assert.deepEqual(second.items.map((o) => o.metadata!.name), ['w3', 'w4', 'w5'], 'later pages read the revision of the first');
      assert.equal(second.resourceVersion, first.resourceVersion);
      const last = await rs.list('ns', { limit: 3, continue: second.continue });
      assert.deepEqual(last.items.map((o) => o.metadata!.name), ['w6']);
      assert.equal(last.continue, undefined);
      const red = await rs.list('', { filter: selection(rs.resource, 'n in (0,1)', 'spec.color=red') });
      assert.deepEqual(red.items.map((o) => o.metadata!.name), ['w1', 'w3']);
      const all = await rs.list('', {});
      assert.equal(all.items.length, 9);
      await store.compact(Number(all.resourceVersion));
      await assert.rejects(rs.list('ns', { limit: 3, continue: first.continue }), reason('Expired'));
      await assert.rejects(rs.list('ns', { continue: 'garbage' }), reason('BadRequest'));
      const cached = await rs.list('ns', { resourceVersion: '0' });
      assert.equal(cached.items.length, 8, 'resourceVersion=0 is served from the watch cache');
    } finally {
      await close();
    }
  });
});
