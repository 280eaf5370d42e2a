// What is particular to the etcd driver, against a real etcd: connecting (plain, TLS,
// failover), the shared watch stream surviving a restarted member or a broken
// connection without losing or repeating events, compaction as CompactedError, and
// close() leaving nothing running. The shared contract suite covers the rest.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type EtcdServer, type StartEtcdOptions, requireEtcd, startEtcd } from '../../../test/support/etcd-server.ts';
import { CompactedError, FutureRevisionError, InvalidRequestError, LeaseNotFoundError, UnavailableError } from '../errors.ts';
import { bytes, prefixEnd, text } from '../keys.ts';
import type { Store, Watch, WatchEvent } from '../store.ts';
import { openEtcdStore } from './etcd-store.ts';

const TIMEOUT = 60_000;

/** A started etcd that is stopped (by PID, data dir removed) when the test ends. */
async function etcdFor(t: TestContext, options: StartEtcdOptions = {}): Promise<EtcdServer | undefined> {
  const bin = requireEtcd(t);
  if (!bin) return undefined;
  const etcd = await startEtcd({ ...options, bin });
  t.after(() => etcd.stop());
  return etcd;
}

async function storeFor(t: TestContext, url: string, options?: Parameters<typeof openEtcdStore>[1]): Promise<Store> {
  const store = await openEtcdStore(url, options);
  t.after(() => store.close());
  return store;
}

function put(store: Store, key: string, value: string) {
  return store.txn({ compare: [], success: [{ type: 'put', key: bytes(key), value: bytes(value) }] });
}

/** Reads batches until `count` events arrived; fails after `ms`. */
async function nextEvents(watch: Watch, count: number, ms = 15_000): Promise<WatchEvent[]> {
  const iterator = watch[Symbol.asyncIterator]();
  const events: WatchEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out with ${events.length} of ${count} events`)), ms);
  });
  try {
    while (events.length < count) {
      const next = await Promise.race([iterator.next(), timeout]);
      if (next.done) throw new Error(`watch ended after ${events.length} of ${count} events`);
      events.push(...next.value);
    }
    return events;
  } finally {
    clearTimeout(timer);
  }
}

function summary(events: WatchEvent[]): string[] {
  return events.map((e) => `${e.type} ${text(e.kv.key)}=${text(e.kv.value)}@${e.kv.modRevision}`);
}

/** A TCP relay to etcd whose connections the test can cut, to break a client's streams. */
async function relay(t: TestContext, port: number) {
  const sockets = new Set<net.Socket>();
  let refusing = false;
  const server = net.createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect(port, '127.0.0.1');
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ]) {
      sockets.add(a);
      a.pipe(b);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        sockets.delete(a);
        b.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  t.after(close);
  return {
    port: (server.address() as net.AddressInfo).port,
    /** Cuts every connection and refuses new ones until resume(). */
    cut() {
      refusing = true;
      for (const s of sockets) s.destroy();
    },
    resume() {
      refusing = false;
    },
    close,
  };
}

test('reads, writes and leases round-trip through etcd', { timeout: TIMEOUT }, async (t) => {
  const etcd = await etcdFor(t);
  if (!etcd) return;
  const store = await storeFor(t, etcd.url);

  const created = await store.txn({
    compare: [{ key: bytes('/a/1'), modRevision: 0 }],
    success: [
      { type: 'put', key: bytes('/a/1'), value: bytes('one') },
      { type: 'put', key: bytes('/a/2'), value: bytes('two') },
      { type: 'put', key: bytes('/a/3'), value: bytes('three') },
    ],
  });
  assert.equal(created.succeeded, true);

  // A transaction that changes nothing leaves the revision alone.
  const refused = await store.txn({
    compare: [{ key: bytes('/a/1'), modRevision: 0 }],
    success: [{ type: 'put', key: bytes('/a/1'), value: bytes('again') }],
    failure: [{ type: 'range', key: bytes('/a/1') }],
  });
  assert.equal(refused.succeeded, false);
  assert.equal(refused.revision, created.revision);
  const [current] = refused.results;
  assert.equal(current.type, 'range');
  assert.equal(current.type === 'range' && text(current.kvs[0].value), 'one');

  const all = bytes('/a/');
  const limited = await store.range(all, { end: prefixEnd(all), limit: 2 });
  assert.deepEqual(limited.kvs.map((kv) => text(kv.key)), ['/a/1', '/a/2']);
  assert.equal(limited.count, 3);
  assert.equal(limited.more, true);
  assert.equal(limited.revision, created.revision);
  // Plain Uint8Arrays, comparable with other drivers' values.
  assert.deepEqual(limited.kvs[0].value, bytes('one'));
  assert.deepEqual(limited.kvs[0], {
    key: bytes('/a/1'),
    value: bytes('one'),
    createRevision: created.revision,
    modRevision: created.revision,
    version: 1,
    lease: 0n,
  });

  // Without an end, one key: etcd would read an empty range_end as "to the last key".
  assert.deepEqual((await store.range(bytes('/a/1'))).kvs.map((kv) => text(kv.key)), ['/a/1']);
  assert.equal((await store.range(bytes('/a/0'))).count, 0);
  const single = await store.txn({ compare: [], success: [{ type: 'delete', key: bytes('/a/0') }] });
  assert.deepEqual(single.results, [{ type: 'delete', deleted: 0, prevKvs: [] }]);
  assert.equal(single.revision, created.revision);

  const counted = await store.range(all, { end: prefixEnd(all), countOnly: true });
  assert.deepEqual([counted.kvs, counted.count], [[], 3]);
  const everything = await store.range(new Uint8Array(0), { end: new Uint8Array([0]), countOnly: true });
  assert.equal(everything.count, 3);

  await assert.rejects(store.range(all, { revision: created.revision + 100 }), FutureRevisionError);
  await assert.rejects(
    store.txn({
      compare: [],
      success: [
        { type: 'put', key: bytes('/dup'), value: bytes('1') },
        { type: 'put', key: bytes('/dup'), value: bytes('2') },
      ],
    }),
    InvalidRequestError,
  );

  // Lease IDs are arbitrary int64s; they must survive the trip as bigints.
  const lease = await store.grantLease(30);
  assert.equal(typeof lease, 'bigint');
  await store.txn({ compare: [], success: [{ type: 'put', key: bytes('/leased'), value: bytes('x'), lease }] });
  const [leased] = (await store.range(bytes('/leased'))).kvs;
  assert.equal(leased.lease, lease);
  assert.equal(await store.keepAliveLease(lease), 30);
  const status = await store.leaseTimeToLive(lease);
  assert.ok(status);
  assert.equal(status.id, lease);
  assert.equal(status.grantedTtl, 30);
  assert.ok(status.ttl > 28 && status.ttl <= 30, `ttl ${status.ttl}`);
  assert.deepEqual(status.keys, [bytes('/leased')]);

  await store.revokeLease(lease);
  await store.revokeLease(lease); // unknown now: a no-op
  assert.equal(await store.leaseTimeToLive(lease), undefined);
  assert.equal((await store.range(bytes('/leased'))).count, 0);
  await assert.rejects(store.keepAliveLease(lease), LeaseNotFoundError);
  await assert.rejects(
    store.txn({ compare: [], success: [{ type: 'put', key: bytes('/x'), value: bytes('x'), lease }] }),
    (err: unknown) => err instanceof LeaseNotFoundError && err.message.includes(lease.toString()),
  );
});

test('watch batches, prev kvs and delete events', { timeout: TIMEOUT }, async (t) => {
  const etcd = await etcdFor(t);
  if (!etcd) return;
  const store = await storeFor(t, etcd.url);
  const prefix = bytes('/w/');
  const first = await put(store, '/w/1', 'a');
  const watch = store.watch({ key: prefix, end: prefixEnd(prefix), startRevision: first.revision, prevKv: true });
  const plain = store.watch({ key: prefix, end: prefixEnd(prefix), startRevision: first.revision });
  t.after(() => {
    watch.close();
    plain.close();
  });
  const both = await put(store, '/w/1', 'b');
  const removed = await store.txn({ compare: [], success: [{ type: 'delete', key: prefix, end: prefixEnd(prefix) }] });
  const [deleted] = removed.results;
  assert.equal(deleted.type === 'delete' && deleted.deleted, 1);

  // Catching up, etcd may put several revisions in one batch; it never splits one.
  const events = await nextEvents(watch, 3);
  assert.deepEqual(summary(events), [
    `put /w/1=a@${first.revision}`,
    `put /w/1=b@${both.revision}`,
    `delete /w/1=@${removed.revision}`,
  ]);
  const [, update, del] = events;
  assert.equal(update.prevKv && text(update.prevKv.value), 'a');
  assert.equal(del.prevKv && text(del.prevKv.value), 'b');
  assert.equal(del.kv.modRevision, removed.revision);
  // Live events come one revision per batch.
  const live = await put(store, '/w/2', 'c');
  const next = await watch[Symbol.asyncIterator]().next();
  assert.deepEqual(next.value && summary(next.value), [`put /w/2=c@${live.revision}`]);

  const plainEvents = await nextEvents(plain, 4);
  assert.ok(plainEvents.every((e) => e.prevKv === undefined));
});

test('a watch from a compacted revision throws CompactedError', { timeout: TIMEOUT }, async (t) => {
  const etcd = await etcdFor(t);
  if (!etcd) return;
  const store = await storeFor(t, etcd.url);
  await put(store, '/c/1', 'a');
  await put(store, '/c/1', 'b');
  const last = await put(store, '/c/1', 'c');
  await store.compact(last.revision);

  await assert.rejects(store.range(bytes('/c/1'), { revision: last.revision - 1 }), (err: unknown) => {
    assert.ok(err instanceof CompactedError);
    assert.equal(err.compactRevision, last.revision);
    return true;
  });
  // A store that did not compact learns the compact revision from etcd's watch answer.
  const other = await storeFor(t, etcd.url);
  const watch = other.watch({ key: bytes('/c/1'), startRevision: 1 });
  await assert.rejects(nextEvents(watch, 1), (err: unknown) => {
    assert.ok(err instanceof CompactedError);
    assert.equal(err.compactRevision, last.revision);
    return true;
  });
  // The revision itself is still there.
  const live = other.watch({ key: bytes('/c/1'), startRevision: last.revision });
  t.after(() => live.close());
  assert.deepEqual(summary(await nextEvents(live, 1)), [`put /c/1=c@${last.revision}`]);
});

test('a watch survives an etcd restart with no lost or repeated event', { timeout: TIMEOUT }, async (t) => {
  const etcd = await etcdFor(t);
  if (!etcd) return;
  const store = await storeFor(t, etcd.url);
  const prefix = bytes('/r/');
  const watch = store.watch({ key: prefix, end: prefixEnd(prefix) });
  t.after(() => watch.close());
  const before = await put(store, '/r/1', 'before');
  assert.deepEqual(summary(await nextEvents(watch, 1)), [`put /r/1=before@${before.revision}`]);

  const oldPid = etcd.pid;
  await etcd.restart();
  assert.notEqual(etcd.pid, oldPid);

  // Another client writes at once, likely before this store's watch is back.
  const other = await storeFor(t, etcd.url);
  const during = await put(other, '/r/2', 'meanwhile');
  // Calls of the restarted store's channel wait for it to reconnect.
  const after = await put(store, '/r/3', 'after');
  assert.deepEqual(summary(await nextEvents(watch, 2)), [
    `put /r/2=meanwhile@${during.revision}`,
    `put /r/3=after@${after.revision}`,
  ]);
  // Nothing repeated: the next event is the next write.
  const sentinel = await put(store, '/r/4', 'sentinel');
  assert.deepEqual(summary(await nextEvents(watch, 1)), [`put /r/4=sentinel@${sentinel.revision}`]);
});

test('a watch resumes after a cut connection, or fails if compacted meanwhile', { timeout: TIMEOUT }, async (t) => {
  const etcd = await etcdFor(t);
  if (!etcd) return;
  const proxy = await relay(t, etcd.clientPort);
  const store = await storeFor(t, `etcd://127.0.0.1:${proxy.port}`);
  const direct = await storeFor(t, etcd.url);
  const resumed = store.watch({ key: bytes('/p/a') });
  const compacted = store.watch({ key: bytes('/p/b') });
  t.after(() => {
    resumed.close();
    compacted.close();
  });
  const b1 = await put(store, '/p/b', '1');
  const a1 = await put(store, '/p/a', '1');
  assert.deepEqual(summary(await nextEvents(compacted, 1)), [`put /p/b=1@${b1.revision}`]);
  assert.deepEqual(summary(await nextEvents(resumed, 1)), [`put /p/a=1@${a1.revision}`]);

  proxy.cut();
  // While the store cannot reach etcd, /p/b changes and that change is compacted away
  // (its watch cannot resume), then /p/a changes twice (its watch can).
  const b2 = await put(direct, '/p/b', '2');
  await direct.compact(b2.revision);
  const a2 = await put(direct, '/p/a', '2');
  const a3 = await put(direct, '/p/a', '3');
  proxy.resume();

  assert.deepEqual(summary(await nextEvents(resumed, 2)), [`put /p/a=2@${a2.revision}`, `put /p/a=3@${a3.revision}`]);
  await assert.rejects(nextEvents(compacted, 1), (err: unknown) => {
    assert.ok(err instanceof CompactedError, String(err));
    assert.equal(err.compactRevision, b2.revision);
    return true;
  });
});

test('fails over to the next endpoint', { timeout: TIMEOUT }, async (t) => {
  const etcd = await etcdFor(t);
  if (!etcd) return;
  // A port nobody listens on (refused at once).
  const dead = await relay(t, etcd.clientPort);
  await dead.close();
  const store = await storeFor(t, `etcd://127.0.0.1:${dead.port},127.0.0.1:${etcd.clientPort}`);
  const written = await put(store, '/f/1', 'x');
  assert.equal((await store.range(bytes('/f/1'))).kvs[0].modRevision, written.revision);

  // Two ways to the same member; losing the first moves calls and watches to the second.
  const first = await relay(t, etcd.clientPort);
  const second = await relay(t, etcd.clientPort);
  const both = await storeFor(t, `etcd://127.0.0.1:${first.port},127.0.0.1:${second.port}`);
  const watch = both.watch({ key: bytes('/f/2') });
  t.after(() => watch.close());
  const one = await put(both, '/f/2', 'one');
  assert.deepEqual(summary(await nextEvents(watch, 1)), [`put /f/2=one@${one.revision}`]);
  first.cut();
  await first.close();
  // A read rides over the switch; writes are not repeated, so one may fail meanwhile.
  assert.equal((await both.range(bytes('/f/2'))).kvs[0].modRevision, one.revision);
  const two = await put(both, '/f/2', 'two');
  assert.deepEqual(summary(await nextEvents(watch, 1)), [`put /f/2=two@${two.revision}`]);
});

test('opening fails with UnavailableError when no endpoint answers', { timeout: TIMEOUT }, async () => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const started = Date.now();
  await assert.rejects(openEtcdStore(`etcd://127.0.0.1:${port}`, { dialTimeoutMs: 500 }), UnavailableError);
  assert.ok(Date.now() - started < 5_000);
  await assert.rejects(openEtcdStore('http://127.0.0.1:2379'), /not an etcd URL/);
});

test('close() ends watches, refuses calls and leaves nothing running', { timeout: TIMEOUT }, async (t) => {
  const etcd = await etcdFor(t);
  if (!etcd) return;
  const store = await openEtcdStore(etcd.url);
  const watch = store.watch({ key: bytes('/z') });
  const lease = await store.grantLease(30);
  await store.keepAliveLease(lease);
  const ended = (async () => {
    for await (const _ of watch);
    return 'ended';
  })();
  await store.close();
  assert.equal(await ended, 'ended');
  await assert.rejects(store.range(bytes('/z')), UnavailableError);
  await assert.rejects(store.keepAliveLease(lease), UnavailableError);
  await assert.rejects(nextEvents(store.watch({ key: bytes('/z') }), 1), UnavailableError);

  // A process that used every kind of call exits by itself once the store is closed.
  const module = fileURLToPath(new URL('./etcd-store.ts', import.meta.url));
  const script = `
    const { openEtcdStore } = await import(${JSON.stringify(module)});
    const store = await openEtcdStore(process.argv[1]);
    const key = new TextEncoder().encode('/exit');
    const watch = store.watch({ key });
    const lease = await store.grantLease(30);
    await store.keepAliveLease(lease);
    await store.txn({ compare: [], success: [{ type: 'put', key, value: key, lease }] });
    for await (const batch of watch) break;
    store.watch({ key });
    await store.close();
    console.log('closed');
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, etcd.url], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c))),
    new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), 15_000))),
  ]);
  clearTimeout(timer);
  if (code === 'hung') child.kill('SIGKILL');
  assert.equal(code, 0, output);
  assert.match(output, /closed/);
});

const run = promisify(execFile);

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made by openssl. */
async function certificates(t: TestContext): Promise<Record<string, string> | undefined> {
  try {
    await run('openssl', ['version']);
  } catch {
    t.skip('openssl not found');
    return undefined;
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'k8ts-etcd-tls-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = (name: string) => path.join(dir, name);
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', ['req', '-x509', ...ecKey, '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '1', '-subj', '/CN=k8ts-test-ca']);
  for (const [name, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n'],
    ['client', 'extendedKeyUsage=clientAuth\n'],
  ]) {
    await writeFile(file(`${name}.ext`), ext);
    await run('openssl', ['req', ...ecKey, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${name}`]);
    await run('openssl', [
      'x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.crt'), '-CAkey', file('ca.key'),
      '-CAcreateserial', '-out', file(`${name}.crt`), '-days', '1', '-extfile', file(`${name}.ext`),
    ]);
  }
  return Object.fromEntries(['ca.crt', 'server.crt', 'server.key', 'client.crt', 'client.key'].map((n) => [n, file(n)]));
}

test('etcds:// with client certificates', { timeout: TIMEOUT }, async (t) => {
  if (!requireEtcd(t)) return;
  const files = await certificates(t);
  if (!files) return;
  const etcd = await etcdFor(t, { tls: { ca: files['ca.crt'], cert: files['server.crt'], key: files['server.key'] } });
  if (!etcd) return;
  assert.match(etcd.url, /^etcds:\/\//);

  const query = new URLSearchParams({ ca: files['ca.crt'], cert: files['client.crt'], key: files['client.key'] });
  const viaQuery = await storeFor(t, `${etcd.url}?${query}`);
  const written = await put(viaQuery, '/tls', 'yes');
  const viaOptions = await storeFor(t, etcd.url, {
    tls: { ca: files['ca.crt'], cert: files['client.crt'], key: files['client.key'] },
  });
  assert.equal((await viaOptions.range(bytes('/tls'))).kvs[0].modRevision, written.revision);

  // Several endpoints over TLS: the first is down, the second's certificate is checked.
  const dead = await relay(t, etcd.clientPort);
  await dead.close();
  const failover = await storeFor(t, `etcds://127.0.0.1:${dead.port},127.0.0.1:${etcd.clientPort}?${query}`);
  assert.equal((await failover.range(bytes('/tls'))).count, 1);

  // etcd demands a client certificate; a server certificate alone is not trusted either way.
  await assert.rejects(
    openEtcdStore(etcd.url, { tls: { ca: files['ca.crt'] }, dialTimeoutMs: 1_000 }),
    UnavailableError,
  );
  await assert.rejects(
    openEtcdStore(etcd.url, { tls: { cert: files['client.crt'], key: files['client.key'] }, dialTimeoutMs: 1_000 }),
    UnavailableError,
  );
});
