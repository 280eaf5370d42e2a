// The port-forward client against a WebSocket server that frames as containerd's streaming server does:
// channel 0 data and channel 1 errors, each opened by the port as 2 bytes little-endian.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import { openPortForward, portForwardCause, portForwardProtocol } from './port-forward.ts';

const portBytes = (port: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(port);
  return b;
};

describe('port-forward over WebSocket', () => {
  let server: Server;
  let base: string;
  const requests: { url: string; protocol: string }[] = [];

  before(async () => {
    server = createServer();
    const wss = new WebSocketServer({ server, handleProtocols: (protocols) => (protocols.has(portForwardProtocol) ? portForwardProtocol : false) });
    wss.on('connection', (ws: WebSocket, req) => {
      const port = Number(new URL(req.url!, 'http://x').searchParams.get('port'));
      requests.push({ url: req.url!, protocol: ws.protocol });
      ws.send(Buffer.concat([Buffer.from([0]), portBytes(port)]));
      ws.send(Buffer.concat([Buffer.from([1]), portBytes(port)]));
      if (port === 9) {
        ws.send(Buffer.concat([Buffer.from([1]), Buffer.from('error forwarding port 9 to pod abc, uid : failed to connect to localhost:9: connection refused')]));
        ws.close();
        return;
      }
      // An upper-casing echo that hangs up after "bye".
      ws.on('message', (data: Buffer) => {
        assert.equal(data[0], 0);
        const text = data.subarray(1).toString();
        ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(text.toUpperCase())]));
        if (text.includes('bye')) ws.close();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/portforward/token`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('asks for the port in the query with the v4 subprotocol and strips the port prefix from the data', async () => {
    const conn = await openPortForward(base, 8080, 5000);
    let received = '';
    conn.on('data', (c: Buffer) => (received += c.toString()));
    conn.write('hello ');
    conn.write('bye');
    await new Promise((resolve) => conn.once('close', resolve));
    assert.equal(received, 'HELLO BYE');
    assert.deepEqual(requests.at(-1), { url: '/portforward/token?port=8080', protocol: portForwardProtocol });
  });

  it('fails with the cause the server reports on the error channel', async () => {
    const conn = await openPortForward(base, 9, 5000);
    conn.resume();
    const err = await new Promise<Error>((resolve) => conn.once('error', resolve));
    assert.equal(err.message, 'failed to connect to localhost:9: connection refused');
  });

  it('rejects when the server refuses the connection', async () => {
    await assert.rejects(openPortForward('http://127.0.0.1:1/portforward/x', 80, 2000));
  });

  it('keeps error text that is not in the usual form', () => {
    assert.equal(portForwardCause('something else\n'), 'something else');
  });
});
