import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../machinery/fake-clock.ts';
import { createProxyHealthServer, ProxyHealth } from './health-server.ts';
import { proxyMetrics } from './metrics.ts';

test('healthy while starting and while a queued change is younger than the timeout', () => {
  const clock = new FakeClock();
  const health = new ProxyHealth(clock, 60_000);
  health.queuedUpdate();
  clock.advance(120_000);
  assert.equal(health.isHealthy(), true, 'never synced yet: starting up');
  health.updated();
  health.queuedUpdate();
  clock.advance(59_999);
  assert.equal(health.isHealthy(), true);
  health.queuedUpdate();
  clock.advance(1);
  assert.equal(health.isHealthy(), false, 'the oldest pending change counts');
  health.updated();
  assert.equal(health.isHealthy(), true);
});

test('/healthz answers upstream JSON with 200 or 503, /livez too, and counts them', async () => {
  const clock = new FakeClock(Date.UTC(2025, 0, 1));
  const health = new ProxyHealth(clock, 1_000);
  const metrics = proxyMetrics();
  let ready = false;
  const server = createProxyHealthServer({ bindAddress: '127.0.0.1', port: 0, health, metrics, clock, ready: () => ready });
  await server.start();
  try {
    const get = async (path: string) => {
      const res = await fetch(`${server.url}${path}`);
      return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
    };
    health.updated();
    let r = await get('/healthz');
    assert.equal(r.status, 200);
    assert.equal(r.type, 'application/json');
    assert.deepEqual(JSON.parse(r.body), { lastUpdated: '2025-01-01T00:00:00.000Z', currentTime: '2025-01-01T00:00:00.000Z', nodeEligible: true });
    health.queuedUpdate();
    clock.advance(2_000);
    r = await get('/healthz');
    assert.equal(r.status, 503);
    assert.deepEqual(JSON.parse(r.body), { lastUpdated: '2025-01-01T00:00:00.000Z', currentTime: '2025-01-01T00:00:02.000Z', nodeEligible: true });
    assert.equal((await get('/livez')).status, 503);
    assert.equal((await get('/readyz')).status, 500);
    ready = true;
    assert.equal((await get('/readyz')).body, 'ok');
    const text = (await get('/metrics')).body;
    assert.match(text, /^kubeproxy_proxy_healthz_total\{code="200"\} 1$/m);
    assert.match(text, /^kubeproxy_proxy_healthz_total\{code="503"\} 1$/m);
    assert.match(text, /^kubeproxy_network_programming_duration_seconds_bucket\{le="0.25"\} 0$/m);
    assert.equal((await get('/nope')).status, 404);
  } finally {
    await server.close();
  }
});
