// Exec and attach through a CRI runtime's streaming server, as a client of the one-shot URL that the
// Exec or Attach call returns. It speaks SPDY/3.1 with the remote-command protocol v4.channel.k8s.io
// (what kubectl speaks to a kubelet) rather than the WebSocket form: containerd 1.6 serves WebSockets
// only up to v4, where the client cannot end stdin without closing the whole connection, so a command
// that reads its input to the end (`cat`) would never see EOF.
//
// Guarantees: the streams opened are exactly those asked for (error, then stdin, stdout, stderr unless
// tty, resize with tty), as the server counts them; stdin's end is sent as FIN on the stdin stream;
// output goes to the given writables in order, pausing the connection while one is full; the result
// is the exit code from the v4 status (0 on Success, the ExitCode cause on NonZeroExitCode), and any
// other failure status rejects with its message. The caller's streams are never ended here.

import { request } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import type { StreamIO } from '../runtime.ts';
import { FrameParser, encodeFrame, flagFin, rstStatus, type Frame } from '../../server/streaming/spdy/frames.ts';
import { HeaderCompressor } from '../../server/streaming/spdy/headers.ts';

export const remoteCommandProtocol = 'v4.channel.k8s.io';
/** Our DATA frames carry at most this much (a frame's length field allows 16 MiB). */
const maxDataFrame = 64 * 1024;

export interface RemoteCommandStreams {
  stdin: boolean;
  stdout: boolean;
  /** Must be false with tty: a terminal has one output stream. */
  stderr: boolean;
  tty: boolean;
}

/** The exit code a v4 status message reports; throws with its message for other failures. */
export function exitCodeFromStatus(text: string): number {
  if (text.trim() === '') return 0;
  let status: { status?: string; reason?: string; message?: string; details?: { causes?: { reason?: string; message?: string }[] } };
  try {
    status = JSON.parse(text);
  } catch {
    throw new Error(`error reading the command's status: ${JSON.stringify(text)}`);
  }
  if (status.status === 'Success') return 0;
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    const code = Number(cause?.message);
    if (Number.isInteger(code)) return code;
    throw new Error(`error reading the exit code of: ${status.message ?? text}`);
  }
  throw new Error(status.message || text);
}

/** Opens the SPDY upgrade; rejects with the server's answer when it is not 101. */
function upgrade(url: string, timeoutMs: number): Promise<{ socket: Socket; head: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': remoteCommandProtocol },
      timeout: timeoutMs,
    });
    req.once('upgrade', (res, socket, head) => {
      const chosen = res.headers['x-stream-protocol-version'];
      if (chosen !== remoteCommandProtocol) {
        socket.destroy();
        reject(new Error(`the streaming server chose protocol ${JSON.stringify(chosen ?? '')}, want ${remoteCommandProtocol}`));
        return;
      }
      socket.setTimeout(0);
      resolve({ socket: socket as Socket, head });
    });
    req.once('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => reject(new Error(`the streaming server refused the upgrade: ${res.statusCode} ${body.trim()}`)));
    });
    req.once('timeout', () => req.destroy(new Error(`timed out connecting to the streaming server after ${timeoutMs} ms`)));
    req.once('error', reject);
    req.end();
  });
}

/** The caller's output streams all closed before the server sent its status. */
export class StreamsClosedError extends Error {
  constructor() {
    super('the output streams were closed before the command finished');
    this.name = 'StreamsClosedError';
  }
}

interface Incoming {
  out?: Writable;
  done: boolean;
}

/**
 * Runs one exec or attach session at `url` (from Exec or Attach, with the same stdin/stdout/stderr/tty)
 * wired to `io`; resolves with the exit code once the server has sent its status and closed. When
 * every output stream of the caller closes first, the session is closed and it rejects with
 * StreamsClosedError.
 */
export async function runRemoteCommand(url: string, streams: RemoteCommandStreams, io: StreamIO, timeoutMs: number): Promise<number> {
  const { socket, head } = await upgrade(url, timeoutMs);
  const compressor = new HeaderCompressor();
  const parser = new FrameParser();
  let nextId = 1;
  const open = async (type: string): Promise<number> => {
    const streamId = nextId;
    nextId += 2;
    const headerBlock = await compressor.compress({ streamtype: [type] });
    socket.write(encodeFrame({ type: 'synStream', flags: 0, streamId, associatedStreamId: 0, priority: 0, slot: 0, headerBlock }));
    return streamId;
  };

  let status = '';
  const incoming = new Map<number, Incoming>();
  let settle!: () => void;
  const finished = new Promise<void>((resolve) => {
    settle = resolve;
  });
  let failure: Error | undefined;
  const checkDone = (): void => {
    if ([...incoming.values()].every((s) => s.done)) settle();
  };
  socket.once('close', () => settle());
  socket.on('error', (err) => {
    failure ??= err;
    settle();
  });

  const live = (w: Writable | undefined): w is Writable => w !== undefined && !w.destroyed && !w.writableEnded;
  const handle = (frame: Frame): void => {
    switch (frame.type) {
      case 'data': {
        const s = incoming.get(frame.streamId);
        if (!s) return;
        if (frame.data.length > 0) {
          if (s.out === undefined) status += frame.data.toString('utf8');
          else if (live(s.out) && !s.out.write(frame.data)) {
            socket.pause();
            s.out.once('drain', () => socket.resume());
            s.out.once('close', () => socket.resume());
          }
        }
        if (frame.flags & flagFin) {
          s.done = true;
          checkDone();
        }
        return;
      }
      case 'rstStream': {
        const s = incoming.get(frame.streamId);
        if (s) {
          s.done = true;
          checkDone();
        }
        return;
      }
      case 'synReply':
        if (frame.flags & flagFin) {
          const s = incoming.get(frame.streamId);
          if (s) {
            s.done = true;
            checkDone();
          }
        }
        return;
      case 'synStream':
        // The server has no streams of its own to open in this protocol.
        socket.write(encodeFrame({ type: 'rstStream', streamId: frame.streamId, status: rstStatus.refusedStream }));
        return;
      case 'ping':
        socket.write(encodeFrame(frame));
        return;
      default:
        return;
    }
  };
  const receive = (chunk: Buffer): void => {
    try {
      for (const frame of parser.push(chunk)) handle(frame);
    } catch (err) {
      failure ??= err as Error;
      socket.destroy();
    }
  };
  socket.on('data', receive);
  if (head.length > 0) receive(head);

  const errorId = await open('error');
  incoming.set(errorId, { done: false });
  const stdinId = streams.stdin ? await open('stdin') : undefined;
  if (streams.stdout) incoming.set(await open('stdout'), { out: io.stdout, done: false });
  if (streams.stderr && !streams.tty) incoming.set(await open('stderr'), { out: io.stderr, done: false });
  const resizeId = streams.tty ? await open('resize') : undefined;
  compressor.close();

  const cleanups: (() => void)[] = [];
  if (stdinId !== undefined) cleanups.push(sendStdin(socket, stdinId, io.stdin));
  if (resizeId !== undefined && io.resize) {
    void (async () => {
      try {
        for await (const size of io.resize!) {
          if (socket.destroyed) break;
          socket.write(encodeFrame({ type: 'data', streamId: resizeId, flags: 0, data: Buffer.from(JSON.stringify({ Width: size.width, Height: size.height })) }));
        }
      } catch {
        // The session goes on with its last size.
      }
    })();
  }
  // An attach or exec whose caller stopped listening has nobody to report to.
  const outputs = [io.stdout, streams.tty ? undefined : io.stderr].filter((w): w is Writable => w !== undefined);
  let abandoned = false;
  if (outputs.length > 0) {
    let gone = 0;
    const onGone = (): void => {
      if (++gone < outputs.length) return;
      abandoned = true;
      socket.destroy();
    };
    for (const w of outputs) {
      w.once('close', onGone);
      cleanups.push(() => w.off('close', onGone));
    }
  }

  try {
    await finished;
  } finally {
    for (const cleanup of cleanups) cleanup();
    socket.off('data', receive);
    socket.destroy();
  }
  if (status === '' && abandoned) throw new StreamsClosedError();
  if (status === '' && failure) throw failure;
  return exitCodeFromStatus(status);
}

/** Copies `stdin` into the stdin stream and sends FIN when it ends; returns what stops the copy. */
function sendStdin(socket: Socket, streamId: number, stdin: Readable | undefined): () => void {
  const fin = (): void => {
    if (!socket.destroyed) socket.write(encodeFrame({ type: 'data', streamId, flags: flagFin, data: Buffer.alloc(0) }));
  };
  if (!stdin || stdin.readableEnded) {
    fin();
    return () => undefined;
  }
  const onData = (chunk: Buffer | string): void => {
    if (socket.destroyed) return;
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let ok = true;
    for (let offset = 0; offset < data.length; offset += maxDataFrame) {
      ok = socket.write(encodeFrame({ type: 'data', streamId, flags: 0, data: data.subarray(offset, offset + maxDataFrame) }));
    }
    if (!ok) {
      stdin.pause();
      socket.once('drain', () => stdin.resume());
    }
  };
  const onEnd = (): void => fin();
  stdin.on('data', onData);
  stdin.once('end', onEnd);
  return () => {
    stdin.off('data', onData);
    stdin.off('end', onEnd);
  };
}
