import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { FakeClock } from '../../machinery/fake-clock.ts';
import { tcpProbe } from './tcp.ts';

async function listen(): Promise<{ port: number; accepted: () => number; close: () => Promise<void> }> {
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    accepted: () => accepted,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

test('tcp probe: an open port succeeds and the connection is closed', async () => {
  const l = await listen();
  const clock = new FakeClock();
  assert.deepEqual(await tcpProbe('127.0.0.1', l.port, { clock, timeoutSeconds: 1 }), { result: 'success', output: '' });
  assert.equal(clock.pendingTimers, 0);
  await l.close();
});

test('tcp probe: a closed port fails with the dial error', async () => {
  const l = await listen();
  await l.close();
  assert.deepEqual(await tcpProbe('127.0.0.1', l.port, { clock: new FakeClock(), timeoutSeconds: 1 }), {
    result: 'failure',
    output: `dial tcp 127.0.0.1:${l.port}: connect: connection refused`,
  });
});

test('tcp probe: no connection within timeoutSeconds fails as an i/o timeout', async () => {
  const l = await listen();
  const clock = new FakeClock();
  const pending = tcpProbe('127.0.0.1', l.port, { clock, timeoutSeconds: 3 });
  // The deadline passes before the event loop could complete the connect.
  clock.advance(3000);
  assert.deepEqual(await pending, { result: 'failure', output: `dial tcp 127.0.0.1:${l.port}: i/o timeout` });
  await l.close();
});
