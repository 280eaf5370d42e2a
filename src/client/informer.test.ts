// The reflector and informer against a scripted ListerWatcher and a FakeClock: paging,
// resuming watches, re-listing on 410, back-off, tombstones, resync and stop.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { KubeObject } from '../api/kind.ts';
import { FakeClock } from '../machinery/fake-clock.ts';
import { gone, internalError } from '../machinery/status.ts';
import { DeletedFinalStateUnknown, deletionHandlingKey, SharedIndexInformer, type ResourceEventHandler } from './informer.ts';
import type { ListerWatcher, ListPageOptions, WatchFromOptions } from './reflector.ts';
import type { KubeList, WatchEvent, WatchStream } from './rest-client.ts';

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (cond()) return;
    await flush();
  }
  assert.fail(`timed out waiting for ${what}`);
}

class FakeStream implements WatchStream<KubeObject> {
  readonly options: WatchFromOptions;
  closed = false;
  #items: (WatchEvent<KubeObject> | { end: true } | { error: unknown })[] = [];
  #wake: (() => void) | undefined;

  constructor(options: WatchFromOptions) {
    this.options = options;
  }
  push(event: WatchEvent<KubeObject>): void {
    this.#items.push(event);
    this.#wake?.();
  }
  end(): void {
    this.#items.push({ end: true });
    this.#wake?.();
  }
  fail(error: unknown): void {
    this.#items.push({ error });
    this.#wake?.();
  }
  close(): void {
    this.closed = true;
    this.#wake?.();
  }
  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent<KubeObject>> {
    for (;;) {
      if (this.closed) return;
      const next = this.#items.shift();
      if (!next) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        continue;
      }
      if ('end' in next) return;
      if ('error' in next) throw next.error;
      yield next;
    }
  }
}

class FakeListerWatcher implements ListerWatcher<KubeObject> {
  lists: ListPageOptions[] = [];
  streams: FakeStream[] = [];
  watchErrors: unknown[] = [];
  listFn: (options: ListPageOptions) => KubeList<KubeObject> = () => ({ metadata: { resourceVersion: '1' }, items: [] });

  async list(options: ListPageOptions): Promise<KubeList<KubeObject>> {
    this.lists.push(options);
    return structuredClone(this.listFn(options));
  }
  async watch(options: WatchFromOptions, signal: AbortSignal): Promise<WatchStream<KubeObject>> {
    const err = this.watchErrors.shift();
    if (err) throw err;
    const stream = new FakeStream(options);
    signal.addEventListener('abort', () => stream.close(), { once: true });
    this.streams.push(stream);
    return stream;
  }
  get stream(): FakeStream {
    return this.streams[this.streams.length - 1];
  }
}

function cm(name: string, rv: string, data: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'ns', name, resourceVersion: rv }, data };
}

type Seen = (string | [string, string, string?])[];

/** A handler that records what it hears as compact tuples. */
function recorder(): { seen: Seen; handler: ResourceEventHandler<KubeObject> } {
  const seen: Seen = [];
  return {
    seen,
    handler: {
      onAdd: (o, initial) => seen.push([initial ? 'add(initial)' : 'add', `${o.metadata!.name}@${o.metadata!.resourceVersion}`]),
      onUpdate: (o, n) => seen.push(['update', `${o.metadata!.name}@${o.metadata!.resourceVersion}`, `${n.metadata!.name}@${n.metadata!.resourceVersion}`]),
      onDelete: (o) => {
        if (o instanceof DeletedFinalStateUnknown) {
          assert.equal(deletionHandlingKey(o), o.key);
          seen.push(['delete(tombstone)', o.key, o.obj.metadata!.resourceVersion]);
        } else {
          assert.equal(deletionHandlingKey(o), `ns/${o.metadata!.name}`);
          seen.push(['delete', `${o.metadata!.name}@${o.metadata!.resourceVersion}`]);
        }
      },
    },
  };
}

const connectionRefused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });

describe('reflector and informer', () => {
  let informer: SharedIndexInformer | undefined;
  let clock: FakeClock;
  afterEach(async () => {
    await informer?.stop();
    assert.equal(clock.pendingTimers, 0, 'stop leaves no timer behind');
    informer = undefined;
  });

  function start(lw: FakeListerWatcher, handler?: ResourceEventHandler<KubeObject>, resyncPeriodMs = 0): SharedIndexInformer {
    clock = new FakeClock();
    informer = new SharedIndexInformer(lw, { clock, random: () => 0, minWatchTimeoutSeconds: 300, resyncPeriodMs });
    if (handler) informer.addEventHandler(handler);
    informer.start();
    return informer;
  }

  it('lists in pages from resourceVersion 0, then watches from the list version with bookmarks', async () => {
    const lw = new FakeListerWatcher();
    lw.listFn = (o) => (o.continue ? { metadata: { resourceVersion: '10' }, items: [cm('b', '9')] } : { metadata: { resourceVersion: '10', continue: 'c1' }, items: [cm('a', '5')] });
    const { seen, handler } = recorder();
    const inf = start(lw, handler);
    assert.equal(inf.hasSynced(), false);
    assert.equal(await inf.waitForSync(), true);
    assert.deepEqual(lw.lists, [{ resourceVersion: '0', limit: 500 }, { limit: 500, continue: 'c1' }]);
    assert.deepEqual(seen, [['add(initial)', 'a@5'], ['add(initial)', 'b@9']]);
    await until(() => lw.streams.length === 1, 'the watch');
    assert.deepEqual(lw.stream.options, { resourceVersion: '10', timeoutSeconds: 300, allowWatchBookmarks: true });
    assert.deepEqual(inf.indexer.listKeys().sort(), ['ns/a', 'ns/b']);
    assert.equal(inf.lastSyncResourceVersion, '10');
  });

  it('applies events in order and resumes from the last version seen (bookmarks too) when the watch ends', async () => {
    const lw = new FakeListerWatcher();
    lw.listFn = () => ({ metadata: { resourceVersion: '10' }, items: [cm('a', '5'), cm('b', '9')] });
    const { seen, handler } = recorder();
    const inf = start(lw, handler);
    await until(() => lw.streams.length === 1, 'the watch');
    lw.stream.push({ type: 'ADDED', object: cm('c', '11') });
    lw.stream.push({ type: 'MODIFIED', object: cm('a', '12', { k: 'v' }) });
    lw.stream.push({ type: 'DELETED', object: cm('b', '13') });
    lw.stream.push({ type: 'BOOKMARK', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: '20' } } });
    await until(() => inf.lastSyncResourceVersion === '20', 'the bookmark');
    assert.deepEqual(seen.slice(2), [['add', 'c@11'], ['update', 'a@5', 'a@12'], ['delete', 'b@13']]);
    assert.deepEqual(inf.lister.namespace('ns').get('a')?.data, { k: 'v' });
    assert.throws(() => ((inf.lister.namespace('ns').get('a')!.data as Record<string, string>).k = 'x'), TypeError, 'cached objects are frozen');

    lw.stream.end();
    await until(() => lw.streams.length === 2, 'the second watch');
    assert.equal(lw.streams[1].options.resourceVersion, '20');
    assert.equal(lw.lists.length, 1, 'no re-list');
  });

  it('re-lists after a 410 ERROR event: at the last version, then from scratch; vanished objects come as tombstones', async () => {
    const lw = new FakeListerWatcher();
    lw.listFn = () => ({ metadata: { resourceVersion: '10' }, items: [cm('a', '5'), cm('b', '9')] });
    const { seen, handler } = recorder();
    const inf = start(lw, handler);
    await until(() => lw.streams.length === 1, 'the watch');
    lw.listFn = (o) => {
      if (o.resourceVersion === '10') throw gone('too old resource version: 10 (25)');
      return { metadata: { resourceVersion: '30' }, items: [cm('a', '28'), cm('d', '29')] };
    };
    lw.stream.push({ type: 'ERROR', object: gone('too old resource version: 10 (25)').status });
    await until(() => lw.stream.closed && clock.pendingTimers === 1, 'the watch to close and the back-off to start');
    assert.equal(lw.lists.length, 1);
    clock.advance(799);
    await flush();
    assert.equal(lw.lists.length, 1, 'waits out the back-off');
    clock.advance(1);
    await until(() => lw.streams.length === 2, 'the watch after the re-list');
    // A concrete version is listed whole (so a watch cache can serve it), the retry with the same pager.
    assert.deepEqual(lw.lists.slice(1), [{ resourceVersion: '10', limit: undefined }, { resourceVersion: '', limit: undefined }]);
    assert.deepEqual(seen.slice(2), [['update', 'a@5', 'a@28'], ['add', 'd@29'], ['delete(tombstone)', 'ns/b', '9']]);
    assert.equal(lw.stream.options.resourceVersion, '30');
    assert.deepEqual(inf.indexer.listKeys().sort(), ['ns/a', 'ns/d']);
  });

  it('a watch refused by the server backs off and resumes without re-listing', async () => {
    const lw = new FakeListerWatcher();
    lw.listFn = () => ({ metadata: { resourceVersion: '10' }, items: [] });
    start(lw);
    await until(() => lw.streams.length === 1, 'the watch');
    lw.stream.push({ type: 'ADDED', object: cm('a', '11') });
    lw.watchErrors.push(connectionRefused, connectionRefused);
    lw.stream.end();
    await until(() => clock.pendingTimers === 1, 'the back-off');
    clock.advance(800);
    await until(() => clock.pendingTimers === 1, 'the second back-off');
    assert.equal(lw.streams.length, 1);
    clock.advance(1600);
    await until(() => lw.streams.length === 2, 'the resumed watch');
    assert.equal(lw.stream.options.resourceVersion, '11');
    assert.equal(lw.lists.length, 1);
  });

  it('a connection that breaks mid-stream is resumed like a close', async () => {
    const lw = new FakeListerWatcher();
    lw.listFn = () => ({ metadata: { resourceVersion: '10' }, items: [] });
    start(lw);
    await until(() => lw.streams.length === 1, 'the watch');
    lw.stream.push({ type: 'ADDED', object: cm('a', '11') });
    lw.stream.fail(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    await until(() => lw.streams.length === 2, 'the resumed watch');
    assert.equal(lw.stream.options.resourceVersion, '11');
    assert.equal(lw.lists.length, 1);
  });

  it('a watch that ends at once with nothing is a failure: re-list after back-off', async () => {
    const lw = new FakeListerWatcher();
    lw.listFn = () => ({ metadata: { resourceVersion: '10' }, items: [] });
    start(lw);
    await until(() => lw.streams.length === 1, 'the watch');
    lw.stream.end();
    await until(() => clock.pendingTimers === 1, 'the back-off');
    assert.equal(lw.lists.length, 1);
    clock.advance(800);
    await until(() => lw.lists.length === 2, 'the re-list');
    assert.equal(lw.lists[1].resourceVersion, '10');
  });

  it('list failures back off exponentially on the clock', async () => {
    const lw = new FakeListerWatcher();
    lw.listFn = () => {
      throw internalError('etcd is down');
    };
    const inf = start(lw);
    await until(() => lw.lists.length === 1, 'the first list');
    for (const wait of [800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]) {
      const before = lw.lists.length;
      await until(() => clock.pendingTimers === 1, 'the back-off timer');
      clock.advance(wait - 1);
      await flush();
      assert.equal(lw.lists.length, before, `still waiting ${wait} ms`);
      clock.advance(1);
      await until(() => lw.lists.length === before + 1, `the list after ${wait} ms`);
    }
    assert.equal(inf.hasSynced(), false);
    lw.listFn = () => ({ metadata: { resourceVersion: '10' }, items: [] });
    clock.advance(30000);
    assert.equal(await inf.waitForSync(), true);
  });

  it('handlers added late get the cache as adds; a failing handler does not stop others; resync re-delivers', async () => {
    const lw = new FakeListerWatcher();
    lw.listFn = () => ({ metadata: { resourceVersion: '10' }, items: [cm('a', '5')] });
    const logged: string[] = [];
    clock = new FakeClock();
    informer = new SharedIndexInformer(lw, { clock, log: (m) => logged.push(m) });
    informer.addEventHandler({
      onAdd: () => {
        throw new Error('boom');
      },
    });
    informer.start();
    await informer.waitForSync();
    const { seen, handler } = recorder();
    const reg = informer.addEventHandler(handler, { resyncPeriodMs: 1000 });
    assert.equal(reg.hasSynced(), true);
    assert.deepEqual(seen, [['add(initial)', 'a@5']]);
    await until(() => lw.streams.length === 1, 'the watch');
    lw.stream.push({ type: 'ADDED', object: cm('b', '11') });
    await until(() => seen.length === 2, 'the add');
    assert.ok(logged.some((m) => m.includes('boom')), 'the failure is logged');
    clock.advance(1000);
    assert.deepEqual(seen.slice(2).map((s) => s[0]), ['update', 'update']);
    reg.remove();
    clock.advance(1000);
    assert.equal(seen.length, 4);
  });

  it('stop closes the watch and ends the run', async () => {
    const lw = new FakeListerWatcher();
    const inf = start(lw);
    await until(() => lw.streams.length === 1, 'the watch');
    await inf.stop();
    assert.equal(lw.stream.closed, true);
    assert.equal(await inf.waitForSync(), true, 'stays synced after stop');
  });

  it('an aborted start signal stops it too, before it synced', async () => {
    const lw = new FakeListerWatcher();
    lw.listFn = () => {
      throw internalError('down');
    };
    clock = new FakeClock();
    const abort = new AbortController();
    informer = new SharedIndexInformer(lw, { clock });
    informer.start(abort.signal);
    const synced = informer.waitForSync();
    await until(() => lw.lists.length === 1, 'the list');
    abort.abort();
    assert.equal(await synced, false);
  });
});
