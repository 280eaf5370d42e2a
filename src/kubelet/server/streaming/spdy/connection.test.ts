import assert from 'node:assert/strict';
import { type Duplex, duplexPair } from 'node:stream';
import { afterEach, describe, it } from 'node:test';
import { SpdySession, defaultWindow } from './connection.ts';
import { type Frame, FrameParser, encodeFrame, flagFin, rstStatus } from './frames.ts';
import { HeaderCompressor, HeaderDecompressor, type SpdyHeaders } from './headers.ts';
import type { SpdyStream } from './stream.ts';

/** The client end of a session, speaking raw frames. */
class Peer {
  readonly socket: Duplex;
  readonly #parser = new FrameParser();
  readonly #compressor = new HeaderCompressor();
  readonly #decompressor = new HeaderDecompressor();
  readonly #frames: Frame[] = [];
  #wake: (() => void) | undefined;

  constructor(socket: Duplex) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#frames.push(...this.#parser.push(chunk));
      this.#wake?.();
    });
  }

  async open(id: number, headers: SpdyHeaders, flags = 0): Promise<void> {
    const headerBlock = await this.#compressor.compress(headers);
    this.socket.write(encodeFrame({ type: 'synStream', flags, streamId: id, associatedStreamId: 0, priority: 0, slot: 0, headerBlock }));
  }

  send(frame: Frame): void {
    this.socket.write(encodeFrame(frame));
  }

  /** Waits for the next frame matching `match`, taking it and every frame before it. */
  async next(match: (f: Frame) => boolean, timeoutMs = 5_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.#frames.findIndex(match);
      if (i >= 0) {
        const taken = this.#frames.splice(0, i + 1);
        // Every header block goes through the one inflate context, skipped frames' too.
        for (const f of taken) if (f.type === 'synReply' || f.type === 'headers') await this.#decompressor.decompress(f.headerBlock);
        return taken[taken.length - 1];
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a frame');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** All DATA bytes on `streamId` until its FIN, or until `bytes` have arrived. */
  async read(streamId: number, bytes = Infinity): Promise<Buffer> {
    const parts: Buffer[] = [];
    let size = 0;
    while (size < bytes) {
      const f = await this.next((x) => x.type === 'data' && x.streamId === streamId);
      if (f.type !== 'data') continue;
      parts.push(f.data);
      size += f.data.length;
      if (f.flags & flagFin) break;
    }
    return Buffer.concat(parts);
  }

  /** Frames received and not yet taken. */
  get pending(): Frame[] {
    return this.#frames;
  }

  close(): void {
    this.#compressor.close();
    this.#decompressor.close();
    this.socket.destroy();
  }
}

describe('SPDY session', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  function start(onStream: (s: SpdyStream) => boolean | void): { session: SpdySession; peer: Peer } {
    const [server, client] = duplexPair();
    const session = new SpdySession(server, { onStream, closeTimeoutMs: 1_000 });
    const peer = new Peer(client);
    cleanups.push(() => peer.close(), () => session.destroy());
    return { session, peer };
  }

  it('replies to SYN_STREAM, hands over the headers, and echoes data both ways', async () => {
    const { peer } = start((stream) => {
      assert.equal(stream.header('streamType'), 'stdout');
      stream.pipe(stream);
    });
    await peer.open(1, { streamtype: ['stdout'] });
    const reply = await peer.next((f) => f.type === 'synReply');
    assert.equal(reply.type === 'synReply' && reply.streamId, 1);
    peer.send({ type: 'data', streamId: 1, flags: 0, data: Buffer.from('ping ') });
    peer.send({ type: 'data', streamId: 1, flags: flagFin, data: Buffer.from('pong') });
    assert.equal((await peer.read(1)).toString(), 'ping pong');
  });

  it('acknowledges consumed data with WINDOW_UPDATE for the stream and the session', async () => {
    const { peer } = start((stream) => {
      stream.resume();
    });
    await peer.open(1, { streamtype: ['stdin'] });
    peer.send({ type: 'data', streamId: 1, flags: 0, data: Buffer.alloc(1000) });
    const streamUpdate = await peer.next((f) => f.type === 'windowUpdate' && f.streamId === 1);
    assert.equal(streamUpdate.type === 'windowUpdate' && streamUpdate.delta, 1000);
    const sessionUpdate = await peer.next((f) => f.type === 'windowUpdate' && f.streamId === 0);
    assert.equal(sessionUpdate.type === 'windowUpdate' && sessionUpdate.delta, 1000);
  });

  it('holds back acknowledgement (and reading) while the consumer is full', async () => {
    let stream!: SpdyStream;
    const { peer } = start((s) => {
      stream = s;
    });
    await peer.open(1, { streamtype: ['stdin'] });
    await peer.next((f) => f.type === 'synReply');
    peer.send({ type: 'data', streamId: 1, flags: 0, data: Buffer.alloc(64 * 1024) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(!peer.pending.some((f) => f.type === 'windowUpdate'), 'no WINDOW_UPDATE before the consumer reads');
    stream.resume();
    const update = await peer.next((f) => f.type === 'windowUpdate' && f.streamId === 1);
    assert.equal(update.type === 'windowUpdate' && update.delta, 64 * 1024);
  });

  it('sends without waiting when the peer never does flow control, as kubectl does', async () => {
    const big = Buffer.alloc(3 * defaultWindow, 7);
    const { peer } = start((stream) => {
      stream.end(big);
    });
    await peer.open(1, { streamtype: ['stdout'] });
    assert.equal((await peer.read(1)).length, big.length);
  });

  it("honours the peer's windows once it sends WINDOW_UPDATE", async () => {
    const big = Buffer.alloc(3 * defaultWindow, 7);
    const { peer } = start((stream) => {
      stream.end(big);
    });
    // A peer that does flow control says so before it opens anything.
    peer.send({ type: 'windowUpdate', streamId: 0, delta: 2 * defaultWindow });
    await peer.open(1, { streamtype: ['stdout'] });
    const first = await peer.read(1, defaultWindow);
    assert.equal(first.length, defaultWindow);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(!peer.pending.some((f) => f.type === 'data'), 'nothing beyond the stream window');
    peer.send({ type: 'windowUpdate', streamId: 1, delta: 10 * defaultWindow });
    const rest = await peer.read(1);
    assert.equal(first.length + rest.length, big.length);
  });

  it('honours SETTINGS_INITIAL_WINDOW_SIZE', async () => {
    const { peer } = start((stream) => {
      stream.end(Buffer.alloc(5000));
    });
    peer.send({ type: 'settings', flags: 0, entries: [{ flags: 0, id: 7, value: 1000 }] });
    await peer.open(1, { streamtype: ['stdout'] });
    assert.equal((await peer.read(1, 1000)).length, 1000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(!peer.pending.some((f) => f.type === 'data'));
    peer.send({ type: 'windowUpdate', streamId: 1, delta: 4000 });
    assert.equal((await peer.read(1)).length, 4000);
  });

  it('echoes the client PINGs', async () => {
    const { peer } = start(() => undefined);
    peer.send({ type: 'ping', id: 3 });
    const pong = await peer.next((f) => f.type === 'ping');
    assert.equal(pong.type === 'ping' && pong.id, 3);
  });

  it('refuses a stream the handler rejects, and ends a stream the peer resets', async () => {
    let accepted!: SpdyStream;
    const { peer } = start((stream) => {
      if (stream.header('streamType') === 'bogus') return false;
      accepted = stream;
    });
    await peer.open(1, { streamtype: ['bogus'] });
    const rst = await peer.next((f) => f.type === 'rstStream');
    assert.deepEqual(rst, { type: 'rstStream', streamId: 1, status: rstStatus.refusedStream });
    await peer.open(3, { streamtype: ['data'] });
    await peer.next((f) => f.type === 'synReply');
    const ended = new Promise((resolve) => accepted.on('end', resolve));
    accepted.resume();
    peer.send({ type: 'rstStream', streamId: 3, status: rstStatus.cancel });
    await ended;
    assert.ok(accepted.dead);
  });

  it('resets streams we have not finished, then says GOAWAY on close', async () => {
    const streams: SpdyStream[] = [];
    const { session, peer } = start((stream) => {
      streams.push(stream);
    });
    await peer.open(1, { streamtype: ['error'] });
    await peer.open(3, { streamtype: ['stdin'] });
    await peer.next((f) => f.type === 'synReply' && f.streamId === 3);
    streams[0].end('status');
    await new Promise((resolve) => streams[0].on('finish', resolve));
    const closing = session.close();
    assert.deepEqual(await peer.next((f) => f.type === 'rstStream'), { type: 'rstStream', streamId: 3, status: rstStatus.cancel });
    assert.deepEqual(await peer.next((f) => f.type === 'goAway'), { type: 'goAway', lastGoodStreamId: 3, status: 0 });
    peer.socket.end();
    await closing;
  });

  it('ends every stream when the transport goes away', async () => {
    let stream!: SpdyStream;
    const { session, peer } = start((s) => {
      stream = s;
    });
    await peer.open(1, { streamtype: ['stdin'] });
    await peer.next((f) => f.type === 'synReply');
    const ended = new Promise((resolve) => stream.on('end', resolve));
    stream.resume();
    peer.socket.destroy();
    await session.closed;
    await ended;
    stream.write('dropped, not an error');
  });

  it('answers a malformed frame with GOAWAY(PROTOCOL_ERROR)', async () => {
    const { session, peer } = start(() => undefined);
    const bad = encodeFrame({ type: 'ping', id: 1 });
    bad.writeUInt16BE(0x8002, 0);
    peer.socket.write(bad);
    const goAway = await peer.next((f) => f.type === 'goAway');
    assert.equal(goAway.type === 'goAway' && goAway.status, 1);
    await session.closed;
  });
});
