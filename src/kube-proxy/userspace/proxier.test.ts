import assert from 'node:assert/strict';
import { createSocket, type Socket as UDPSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, afterEach, before, test } from 'node:test';
import { createLogger } from '../../component-base/logging.ts';
import { realClock } from '../../machinery/clock.ts';
import type { EndpointSlice, Service, SliceEndpoint } from '../types.ts';
import { Proxier } from './proxier.ts';

const logs: string[] = [];
const log = createLogger('kube-proxy', { sink: (l) => logs.push(l), verbose: true });
let proxier: Proxier;
const backends: Server[] = [];
const udpBackends: UDPSocket[] = [];

/** A TCP server on ip that writes its name to each connection and closes it. */
async function nameServer(ip: string, name: string): Promise<number> {
  const server = createServer((s) => s.end(name));
  backends.push(server);
  server.listen(0, ip);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** A port on ip where nothing listens. */
async function refusedPort(ip: string): Promise<number> {
  const server = createServer();
  server.listen(0, ip);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** What a connection to ip:port reads before it closes; "RESET" or "REFUSED" on those errors. */
function read(ip: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, ip);
    let data = '';
    s.setEncoding('utf8').on('data', (c: string) => (data += c));
    s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNRESET' ? 'RESET' : err.code === 'ECONNREFUSED' ? 'REFUSED' : String(err.code)));
    s.on('close', () => resolve(data));
  });
}

const service = (name: string, clusterIP: string, spec: Service['spec'] = {}): Service => ({
  metadata: { name, namespace: 'default' },
  spec: { type: 'ClusterIP', clusterIP, ports: [{ name: 'http', port: 18080, protocol: 'TCP' }], ...spec },
});
const slice = (svc: string, port: number, endpoints: SliceEndpoint[], protocol: 'TCP' | 'UDP' = 'TCP', portName = 'http'): EndpointSlice => ({
  metadata: { name: `${svc}-abc`, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
  addressType: 'IPv4',
  endpoints,
  ports: [{ name: portName, port, protocol }],
});
const ready = (ip: string, extra: Partial<SliceEndpoint> = {}): SliceEndpoint => ({ addresses: [ip], conditions: { ready: true, serving: true, terminating: false }, ...extra });

before(() => {
  proxier = new Proxier({ nodeName: 'node-a', ipFamily: 'IPv4', nodePortAddress: '127.0.0.1', clock: realClock, log });
});

afterEach(async () => {
  await proxier.close();
  proxier = new Proxier({ nodeName: 'node-a', ipFamily: 'IPv4', nodePortAddress: '127.0.0.1', clock: realClock, log });
});

after(async () => {
  await proxier.close();
  for (const s of backends) s.close();
  for (const s of udpBackends) s.close();
});

test('connections to the ClusterIP and the node port are spread round robin over the ready endpoints', async () => {
  const names = ['a', 'b', 'c'];
  const ips = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];
  const port = await nameServer(ips[0], 'a');
  for (let i = 1; i < 3; i++) {
    const s = createServer((c) => c.end(names[i]));
    backends.push(s);
    s.listen(port, ips[i]);
    await once(s, 'listening');
  }
  const nodePort = await refusedPort('127.0.0.1');
  await proxier.syncService('default/web', service('web', '127.100.1.1', { type: 'NodePort', ports: [{ name: 'http', port: 18080, protocol: 'TCP', nodePort }] }), [
    slice('web', port, [ready(ips[0]), ready(ips[1]), ready(ips[2]), { addresses: ['127.0.0.5'], conditions: { ready: false } }]),
  ]);
  assert.deepEqual(proxier.listeners(), [`TCP/127.0.0.1:${nodePort}`, 'TCP/127.100.1.1:18080']);
  const viaClusterIP = await Promise.all(Array.from({ length: 6 }, () => read('127.100.1.1', 18080)));
  assert.deepEqual(viaClusterIP.sort(), ['a', 'a', 'b', 'b', 'c', 'c']);
  const viaNodePort = await Promise.all(Array.from({ length: 6 }, () => read('127.0.0.1', nodePort)));
  assert.deepEqual(viaNodePort.sort(), ['a', 'a', 'b', 'b', 'c', 'c']);
});

test('a refused endpoint is skipped: the connection goes to the next one', async () => {
  const good = await nameServer('127.0.0.2', 'good');
  const bad = await refusedPort('127.0.0.3');
  await proxier.syncService('default/retry', service('retry', '127.100.1.2', { ports: [{ name: 'http', port: 18080 }] }), [
    { ...slice('retry', good, [ready('127.0.0.2')]), metadata: { name: 'retry-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'retry' } } },
    { ...slice('retry', bad, [ready('127.0.0.3')]), metadata: { name: 'retry-2', namespace: 'default', labels: { 'kubernetes.io/service-name': 'retry' } } },
  ]);
  for (let i = 0; i < 6; i++) assert.equal(await read('127.100.1.2', 18080), 'good');
});

test('with no endpoint the client is reset at once; endpoints added later are used', async () => {
  const svc = service('empty', '127.100.1.3');
  await proxier.syncService('default/empty', svc, []);
  const started = performance.now();
  assert.equal(await read('127.100.1.3', 18080), 'RESET');
  assert.ok(performance.now() - started < 500);
  const port = await nameServer('127.0.0.2', 'back');
  await proxier.syncService('default/empty', svc, [slice('empty', port, [ready('127.0.0.2')])]);
  assert.equal(await read('127.100.1.3', 18080), 'back');
  // Only unreachable endpoints: reset once the attempts are used up (refusals are immediate).
  await proxier.syncService('default/empty', svc, [slice('empty', await refusedPort('127.0.0.2'), [ready('127.0.0.2')])]);
  assert.equal(await read('127.100.1.3', 18080), 'RESET');
});

test('ClientIP affinity sends every connection of a client to one endpoint', async () => {
  const port = await nameServer('127.0.0.2', 'x');
  const s2 = createServer((c) => c.end('y'));
  backends.push(s2);
  s2.listen(port, '127.0.0.3');
  await once(s2, 'listening');
  await proxier.syncService('default/sticky', service('sticky', '127.100.1.4', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }), [
    slice('sticky', port, [ready('127.0.0.2'), ready('127.0.0.3')]),
  ]);
  const got = new Set<string>();
  for (let i = 0; i < 6; i++) got.add(await read('127.100.1.4', 18080));
  assert.equal(got.size, 1);
});

test('a sync touches only its Service: other listeners and open connections stay', async () => {
  const echo = createServer((s) => s.pipe(s));
  backends.push(echo);
  echo.listen(0, '127.0.0.2');
  await once(echo, 'listening');
  const port = (echo.address() as AddressInfo).port;
  await proxier.syncService('default/one', service('one', '127.100.1.5'), [slice('one', port, [ready('127.0.0.2')])]);
  const conn: Socket = connect(18080, '127.100.1.5');
  await once(conn, 'connect');
  conn.setEncoding('utf8');
  conn.write('ping');
  assert.equal((await once(conn, 'data'))[0], 'ping');
  await proxier.syncService('default/two', service('two', '127.100.1.6'), [slice('two', port, [ready('127.0.0.2')])]);
  await proxier.syncService('default/one', service('one', '127.100.1.5'), [slice('one', port, [ready('127.0.0.2', { conditions: { ready: false } })])]);
  conn.write('pong');
  assert.equal((await once(conn, 'data'))[0], 'pong', 'an established connection outlives endpoint changes');
  assert.deepEqual(proxier.listeners(), ['TCP/127.100.1.5:18080', 'TCP/127.100.1.6:18080']);
  // Deleting a Service closes its listener but not the connection in flight.
  await proxier.syncService('default/one', undefined, []);
  assert.deepEqual(proxier.listeners(), ['TCP/127.100.1.6:18080']);
  assert.equal(await read('127.100.1.5', 18080), 'REFUSED');
  conn.write('still');
  assert.equal((await once(conn, 'data'))[0], 'still');
  conn.end();
  await once(conn, 'close');
});

test('a port that cannot be bound is logged and the rest is served', async () => {
  const taken = createServer();
  backends.push(taken);
  taken.listen(0, '127.0.0.1');
  await once(taken, 'listening');
  const nodePort = (taken.address() as AddressInfo).port;
  const port = await nameServer('127.0.0.2', 'ok');
  logs.length = 0;
  await proxier.syncService('default/clash', service('clash', '127.100.1.7', { type: 'NodePort', ports: [{ name: 'http', port: 18080, nodePort }] }), [slice('clash', port, [ready('127.0.0.2')])]);
  assert.deepEqual(proxier.listeners(), ['TCP/127.100.1.7:18080']);
  assert.ok(logs.some((l) => /WARN .*Failed to open proxy port .*EADDRINUSE/.test(l)), logs.join('\n'));
  assert.equal(await read('127.100.1.7', 18080), 'ok');
  // Freed, it is bound at the next sync of the Service.
  await new Promise((r) => taken.close(r));
  await proxier.syncService('default/clash', service('clash', '127.100.1.7', { type: 'NodePort', ports: [{ name: 'http', port: 18080, nodePort }] }), [slice('clash', port, [ready('127.0.0.2')])]);
  assert.equal(await read('127.0.0.1', nodePort), 'ok');
});

test('internalTrafficPolicy Local sends ClusterIP traffic only to this node’s endpoints', async () => {
  const port = await nameServer('127.0.0.2', 'here');
  const s2 = createServer((c) => c.end('there'));
  backends.push(s2);
  s2.listen(port, '127.0.0.3');
  await once(s2, 'listening');
  await proxier.syncService('default/local', service('local', '127.100.1.8', { internalTrafficPolicy: 'Local' }), [
    slice('local', port, [ready('127.0.0.2', { nodeName: 'node-a' }), ready('127.0.0.3', { nodeName: 'node-b' })]),
  ]);
  for (let i = 0; i < 4; i++) assert.equal(await read('127.100.1.8', 18080), 'here');
});

test('UDP datagrams reach an endpoint and replies come back from the service address', async () => {
  const echo = (ip: string, name: string) =>
    new Promise<number>((resolve) => {
      const s = createSocket('udp4');
      udpBackends.push(s);
      s.on('message', (msg, rinfo) => s.send(`${name}:${msg}`, rinfo.port, rinfo.address));
      s.bind(0, ip, () => resolve(s.address().port));
    });
  const port = await echo('127.0.0.2', 'u1');
  await proxier.syncService('default/dns', service('dns', '127.100.1.9', { ports: [{ name: 'dns', port: 18053, protocol: 'UDP' }] }), [slice('dns', port, [ready('127.0.0.2')], 'UDP', 'dns')]);
  assert.deepEqual(proxier.listeners(), ['UDP/127.100.1.9:18053']);
  const client = createSocket('udp4');
  client.bind(0, '127.0.0.1');
  await once(client, 'listening');
  client.send('hello', 18053, '127.100.1.9');
  const [reply, rinfo] = await once(client, 'message');
  assert.equal(String(reply), 'u1:hello');
  assert.equal(rinfo.address, '127.100.1.9');
  assert.equal(rinfo.port, 18053);
  client.close();
});

test('a UDP endpoint that refuses ends the association; the client’s next datagram goes to another endpoint', async () => {
  const bad = await refusedPort('127.0.0.2');
  const good = createSocket('udp4');
  udpBackends.push(good);
  good.on('message', (msg, rinfo) => good.send(`good:${msg}`, rinfo.port, rinfo.address));
  await new Promise<void>((resolve) => good.bind(bad, '127.0.0.3', resolve));
  // Sticky: without the reset after the refusal the client would stay on the bad endpoint.
  await proxier.syncService('default/udp2', service('udp2', '127.100.1.10', { ports: [{ name: 'dns', port: 18053, protocol: 'UDP' }], sessionAffinity: 'ClientIP' }), [
    slice('udp2', bad, [ready('127.0.0.2'), ready('127.0.0.3')], 'UDP', 'dns'),
  ]);
  const client = createSocket('udp4');
  client.bind(0, '127.0.0.1');
  await once(client, 'listening');
  const reply = once(client, 'message');
  let sent = 0;
  const timer = setInterval(() => {
    sent++;
    client.send(`try${sent}`, 18053, '127.100.1.10');
  }, 50);
  const [msg] = await reply;
  clearInterval(timer);
  assert.match(String(msg), /^good:try\d$/);
  assert.ok(sent <= 3, `${sent} datagrams before a reply`);
  client.close();
});
