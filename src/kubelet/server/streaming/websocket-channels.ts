// The channel.k8s.io family of WebSocket subprotocols: every message starts with one byte naming its
// channel (base64 variants: an ASCII digit, then the payload in base64). v5 adds the close signal
// [255, channel], by which the client ends one channel (e.g. stdin) without closing the socket.
// Guarantees: messages leave in the order written; a channel's Readable ends on its close signal or
// when the socket closes; writes after the socket closed are dropped; a slow reader pauses the socket.
// acceptWebSocket completes the upgrade for every WebSocket shape of the streaming endpoints.

import type { IncomingMessage } from 'node:http';
import { type Duplex, Readable, Writable } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';

/** v5 control channel: a message [255, n] closes channel n. */
export const closeChannel = 255;
/** How long close() waits for the peer's close frame before dropping the connection. */
const closeTimeoutMs = 10_000;

export interface ChannelOptions {
  /** base64.channel.k8s.io framing (text messages) instead of binary. */
  base64: boolean;
  /** Understands the v5 close signal. */
  closeSignals: boolean;
  /** Channels the client may send on; messages on any other channel are dropped. */
  inbound: number[];
}

const chosenProtocol = new WeakMap<IncomingMessage, string>();
// The subprotocol is answered here rather than through the library's protocol negotiation, which
// refuses names that are not HTTP tokens, such as SPDY/3.1+portforward.k8s.io.
const server = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false });
server.on('headers', (headers: string[], req: IncomingMessage) => {
  const protocol = chosenProtocol.get(req);
  if (protocol) headers.push(`Sec-WebSocket-Protocol: ${protocol}`);
});

/**
 * Completes a WebSocket upgrade answering with `protocol` ('' for none) and hands the socket to
 * `open` synchronously, before any message can be missed. Resolves undefined when the handshake
 * was refused (the WebSocket library has then answered the client and closed the socket).
 */
export function acceptWebSocket<T>(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string, open: (ws: WebSocket) => T): Promise<T | undefined> {
  chosenProtocol.set(req, protocol);
  delete req.headers['sec-websocket-protocol'];
  return new Promise((resolve) => {
    const onClose = (): void => resolve(undefined);
    socket.once('close', onClose);
    server.handleUpgrade(req, socket, head, (ws) => {
      socket.off('close', onClose);
      resolve(open(ws));
    });
  });
}

export class WebSocketChannels {
  readonly ws: WebSocket;
  readonly #options: ChannelOptions;
  readonly #readables = new Map<number, Readable>();
  readonly #pausedBy = new Set<number>();
  #closing = false;
  #resolveClosed!: () => void;
  /** Resolves once the WebSocket is closed. */
  readonly closed: Promise<void>;

  constructor(ws: WebSocket, options: ChannelOptions) {
    this.ws = ws;
    this.#options = options;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    for (const channel of options.inbound) this.#readables.set(channel, new Readable({ read: () => this.#resume(channel) }));
    ws.on('message', (data: Buffer) => this.#receive(data));
    ws.on('close', () => this.#teardown());
    ws.on('error', () => ws.terminate());
    if (ws.readyState === WebSocket.CLOSED) this.#teardown();
  }

  /** What the client sends on `channel`; already ended for a channel not listed as inbound. */
  readable(channel: number): Readable {
    return this.#readables.get(channel) ?? Readable.from([]);
  }

  /** A Writable whose chunks go out as messages on `channel`; end() sends nothing. */
  writable(channel: number): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        this.send(channel, chunk).then(() => callback(), callback);
      },
    });
  }

  /** Sends one message on `channel`; resolves once it is handed to the socket (or dropped, if closed). */
  send(channel: number, data: Buffer): Promise<void> {
    if (this.ws.readyState !== WebSocket.OPEN) return Promise.resolve();
    const message = this.#options.base64
      ? String.fromCharCode(48 + channel) + data.toString('base64')
      : Buffer.concat([Buffer.of(channel), data]);
    return new Promise((resolve) => {
      this.ws.send(message, { binary: !this.#options.base64 }, () => resolve());
    });
  }

  /** Closes the WebSocket normally and waits for it to be gone. */
  async close(): Promise<void> {
    // Nobody reads any more: keep taking messages so the client's close frame gets through.
    this.#closing = true;
    this.#pausedBy.clear();
    this.ws.resume();
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close(1000);
      const timer = setTimeout(() => this.ws.terminate(), closeTimeoutMs);
      timer.unref();
      await this.closed;
      clearTimeout(timer);
    }
    return this.closed;
  }

  #receive(data: Buffer): void {
    if (data.length === 0) return;
    if (this.#options.closeSignals && data[0] === closeChannel) {
      if (data.length === 2) this.#endChannel(data[1]);
      return;
    }
    let channel = data[0];
    let payload = data.subarray(1);
    if (this.#options.base64) {
      channel -= 48;
      payload = Buffer.from(payload.toString('latin1'), 'base64');
    }
    const r = this.#readables.get(channel);
    if (!r || r.readableEnded || r.destroyed) return;
    if (payload.length > 0 && !r.push(payload)) this.#pause(channel);
  }

  #endChannel(channel: number): void {
    const r = this.#readables.get(channel);
    if (r && !r.readableEnded && !r.destroyed) r.push(null);
    this.#resume(channel);
  }

  #pause(channel: number): void {
    if (this.#closing) return;
    this.#pausedBy.add(channel);
    this.ws.pause();
  }

  #resume(channel: number): void {
    if (!this.#pausedBy.delete(channel)) return;
    if (this.#pausedBy.size === 0) this.ws.resume();
  }

  #teardown(): void {
    for (const channel of this.#readables.keys()) this.#endChannel(channel);
    this.#resolveClosed();
  }
}
