// The WebSocket protocols seen from clients other than kubectl: a raw WebSocket client for the channel
// framings (v5 close signal, tty resize, v4 JSON status, base64), @kubernetes/client-node's Exec and
// PortForward, and the refusals of requests that cannot be served.

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, createServer, request } from 'node:http';
import { type AddressInfo, connect, createServer as createTcpServer } from 'node:net';
import { type Duplex, PassThrough, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Exec, KubeConfig, PortForward } from '@kubernetes/client-node';
import { WebSocket } from 'ws';
import type { StreamIO } from '../../runtime/runtime.ts';
import type { RemoteCommandRunner } from './remote-command.ts';
import { type FakeApiServer, hostExec, startFakeApiServer } from './testing.ts';

interface Message {
  channel: number;
  data: Buffer;
  text: boolean;
}

/** Connects to the fake API server and collects every message until the server closes. */
function openSession(
  api: FakeApiServer,
  path: string,
  protocols: string[],
): Promise<{ ws: WebSocket; protocol: string; messages: Message[]; done: Promise<{ messages: Message[]; code: number }> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(api.url.replace('http', 'ws') + path, protocols);
    const messages: Message[] = [];
    const done = new Promise<{ messages: Message[]; code: number }>((resolveDone) => {
      ws.on('close', (code) => resolveDone({ messages, code }));
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      messages.push(isBinary ? { channel: data[0], data: data.subarray(1), text: false } : { channel: data[0] - 48, data: Buffer.from(data.subarray(1).toString(), 'base64'), text: true });
    });
    ws.on('open', () => resolve({ ws, protocol: ws.protocol, messages, done }));
    ws.on('error', reject);
  });
}

const channelText = (messages: Message[], channel: number): string =>
  Buffer.concat(messages.filter((m) => m.channel === channel).map((m) => m.data)).toString();

/** The raw HTTP response to an upgrade request that is refused. */
function refusedUpgrade(api: FakeApiServer, path: string, headers: Record<string, string>, method = 'POST'): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${api.url}${path}`, { method, headers });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      reject(new Error('upgraded unexpectedly'));
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function reportTerminal(io: StreamIO): Promise<number> {
  if (!io.tty || !io.resize) {
    io.stdout?.write('no terminal');
    return 0;
  }
  for await (const size of io.resize) {
    io.stdout?.write(`terminal ${size.width}x${size.height}`);
    break;
  }
  return 0;
}

/** client-node refuses plain http unless TLS verification is explicitly off. */
function clientNodeConfig(api: FakeApiServer): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: api.url, skipTLSVerify: true }],
    users: [{ name: 'nobody' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'nobody' }],
    currentContext: 'fake',
  });
  return kc;
}

let abortedBy: ((reason: unknown) => void) | undefined;
/** Runs until the client goes away, then tells the test why it stopped. */
function waitForAbort(io: StreamIO, signal: AbortSignal): Promise<number> {
  io.stdout?.write('running');
  return new Promise((resolve) => {
    signal.addEventListener('abort', () => {
      abortedBy?.(signal.reason);
      resolve(137);
    });
  });
}

const execPath = (query: string): string => `/api/v1/namespaces/default/pods/p/exec?container=c&${query}`;

describe('WebSocket streaming', () => {
  const payload = randomBytes(1024 * 1024);
  let api: FakeApiServer;
  let podServer: Server;
  let podPort: number;
  let refusedPort: number;

  before(async () => {
    podServer = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Length': payload.length, Connection: 'close' });
      res.end(payload);
    });
    await new Promise<void>((resolve) => podServer.listen(0, '127.0.0.1', resolve));
    podPort = (podServer.address() as AddressInfo).port;
    const closed = createTcpServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    refusedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    api = await startFakeApiServer({
      exec: (command): RemoteCommandRunner => {
        if (command[0] === 'report-terminal') return reportTerminal;
        if (command[0] === 'wait-for-abort') return waitForAbort;
        return hostExec(command);
      },
      forward: (port) =>
        new Promise<Duplex>((resolve, reject) => {
          const socket = connect(port === 8080 ? podPort : refusedPort, '127.0.0.1');
          socket.once('connect', () => resolve(socket));
          socket.once('error', reject);
        }),
    });
  });

  after(async () => {
    await api?.close();
    podServer?.closeAllConnections();
    await new Promise<void>((resolve) => (podServer ? podServer.close(() => resolve()) : resolve()));
  });

  it('v5: a tty session gets resize events, split across messages as the client likes', async () => {
    const s = await openSession(api, execPath('command=report-terminal&stdin=1&stdout=1&tty=1'), ['v5.channel.k8s.io']);
    assert.equal(s.protocol, 'v5.channel.k8s.io');
    s.ws.send(Buffer.from('\x04{"Width":100,'));
    s.ws.send(Buffer.from('\x04"Height":30}'));
    const { messages, code } = await s.done;
    assert.deepEqual(messages[0], { channel: 1, data: Buffer.alloc(0), text: false }, 'an empty first message on stdout');
    assert.equal(channelText(messages, 1), 'terminal 100x30');
    assert.equal(channelText(messages, 3), '{"metadata":{},"status":"Success"}');
    assert.ok(!messages.some((m) => m.channel === 2), 'a tty has no stderr');
    assert.equal(code, 1000);
  });

  it('v5: the close signal ends stdin', async () => {
    const s = await openSession(api, execPath('command=sh&command=-c&command=cat%3B%20echo%20eof%20%3E%262&stdin=1&stdout=1&stderr=1'), ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
    assert.equal(s.protocol, 'v5.channel.k8s.io');
    s.ws.send(Buffer.from('\x00abc'));
    s.ws.send(Buffer.from('\x00def'));
    s.ws.send(Buffer.from([255, 0]));
    const { messages } = await s.done;
    assert.equal(channelText(messages, 1), 'abcdef');
    assert.equal(channelText(messages, 2), 'eof\n');
    assert.equal(channelText(messages, 3), '{"metadata":{},"status":"Success"}');
  });

  it('v4: the exit code travels as a NonZeroExitCode status', async () => {
    const s = await openSession(api, execPath('command=sh&command=-c&command=exit%207&stdout=1'), ['v4.channel.k8s.io']);
    assert.equal(s.protocol, 'v4.channel.k8s.io');
    const { messages } = await s.done;
    assert.equal(
      channelText(messages, 3),
      '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 7], exit code 7","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"7"}]}}',
    );
  });

  it('base64.channel.k8s.io: base64 text messages, and the failure as plain text', async () => {
    const s = await openSession(api, execPath('command=sh&command=-c&command=printf%20hi%3B%20exit%202&stdout=1'), ['base64.channel.k8s.io']);
    const { messages } = await s.done;
    assert.ok(messages.every((m) => m.text));
    assert.equal(channelText(messages, 1), 'hi');
    assert.equal(channelText(messages, 3), 'command terminated with non-zero exit code: error executing command [sh -c printf hi; exit 2], exit code 2');
  });

  it("aborts run's signal when the client goes away", async () => {
    const aborted = new Promise<unknown>((resolve) => {
      abortedBy = resolve;
    });
    const s = await openSession(api, execPath('command=wait-for-abort&stdout=1'), ['v5.channel.k8s.io']);
    while (channelText(s.messages, 1) !== 'running') await new Promise((resolve) => setTimeout(resolve, 10));
    s.ws.terminate();
    assert.match(String(await aborted), /the client closed the connection/);
  });

  it('refuses a subprotocol it does not speak, and a request that is no upgrade', async () => {
    const ws = new WebSocket(api.url.replace('http', 'ws') + execPath('command=true&stdout=1'), ['v9.channel.k8s.io']);
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    assert.equal(status, 400);

    const plain = await fetch(`${api.url}${execPath('command=true&stdout=1')}`);
    assert.equal(plain.status, 400);
    assert.deepEqual(await plain.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Upgrade request required', reason: 'BadRequest', code: 400 });
  });

  it('refuses SPDY without a common protocol version, naming the ones it accepts', async () => {
    const r = await refusedUpgrade(api, execPath('command=true&stdout=1'), { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'v9.channel.k8s.io' });
    assert.equal(r.status, 403);
    assert.equal(r.headers['x-accepted-stream-protocol-versions'], 'v5.channel.k8s.io, v4.channel.k8s.io, v3.channel.k8s.io, v2.channel.k8s.io, channel.k8s.io');
    assert.match(JSON.parse(r.body).message, /unable to negotiate protocol: client supports \[v9.channel.k8s.io\]/);
  });

  it('@kubernetes/client-node Exec gets output and the exit status', async () => {
    const kc = clientNodeConfig(api);
    let out = '';
    let err = '';
    const sink = (append: (s: string) => void): Writable =>
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          append(chunk.toString());
          cb();
        },
      });
    const status = await new Promise<{ status?: string; details?: { causes?: { reason?: string; message?: string }[] } }>((resolve, reject) => {
      new Exec(kc)
        .exec('default', 'p', 'c', ['sh', '-c', 'echo from-client-node; echo oops >&2; exit 4'], sink((s) => (out += s)), sink((s) => (err += s)), null, false, resolve)
        .catch(reject);
    });
    assert.equal(out, 'from-client-node\n');
    assert.equal(err, 'oops\n');
    assert.equal(status.status, 'Failure');
    assert.deepEqual(status.details?.causes, [{ reason: 'ExitCode', message: '4' }]);
  });

  it('@kubernetes/client-node PortForward fetches 1 MB over the v4 channel protocol', async () => {
    const kc = clientNodeConfig(api);
    const input = new PassThrough();
    const chunks: Buffer[] = [];
    const received = new Promise<Buffer>((resolve) => {
      const output = new Writable({
        write(chunk: Buffer, _enc, cb) {
          chunks.push(chunk);
          const all = Buffer.concat(chunks);
          const headerEnd = all.indexOf('\r\n\r\n');
          if (headerEnd >= 0 && all.length - headerEnd - 4 >= payload.length) resolve(all.subarray(headerEnd + 4));
          cb();
        },
      });
      void new PortForward(kc).portForward('default', 'p', [8080], output, null, input).then((ws) => {
        input.write('GET / HTTP/1.1\r\nHost: pod\r\n\r\n');
        void received.then(() => (ws as WebSocket).close());
      });
    });
    const body = await received;
    assert.equal(createHash('sha256').update(body).digest('hex'), createHash('sha256').update(payload).digest('hex'));
  });

  it('port-forward over v4.channel.k8s.io: port prefixes, and a refused connection on the error channel', async () => {
    const s = await openSession(api, '/api/v1/namespaces/default/pods/p/portforward?ports=9', ['v4.channel.k8s.io']);
    const { messages } = await s.done;
    assert.deepEqual(messages[0], { channel: 0, data: Buffer.from([9, 0]), text: false });
    assert.deepEqual(messages[1], { channel: 1, data: Buffer.from([9, 0]), text: false });
    assert.match(channelText(messages.slice(2), 1), /^error forwarding port 9 to pod p, uid [-0-9a-f]+: connect ECONNREFUSED/);
  });
});
