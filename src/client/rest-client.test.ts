// The REST client against a real `k8ts up` (CRUD, patches, paging, watches, Status errors)
// and against a local plain-HTTP server for what a healthy API server never does (hang,
// answer with text, split lines mid-character).

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startCluster, type Cluster } from '../../test/support/k8ts-cluster.ts';
import type { KubeObject } from '../api/kind.ts';
import { StatusError, type Status } from '../machinery/status.ts';
import { isAlreadyExists, isConflict, isNotFound, isResourceExpired } from './api-errors.ts';
import { loadKubeconfig } from './kubeconfig.ts';
import { RestClient, resourcePath, type WatchEvent } from './rest-client.ts';

const configmaps = { group: '', version: 'v1', resource: 'configmaps' };

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

function cm(name: string, data: Record<string, string> = {}, labels?: Record<string, string>): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('expected a rejection');
}

describe('resourcePath', () => {
  it('builds core, group, namespaced, named and subresource paths', () => {
    assert.equal(resourcePath({ ...configmaps }), '/api/v1/configmaps');
    assert.equal(resourcePath({ ...configmaps, namespace: 'ns', name: 'a b' }), '/api/v1/namespaces/ns/configmaps/a%20b');
    assert.equal(resourcePath({ group: 'apps', version: 'v1', resource: 'deployments', namespace: 'ns', name: 'd', subresource: 'scale' }), '/apis/apps/v1/namespaces/ns/deployments/d/scale');
    assert.equal(resourcePath({ group: '', version: 'v1', resource: 'namespaces', name: 'kube-system' }), '/api/v1/namespaces/kube-system');
    assert.throws(() => resourcePath({ ...configmaps, subresource: 'status' }), /needs a name/);
  });
});

describe('RestClient against k8ts up', () => {
  let cluster: Cluster;
  let client: RestClient;
  const ns = 'default';
  const ref = { ...configmaps, namespace: ns };

  before(async () => {
    cluster = await startCluster();
    client = new RestClient(loadKubeconfig(cluster.kubeconfig, { userAgent: 'rest-client-test' }));
  });
  after(async () => {
    client?.close();
    await cluster?.stop();
  });

  it('creates, gets, lists, updates and deletes; conflicts and absence are StatusErrors', async () => {
    const created = await client.create(ref, cm('crud', { a: '1' }, { app: 'crud' }));
    assert.equal(created.metadata?.namespace, ns);
    assert.ok(created.metadata?.uid);
    const got = await client.get<ConfigMap>({ ...ref, name: 'crud' });
    assert.deepEqual(got.data, { a: '1' });

    const dup = await rejection(client.create(ref, cm('crud')));
    assert.ok(dup instanceof StatusError && isAlreadyExists(dup));
    assert.equal(dup.code, 409);
    assert.equal(dup.message, 'configmaps "crud" already exists');

    const listed = await client.list<ConfigMap>(ref, { labelSelector: 'app=crud' });
    assert.deepEqual(listed.items.map((i) => i.metadata?.name), ['crud']);
    assert.ok(listed.metadata.resourceVersion);

    const updated = await client.update<ConfigMap>(ref, { ...got, data: { a: '2' } });
    assert.deepEqual(updated.data, { a: '2' });
    assert.notEqual(updated.metadata?.resourceVersion, got.metadata?.resourceVersion);
    const stale = await rejection(client.update(ref, { ...got, data: { a: '3' } }));
    assert.ok(isConflict(stale), String(stale));
    assert.match((stale as StatusError).message, /the object has been modified/);

    // As upstream, deleting a configmap answers with a Success Status naming it.
    const deleted = await client.delete({ ...ref, name: 'crud' });
    assert.equal(deleted.kind, 'Status');
    assert.equal((deleted as Status).status, 'Success');
    assert.equal((deleted as Status).details?.name, 'crud');
    const missing = await rejection(client.get({ ...ref, name: 'crud' }));
    assert.ok(missing instanceof StatusError && isNotFound(missing));
    assert.equal(missing.status.code, 404);
    assert.equal(missing.message, 'configmaps "crud" not found');
    assert.equal(missing.status.details?.name, 'crud');
  });

  it('patches with JSON, merge, strategic and apply content types; dry runs change nothing', async () => {
    const name = 'patched';
    await client.create(ref, cm(name, { a: '1' }));
    const one = { ...ref, name };
    let p = await client.patch<ConfigMap>(one, { data: { b: '2' } }, { type: 'merge' });
    assert.deepEqual(p.data, { a: '1', b: '2' });
    p = await client.patch<ConfigMap>(one, [{ op: 'remove', path: '/data/a' }], { type: 'json' });
    assert.deepEqual(p.data, { b: '2' });
    p = await client.patch<ConfigMap>(one, { metadata: { labels: { x: 'y' } } }, { type: 'strategic' });
    assert.deepEqual(p.metadata?.labels, { x: 'y' });
    p = await client.patch<ConfigMap>(one, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { c: '3' } }, { type: 'apply', fieldManager: 'rest-client-test', force: true });
    assert.equal(p.data?.c, '3');
    assert.ok((p.metadata?.managedFields as { manager?: string }[] | undefined)?.some((f) => f.manager === 'rest-client-test'));

    const dry = await client.create(ref, cm('dry-run'), { dryRun: true });
    assert.equal(dry.metadata?.name, 'dry-run');
    assert.ok(isNotFound(await rejection(client.get({ ...ref, name: 'dry-run' }))));
    await client.delete(one, { dryRun: true });
    await client.get(one);
    await client.delete(one, { gracePeriodSeconds: 0, propagationPolicy: 'Background' });
  });

  it('lists in pages with limit and continue', async () => {
    for (let i = 0; i < 5; i++) await client.create(ref, cm(`page-${i}`, {}, { paged: 'yes' }));
    const names: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const page = await client.list(ref, { labelSelector: 'paged=yes', limit: 2, continue: cont });
      names.push(...page.items.map((i) => i.metadata!.name!));
      cont = page.metadata.continue;
      pages++;
    } while (cont);
    assert.equal(pages, 3);
    assert.deepEqual(names, ['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
    await client.deleteCollection(ref, { labelSelector: 'paged=yes' });
    assert.equal((await client.list(ref, { labelSelector: 'paged=yes' })).items.length, 0);
  });

  it('watches from a resourceVersion until aborted', async () => {
    const from = (await client.list(ref)).metadata.resourceVersion;
    const abort = new AbortController();
    const stream = await client.watch<ConfigMap>(ref, { resourceVersion: from, labelSelector: 'w=1', signal: abort.signal, allowWatchBookmarks: true });
    const seen: string[] = [];
    const done = (async () => {
      for await (const e of stream) {
        seen.push(`${e.type} ${e.type === 'ERROR' ? e.object.message : e.object.metadata?.name}`);
        if (seen.length === 3) abort.abort();
      }
    })();
    await client.create(ref, cm('watched', { a: '1' }, { w: '1' }));
    await client.patch({ ...ref, name: 'watched' }, { data: { a: '2' } }, { type: 'merge' });
    await client.delete({ ...ref, name: 'watched' });
    await done;
    assert.deepEqual(seen, ['ADDED watched', 'MODIFIED watched', 'DELETED watched']);
  });

  it('a watch ends when the server ends it (timeoutSeconds), and one object can be watched by name', async () => {
    await client.create(ref, cm('solo', {}));
    const start = Date.now();
    const events: WatchEvent<ConfigMap>[] = [];
    for await (const e of await client.watch<ConfigMap>({ ...ref, name: 'solo' }, { timeoutSeconds: 1 })) events.push(e);
    assert.ok(Date.now() - start >= 900, 'lasted about a second');
    assert.deepEqual(events.map((e) => `${e.type} ${(e.object as ConfigMap).metadata?.name}`), ['ADDED solo']);
    await client.delete({ ...ref, name: 'solo' });
  });

  it('a watch from a version older than the watch cache window is 410 Gone', async () => {
    const err = await rejection(client.watch(ref, { resourceVersion: '1' }));
    assert.ok(err instanceof StatusError, String(err));
    assert.equal(err.code, 410);
    assert.ok(isResourceExpired(err));
    assert.match(err.message, /too old resource version/);
  });

  it('refuses a server certificate not signed by the configured CA', async () => {
    const config = loadKubeconfig(cluster.kubeconfig);
    const untrusting = new RestClient({ ...config, ca: undefined });
    try {
      const err = await rejection(untrusting.get({ ...ref, name: 'x' }));
      assert.match(String((err as { code?: string }).code), /SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
    } finally {
      untrusting.close();
    }
  });
});

describe('RestClient against a misbehaving server', () => {
  let server: Server;
  let client: RestClient;
  let lastHeaders: Record<string, string | string[] | undefined> = {};

  before(async () => {
    server = createServer((req, res) => {
      lastHeaders = req.headers;
      if (req.url?.startsWith('/api/v1/namespaces/x/configmaps/hang')) return; // never answers
      if (req.url?.startsWith('/api/v1/namespaces/x/configmaps/text')) {
        res.writeHead(503, { 'Content-Type': 'text/plain', 'Retry-After': '7' });
        res.end('upstream down');
        return;
      }
      if (req.url?.startsWith('/api/v1/namespaces/x/configmaps?watch=true')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const line = Buffer.from(`${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'héllo' } } })}\n`);
        const cut = line.indexOf(Buffer.from('é')) + 1; // inside the two bytes of é
        res.write(line.subarray(0, cut));
        setTimeout(() => {
          res.write(Buffer.concat([line.subarray(cut), Buffer.from('\n{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}}')]));
          res.end();
        }, 20);
        return;
      }
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    client = new RestClient({ server: `http://127.0.0.1:${port}`, token: 'sekrit', userAgent: 'ua-test', timeoutMs: 5000 });
  });
  after(async () => {
    client?.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('times out, and aborts on the caller signal', async () => {
    const timedOut = await rejection(client.get({ ...configmaps, namespace: 'x', name: 'hang' }, { timeoutMs: 50 }));
    assert.equal((timedOut as DOMException).name, 'TimeoutError');
    assert.match((timedOut as Error).message, /timed out after 50 ms/);
    const abort = new AbortController();
    const pending = rejection(client.get({ ...configmaps, namespace: 'x', name: 'hang' }, { signal: abort.signal }));
    setTimeout(() => abort.abort(), 20);
    assert.equal(((await pending) as DOMException).name, 'AbortError');
    assert.equal(lastHeaders.authorization, 'Bearer sekrit');
    assert.equal(lastHeaders['user-agent'], 'ua-test');
  });

  it('a body that is not a Status becomes a generic StatusError for the code', async () => {
    const err = await rejection(client.get({ ...configmaps, namespace: 'x', name: 'text' }));
    assert.ok(err instanceof StatusError);
    assert.equal(err.code, 503);
    assert.equal(err.reason, 'ServiceUnavailable');
    assert.equal(err.status.details?.retryAfterSeconds, 7);
    assert.equal(err.status.details?.causes?.[0]?.message, 'upstream down');
  });

  it('reassembles watch lines split anywhere, even inside a character', async () => {
    const events: WatchEvent[] = [];
    for await (const e of await client.watch({ ...configmaps, namespace: 'x' })) events.push(e);
    assert.deepEqual(events, [
      { type: 'ADDED', object: { metadata: { name: 'héllo' } } },
      { type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } },
    ]);
  });
});
