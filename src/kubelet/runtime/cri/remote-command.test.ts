// The SPDY remote-command client against a streaming server made of the kubelet's own SPDY session (the
// same wire protocol as containerd's): streams opened as asked, stdin's end reaching the command, output
// split by stream, and the exit code read from the v4 status.

import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable, type Duplex } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { writeSwitchingProtocols } from '../../server/streaming/handshake.ts';
import { SpdySession } from '../../server/streaming/spdy/connection.ts';
import type { SpdyStream } from '../../server/streaming/spdy/stream.ts';
import { exitCodeFromStatus, remoteCommandProtocol, runRemoteCommand, StreamsClosedError } from './remote-command.ts';

interface Session {
  protocol: string;
  streams: Map<string, SpdyStream>;
}

/** Serves one session per connection: `behave` gets the streams by type once `expected` have opened. */
function startServer(expected: number, behave: (s: Session) => Promise<void>): Promise<{ url: string; server: Server; sessions: Session[] }> {
  const sessions: Session[] = [];
  const server = createServer((_req, res) => res.writeHead(400).end('upgrade required'));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const protocol = String(req.headers['x-stream-protocol-version'] ?? '');
    writeSwitchingProtocols(socket, { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': remoteCommandProtocol });
    const session: Session = { protocol, streams: new Map() };
    sessions.push(session);
    const spdy = new SpdySession(socket, {
      onStream: (stream) => {
        session.streams.set(stream.header('streamType'), stream);
        if (session.streams.size === expected) void behave(session).then(() => spdy.close());
      },
    });
    spdy.receiveHead(head);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/exec/token`, server, sessions })));
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function collect(stream: PassThrough): () => string {
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return () => text;
}

function readAll(stream: Readable): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    stream.on('data', (c: Buffer) => (text += c.toString()));
    stream.on('end', () => resolve(text));
  });
}

describe('exit codes from the v4 status', () => {
  it('reads Success, NonZeroExitCode and failures', () => {
    assert.equal(exitCodeFromStatus(''), 0);
    assert.equal(exitCodeFromStatus('{"metadata":{},"status":"Success"}'), 0);
    assert.equal(
      exitCodeFromStatus('{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: exit status 7","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"7"}]}}'),
      7,
    );
    assert.throws(() => exitCodeFromStatus('{"status":"Failure","message":"container not running","reason":"InternalError"}'), /container not running/);
    assert.throws(() => exitCodeFromStatus('not json'), /status/);
  });
});

describe('remote command over SPDY', () => {
  let server: Server;
  let url: string;
  let sessions: Session[];

  before(async () => {
    // stdin is echoed to stdout once it ends; a line goes to stderr; the status says exit code 3.
    ({ server, url, sessions } = await startServer(4, async ({ streams }) => {
      const input = await readAll(streams.get('stdin')!);
      streams.get('stdout')!.end(`got: ${input}`);
      streams.get('stderr')!.end('oops\n');
      streams.get('error')!.end(JSON.stringify({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } }));
    }));
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('opens error, stdin, stdout and stderr streams, sends stdin with its end, and returns the exit code', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out = collect(stdout);
    const err = collect(stderr);
    const code = await runRemoteCommand(url, { stdin: true, stdout: true, stderr: true, tty: false }, { stdin: Readable.from([Buffer.from('one '), Buffer.from('two')]), stdout, stderr, tty: false }, 5000);
    assert.equal(code, 3);
    assert.equal(out(), 'got: one two');
    assert.equal(err(), 'oops\n');
    assert.equal(sessions.at(-1)!.protocol, remoteCommandProtocol);
    assert.deepEqual([...sessions.at(-1)!.streams.keys()], ['error', 'stdin', 'stdout', 'stderr']);
    assert.ok(!stdout.writableEnded, 'the caller ends its own streams');
  });

  it('rejects with the message of a failure status', async () => {
    const failing = await startServer(2, async ({ streams }) => {
      streams.get('error')!.end(JSON.stringify({ status: 'Failure', reason: 'InternalError', message: 'container is not running' }));
    });
    try {
      await assert.rejects(runRemoteCommand(failing.url, { stdin: false, stdout: true, stderr: false, tty: false }, { stdout: new PassThrough(), tty: false }, 5000), /container is not running/);
    } finally {
      await new Promise<void>((resolve) => failing.server.close(() => resolve()));
    }
  });

  it('with a tty opens a resize stream instead of stderr and sends sizes as JSON', async () => {
    let sizes = '';
    const tty = await startServer(3, async ({ streams }) => {
      const resize = streams.get('resize')!;
      await new Promise<void>((resolve) => {
        resize.on('data', (c: Buffer) => {
          sizes += c.toString();
          if (sizes.includes('Height":24')) resolve();
        });
      });
      streams.get('stdout')!.end('ok');
      streams.get('error')!.end(JSON.stringify({ status: 'Success' }));
    });
    try {
      const stdout = new PassThrough();
      const out = collect(stdout);
      async function* resize() {
        yield { width: 80, height: 24 };
      }
      const code = await runRemoteCommand(tty.url, { stdin: false, stdout: true, stderr: false, tty: true }, { stdout, tty: true, resize: resize() }, 5000);
      assert.equal(code, 0);
      assert.equal(out(), 'ok');
      assert.deepEqual(JSON.parse(sizes), { Width: 80, Height: 24 });
      assert.deepEqual([...tty.sessions[0].streams.keys()].sort(), ['error', 'resize', 'stdout']);
    } finally {
      await new Promise<void>((resolve) => tty.server.close(() => resolve()));
    }
  });

  it('closes the session when the caller closes its output streams, and says so', async () => {
    let serverSawEnd = false;
    const silent = await startServer(3, async ({ streams }) => {
      streams.get('stdout')!.write('partial');
      // The client hanging up ends what the server reads.
      await new Promise<void>((resolve) => streams.get('error')!.once('end', () => resolve()).resume());
      serverSawEnd = true;
    });
    try {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      stdout.once('data', () => {
        stdout.destroy();
        stderr.destroy();
      });
      await assert.rejects(runRemoteCommand(silent.url, { stdin: false, stdout: true, stderr: true, tty: false }, { stdout, stderr, tty: false }, 5000), StreamsClosedError);
      await until(() => serverSawEnd);
    } finally {
      await new Promise<void>((resolve) => silent.server.close(() => resolve()));
    }
  });

  it('reports a refused upgrade with the server answer', async () => {
    const refusing = createServer();
    refusing.on('upgrade', (_req, socket: Duplex) => socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 15\r\nConnection: close\r\n\r\ntoken not found'));
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', () => resolve()));
    try {
      const target = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/exec/gone`;
      await assert.rejects(runRemoteCommand(target, { stdin: false, stdout: true, stderr: false, tty: false }, { stdout: new PassThrough(), tty: false }, 5000), /refused the upgrade: 404 token not found/);
    } finally {
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
    }
  });
});
