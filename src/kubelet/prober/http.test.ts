import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FakeClock } from '../../machinery/fake-clock.ts';
import { httpGetRequest, httpProbe } from './http.ts';

const ua = 'kube-probe/1.33';
let server: http.Server;
let port = 0;
const hits: string[] = [];
let onSlow: (() => void) | undefined;

before(async () => {
  server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    switch (path) {
      case '/ok':
        return res.end('ok');
      case '/fail':
        res.statusCode = 500;
        return res.end('boom');
      case '/redirect':
        res.writeHead(302, { location: '/ok' });
        return res.end();
      case '/elsewhere':
        res.writeHead(302, { location: `http://localhost:${port}/ok` });
        return res.end('gone');
      case '/loop':
        res.writeHead(302, { location: '/loop' });
        return res.end();
      case '/echo':
        return res.end(JSON.stringify({ headers: req.headers, rawHeaders: req.rawHeaders, url: req.url }));
      case '/big':
        return res.end('y'.repeat(50_000));
      case '/slow':
        onSlow?.();
        return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function probe(path: string, clock = new FakeClock(), headers: { name: string; value: string }[] = []) {
  return httpProbe(httpGetRequest({ port, path, httpHeaders: headers }, {}, '127.0.0.1', ua), { clock, timeoutSeconds: 1 });
}

test('http probe: 2xx succeeds with the body as output; >= 400 fails with the status code', async () => {
  assert.deepEqual(await probe('/ok'), { result: 'success', output: 'ok' });
  assert.deepEqual(await probe('/fail'), { result: 'failure', output: 'HTTP probe failed with statuscode: 500' });
  assert.deepEqual(await probe('/missing'), { result: 'failure', output: 'HTTP probe failed with statuscode: 404' });
});

test('http probe: redirects to the same host are followed, elsewhere end in a warning', async () => {
  hits.length = 0;
  assert.deepEqual(await probe('/redirect'), { result: 'success', output: 'ok' });
  assert.deepEqual(hits, ['/redirect', '/ok']);
  hits.length = 0;
  assert.deepEqual(await probe('/elsewhere'), { result: 'warning', output: 'Probe terminated redirects, Response body: gone' });
  assert.deepEqual(hits, ['/elsewhere']);
});

test('http probe: stops after 10 redirects', async () => {
  hits.length = 0;
  assert.deepEqual(await probe('/loop'), { result: 'failure', output: `Get "http://127.0.0.1:${port}/loop": stopped after 10 redirects` });
  assert.equal(hits.length, 10);
});

test('http probe: sends the probe headers, kube-probe User-Agent and Accept */*', async () => {
  const req = httpGetRequest(
    { port: 'web', path: '/echo?x=1', httpHeaders: [{ name: 'X-Custom', value: 'a' }, { name: 'X-Custom', value: 'b' }, { name: 'Host', value: 'example.com' }] },
    { ports: [{ name: 'web', containerPort: port }] },
    '127.0.0.1',
    ua,
  );
  const got = await httpProbe(req, { clock: new FakeClock(), timeoutSeconds: 1 });
  assert.equal(got.result, 'success');
  const echo = JSON.parse(got.output);
  assert.equal(echo.url, '/echo?x=1');
  assert.equal(echo.headers['user-agent'], 'kube-probe/1.33');
  assert.equal(echo.headers.accept, '*/*');
  assert.equal(echo.headers.host, 'example.com');
  assert.equal(echo.headers['x-custom'], 'a, b');

  const overridden = httpGetRequest(
    { port, httpHeaders: [{ name: 'user-agent', value: 'mine' }, { name: 'Accept', value: '' }] },
    {},
    '127.0.0.1',
    ua,
  );
  assert.deepEqual(overridden.headers, [['user-agent', 'mine']]);
});

test('http probe: reads at most 10 KiB of the body', async () => {
  const got = await probe('/big');
  assert.equal(got.result, 'success');
  assert.equal(got.output.length, 10 * 1024);
});

test('http probe: a server slower than timeoutSeconds fails as a client timeout', async () => {
  const clock = new FakeClock();
  const arrived = new Promise<void>((r) => (onSlow = r));
  const pending = probe('/slow', clock);
  await arrived;
  clock.advance(1000);
  assert.deepEqual(await pending, {
    result: 'failure',
    output: `Get "http://127.0.0.1:${port}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
  });
  assert.equal(clock.pendingTimers, 0);
});

test('http probe: a refused connection fails with the dial error', async () => {
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const freePort = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  const got = await httpProbe(httpGetRequest({ port: freePort, path: '/' }, {}, '127.0.0.1', ua), { clock: new FakeClock(), timeoutSeconds: 1 });
  assert.deepEqual(got, { result: 'failure', output: `Get "http://127.0.0.1:${freePort}/": dial tcp 127.0.0.1:${freePort}: connect: connection refused` });
});

test('httpGetRequest: host defaults to the pod IP; ports resolve as upstream', () => {
  const c = { ports: [{ name: 'http', containerPort: 8080 }] };
  assert.equal(httpGetRequest({ port: 'http', path: '/healthz' }, c, '10.1.2.3', ua).url.href, 'http://10.1.2.3:8080/healthz');
  assert.equal(httpGetRequest({ port: '9090', path: 'ready', scheme: 'HTTPS', host: 'fd00::1' }, c, '10.1.2.3', ua).url.href, 'https://[fd00::1]:9090/ready');
  assert.throws(() => httpGetRequest({ port: 'metrics' }, c, '10.1.2.3', ua), { message: 'strconv.Atoi: parsing "metrics": invalid syntax' });
  assert.throws(() => httpGetRequest({ port: 70000 }, c, '10.1.2.3', ua), { message: 'invalid port number: 70000' });
});

test('http probe: HTTPS does not verify the server certificate', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'probe-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=probe-test',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  } catch {
    t.skip('openssl is not available');
    return;
  }
  const tls = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => res.end('secure'));
  await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => tls.close(r)));
  const tlsPort = (tls.address() as AddressInfo).port;
  const got = await httpProbe(httpGetRequest({ port: tlsPort, scheme: 'HTTPS', path: '/' }, {}, '127.0.0.1', ua), { clock: new FakeClock(), timeoutSeconds: 1 });
  assert.deepEqual(got, { result: 'success', output: 'secure' });
});
