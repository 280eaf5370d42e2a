import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, it } from 'node:test';
import { encodeObject, storedBytes, type StoredBytes } from '../registry/codec.ts';
import { writeStoredList } from './stored-list.ts';

const servers: Server[] = [];
after(() => servers.forEach((s) => s.close()));

async function serve(items: StoredBytes[], head: Record<string, unknown>): Promise<{ url: string; done: Promise<void> }> {
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const server = createServer((_req, res) => void writeStoredList(res, 'application/json', head, items).then(finish));
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, done };
}

function fetchBody(url: string): Promise<{ length: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ length: Number(res.headers['content-length']), body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

const item = (name: string, revision: number, filler = 0) =>
  storedBytes({ key: new Uint8Array(0), value: encodeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { f: 'ü'.repeat(filler) } }), createRevision: 1, modRevision: revision, version: 1, lease: 0n });

it('sends every item in order with its resourceVersion, across many buffers, with an exact Content-Length', async () => {
  // ~3 MB: several buffers, items that straddle buffer ends, one item larger than a buffer, multibyte text.
  const items = Array.from({ length: 3000 }, (_, i) => item(`cm-${i}`, 100 + i, i === 1500 ? 400_000 : 500));
  const { url, done } = await serve(items, { kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: '4000' } });
  const { length, body } = await fetchBody(url);
  await done;
  assert.equal(body.length, length);
  const list = JSON.parse(body.toString('utf8')) as { kind: string; metadata: unknown; items: { metadata: { name: string; resourceVersion: string }; data: { f: string } }[] };
  assert.equal(list.kind, 'ConfigMapList');
  assert.deepEqual(list.metadata, { resourceVersion: '4000' });
  assert.equal(list.items.length, 3000);
  list.items.forEach((o, i) => {
    assert.equal(o.metadata.name, `cm-${i}`);
    assert.equal(o.metadata.resourceVersion, String(100 + i));
  });
  assert.equal(list.items[1500].data.f.length, 400_000);
});

it('sends an empty list', async () => {
  const { url, done } = await serve([], { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1' } });
  const { length, body } = await fetchBody(url);
  await done;
  assert.equal(body.length, length);
  assert.deepEqual(JSON.parse(body.toString('utf8')), { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] });
});

it('stops when the client goes away mid-list', async () => {
  const items = Array.from({ length: 20_000 }, (_, i) => item(`cm-${i}`, i + 1, 2000));
  const { url, done } = await serve(items, { kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: '1' } });
  await new Promise<void>((resolve, reject) => {
    get(url, (res) => {
      res.once('data', () => {
        res.destroy();
        resolve();
      });
    }).on('error', () => {});
    setTimeout(() => reject(new Error('no data')), 5000);
  });
  await done; // resolves instead of waiting for a drain that never comes
});
