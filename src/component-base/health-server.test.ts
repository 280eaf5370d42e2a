import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHealthServer } from './health-server.ts';
import { Registry } from './metrics.ts';

test('serves healthz, livez, readyz and metrics on a port picked for it', async () => {
  const registry = new Registry();
  registry.counter('things_total', 'Things.').inc();
  let ready = false;
  const server = createHealthServer({ port: 0, registry, checks: { readyz: { 'informer-sync': () => ready } } });
  await server.start();
  try {
    assert.ok(server.port > 0);
    const get = async (path: string) => {
      const res = await fetch(`${server.url}${path}`);
      return { code: res.status, body: await res.text(), type: res.headers.get('content-type') };
    };
    assert.deepEqual(await get('/healthz'), { code: 200, body: 'ok', type: 'text/plain; charset=utf-8' });
    assert.equal((await get('/livez')).body, 'ok');
    assert.deepEqual(await get('/readyz'), { code: 500, body: '[+]ping ok\n[-]informer-sync failed: reason withheld\nreadyz check failed\n', type: 'text/plain; charset=utf-8' });
    ready = true;
    assert.equal((await get('/readyz')).code, 200);
    assert.equal((await get('/readyz?verbose')).body, '[+]ping ok\n[+]informer-sync ok\nreadyz check passed\n');
    assert.equal((await get('/readyz/informer-sync')).code, 200);
    assert.equal((await get('/readyz/nope')).code, 404);
    server.addCheck('livez', 'broken', () => 'no');
    assert.equal((await get('/livez')).code, 500);
    const metrics = await get('/metrics');
    assert.match(metrics.type ?? '', /text\/plain; version=0.0.4/);
    assert.match(metrics.body, /^things_total 1$/m);
    assert.equal((await get('/other')).code, 404);
  } finally {
    await server.close();
  }
});
