import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, test } from 'node:test';
import { realClock } from '../../machinery/clock.ts';
import { TCPForwarder, type Backend } from './tcp.ts';

const ip = '127.0.0.1';
const open: { close(): unknown }[] = [];

afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

/** A server that writes its name to each connection and then ends it. */
async function nameServer(name: string): Promise<Backend> {
  const server: Server = createServer((s) => s.end(name));
  server.listen(0, ip);
  await once(server, 'listening');
  open.push({ close: () => new Promise((r) => server.close(r)) });
  return { ip, port: (server.address() as AddressInfo).port };
}

async function refusedBackend(): Promise<Backend> {
  const server = createServer().listen(0, ip);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return { ip, port };
}

/** What a connection reads before it closes; "RESET" when it is reset. */
function read(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, ip);
    let data = '';
    s.setEncoding('utf8').on('data', (c: string) => (data += c));
    s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNRESET' ? 'RESET' : String(err.code)));
    s.on('close', () => resolve(data));
  });
}

test('dials the backends in order, past a refusing one, and copies the bytes', async () => {
  const refused = await refusedBackend();
  const good = await nameServer('good');
  const failed: string[] = [];
  const seen: string[] = [];
  const f = new TCPForwarder<Backend>({
    address: ip,
    port: 0,
    clock: realClock,
    *attempts(clientIP) {
      seen.push(clientIP);
      yield { backend: refused, timeoutMs: 1_000 };
      yield { backend: good, timeoutMs: 1_000 };
    },
    dialFailed: (b, err) => failed.push(`${b.port} ${err ? 'error' : 'timeout'}`),
  });
  const port = await start(f);
  assert.equal(await read(port), 'good');
  assert.deepEqual(seen, [ip]);
  assert.deepEqual(failed, [`${refused.port} error`]);
});

test('a client with no backend, or none reachable, is reset at once', async () => {
  const refused = await refusedBackend();
  const none = new TCPForwarder<Backend>({ address: ip, port: 0, clock: realClock, attempts: () => [] });
  assert.equal(await read(await start(none)), 'RESET');
  const unreachable = new TCPForwarder<Backend>({ address: ip, port: 0, clock: realClock, attempts: () => [{ backend: refused, timeoutMs: 1_000 }] });
  assert.equal(await read(await start(unreachable)), 'RESET');
});

test('close with dropConnections ends connections in flight; without, they carry on', async () => {
  const held = createServer((s) => s.on('error', () => {}));
  held.listen(0, ip);
  await once(held, 'listening');
  open.push({ close: () => new Promise((r) => held.close(r)) });
  const backend = { ip, port: (held.address() as AddressInfo).port };
  const f = new TCPForwarder<Backend>({ address: ip, port: 0, clock: realClock, attempts: () => [{ backend, timeoutMs: 1_000 }] });
  const port = await start(f);
  const client = connect(port, ip).on('error', () => {});
  await once(client, 'connect');
  await waitFor(() => f.clients === 1 && f.sockets === 2);
  await f.close();
  assert.equal(f.clients, 1, 'still open after close without dropConnections');
  const closed = new Promise((resolve) => client.once('close', resolve));
  await f.close({ dropConnections: true });
  await closed;
  await waitFor(() => f.sockets === 0);
});

/** Listens on the free port it was given 0 for, and returns it. */
async function start(f: TCPForwarder<Backend>): Promise<number> {
  await f.listen();
  open.push({ close: () => f.close({ dropConnections: true }) });
  return f.port;
}

async function waitFor(condition: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
