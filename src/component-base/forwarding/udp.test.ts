import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { afterEach, test } from 'node:test';
import { FakeClock } from '../../machinery/fake-clock.ts';
import type { Backend } from './tcp.ts';
import { UDPForwarder, type UDPClient } from './udp.ts';

const ip = '127.0.0.1';
const open: { close(): unknown }[] = [];

afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function bound(): Promise<Socket> {
  const s = createSocket('udp4');
  s.bind(0, ip);
  await once(s, 'listening');
  open.push({ close: () => new Promise<void>((r) => s.close(() => r())) });
  return s;
}

/** A UDP server that answers each datagram with its name and what it got. */
async function echoServer(name: string): Promise<Backend> {
  const s = await bound();
  s.on('message', (msg, from) => s.send(`${name}:${msg}`, from.port, from.address));
  return { ip, port: s.address().port };
}

async function refusedBackend(): Promise<Backend> {
  const s = createSocket('udp4');
  s.bind(0, ip);
  await once(s, 'listening');
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return { ip, port };
}

async function start(f: UDPForwarder<Backend>): Promise<number> {
  await f.listen();
  open.push({ close: () => f.close() });
  return f.port;
}

/** Sends one datagram from `client` and waits for the reply. */
async function ask(client: Socket, port: number, text: string): Promise<{ text: string; from: number }> {
  const reply = once(client, 'message');
  client.send(text, port, ip);
  const [msg, rinfo] = (await reply) as [Buffer, { port: number }];
  return { text: msg.toString(), from: rinfo.port };
}

async function waitFor(condition: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('a client gets an association to the backend picked for it; replies come from the listening port; idle ones end', async () => {
  const clock = new FakeClock();
  const backend = await echoServer('a');
  const picked: UDPClient[] = [];
  const f = new UDPForwarder<Backend>({ address: ip, port: 0, clock, idleTimeoutMs: 1_000, pick: (c) => (picked.push(c), backend) });
  const port = await start(f);
  const client = await bound();
  assert.deepEqual(await ask(client, port, 'one'), { text: 'a:one', from: port });
  assert.deepEqual(await ask(client, port, 'two'), { text: 'a:two', from: port });
  assert.deepEqual(picked, [{ ip, port: client.address().port }], 'one pick per association');
  assert.equal(f.associations, 1);
  clock.advance(999);
  assert.equal(f.associations, 1);
  clock.advance(1);
  assert.equal(f.associations, 0, 'idle for the timeout');
  await ask(client, port, 'three');
  assert.equal(picked.length, 2, 'the next datagram starts a new association');
});

test('a refusing backend ends the association and is reported; with no backend, datagrams are dropped', async () => {
  const refused = await refusedBackend();
  const good = await echoServer('good');
  const failed: string[] = [];
  let next: Backend | undefined = refused;
  const f = new UDPForwarder<Backend>({
    address: ip,
    port: 0,
    clock: new FakeClock(),
    idleTimeoutMs: 1_000,
    pick: () => next,
    backendFailed: (b, c, err) => failed.push(`${b.port} from ${c.port}: ${(err as NodeJS.ErrnoException).code}`),
  });
  const port = await start(f);
  const client = await bound();
  client.send('x', port, ip);
  await waitFor(() => failed.length === 1);
  assert.deepEqual(failed, [`${refused.port} from ${client.address().port}: ECONNREFUSED`]);
  assert.equal(f.associations, 0);
  next = undefined;
  client.send('dropped', port, ip);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(f.associations, 0);
  next = good;
  assert.equal((await ask(client, port, 'y')).text, 'good:y');
});
