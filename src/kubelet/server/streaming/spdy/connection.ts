// The server side of a SPDY/3.1 session over any byte transport (an upgraded socket, or a WebSocket
// carrying SPDY for port-forward tunneling). Guarantees:
// - every SYN_STREAM from the peer gets a SYN_REPLY (or RST_STREAM when refused) before any DATA of ours
//   on that stream; frames leave in the order they were queued; PINGs are echoed.
// - received DATA is acknowledged with WINDOW_UPDATE (stream and session) once the consumer takes it;
//   when a consumer falls behind, the session stops reading the transport (TCP back-pressure, which is
//   all a Go spdystream peer like kubectl relies on: it never sends WINDOW_UPDATE).
// - our DATA honours the peer's send windows as soon as the peer shows it does flow control (it sent a
//   WINDOW_UPDATE or an initial window SETTING); until then windows are tracked but not waited on,
//   because a spdystream peer would otherwise stall every transfer after 64 KiB.
// - when the transport ends, every stream ends: reads see EOF, writes are dropped, `closed` resolves.

import type { Duplex } from 'node:stream';
import {
  type Frame,
  FrameParser,
  SpdyProtocolError,
  encodeFrame,
  flagFin,
  flagUnidirectional,
  goAwayStatus,
  rstStatus,
  settingsIds,
} from './frames.ts';
import { HeaderCompressor, HeaderDecompressor, type SpdyHeaders } from './headers.ts';
import { SpdyStream, type StreamSession } from './stream.ts';

/** SPDY/3's initial flow-control window, per stream and (3.1) per session. */
export const defaultWindow = 64 * 1024;
/** Our DATA frames carry at most this much. */
const maxDataFrame = 32 * 1024;
/** Parsed frames waiting to be handled beyond which the transport is paused. */
const maxQueuedFrames = 64;
/** How long close() waits for the peer to hang up before dropping the transport. */
const defaultCloseTimeoutMs = 10_000;

export interface SpdySessionOptions {
  /**
   * Called for each stream the peer opens; return false (or throw) to refuse it with RST_STREAM.
   * The stream may be written to right away: its DATA follows the SYN_REPLY.
   */
  onStream: (stream: SpdyStream) => boolean | void;
  closeTimeoutMs?: number;
}

export class SpdySession implements StreamSession {
  readonly #transport: Duplex;
  readonly #onStream: SpdySessionOptions['onStream'];
  readonly #closeTimeoutMs: number;
  readonly #parser = new FrameParser();
  readonly #compressor = new HeaderCompressor();
  readonly #decompressor = new HeaderDecompressor();
  readonly #streams = new Map<number, SpdyStream>();
  readonly #inbound: Frame[] = [];
  #pumping = false;
  #outboundTail: Promise<void> = Promise.resolve();
  #pausedBy = new Set<unknown>();
  #lastPeerStreamId = 0;
  #goingAway = false;
  #closing = false;
  #inputDone = false;
  #dead = false;
  #peerFlowControl = false;
  #initialSendWindow = defaultWindow;
  #sessionSendWindow = defaultWindow;
  #windowWaiters: (() => void)[] = [];
  #drainWaiters: (() => void)[] = [];
  #closeTimer: NodeJS.Timeout | undefined;
  #resolveClosed!: () => void;
  /** Resolves once the peer has hung up (or the transport failed) and every stream has ended. */
  readonly closed: Promise<void>;

  constructor(transport: Duplex, options: SpdySessionOptions) {
    this.#transport = transport;
    this.#onStream = options.onStream;
    this.#closeTimeoutMs = options.closeTimeoutMs ?? defaultCloseTimeoutMs;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    transport.on('data', (chunk: Buffer) => this.#receive(chunk));
    transport.on('drain', () => this.#wake(this.#drainWaiters));
    transport.on('end', () => this.#inputEnded());
    transport.on('close', () => this.#inputEnded());
    transport.on('error', () => this.#teardown());
  }

  /** Bytes that arrived with the upgrade request, before the transport was handed over. */
  receiveHead(head: Buffer): void {
    if (head.length > 0) this.#receive(head);
  }

  /** Streams not yet torn down. */
  get streams(): ReadonlyMap<number, SpdyStream> {
    return this.#streams;
  }

  /**
   * Ends the session as upstream's kubelet does: resets streams we have not finished, sends GOAWAY,
   * ends the transport, and drops it if the peer has not hung up within the close timeout.
   */
  async close(): Promise<void> {
    if (this.#dead) return this.closed;
    if (!this.#closing) {
      this.#closing = true;
      this.#goingAway = true;
      for (const stream of this.#streams.values()) {
        if (!stream.localFinished) stream.destroy();
      }
      // Nobody reads any more: keep taking frames so the peer's own GOAWAY and hang-up get through.
      this.#pausedBy.clear();
      this.#transport.resume();
      await this.#enqueue(() => encodeFrame({ type: 'goAway', lastGoodStreamId: this.#lastPeerStreamId, status: goAwayStatus.ok }));
      await this.#outboundTail;
      if (!this.#dead) {
        this.#transport.end();
        this.#closeTimer = setTimeout(() => this.#transport.destroy(), this.#closeTimeoutMs);
        this.#closeTimer.unref();
      }
    }
    return this.closed;
  }

  /** Drops the transport at once. */
  destroy(): void {
    this.#transport.destroy();
    this.#teardown();
  }

  // --- StreamSession ---

  async sendData(stream: SpdyStream, data: Buffer, fin: boolean): Promise<void> {
    await stream.replied;
    let offset = 0;
    do {
      if (this.#dead || stream.dead) return;
      let n = Math.min(data.length - offset, maxDataFrame);
      if (n > 0 && this.#peerFlowControl) n = await this.#reserveWindow(stream, n);
      else {
        stream.sendWindow -= n;
        this.#sessionSendWindow -= n;
      }
      if (this.#dead || stream.dead) return;
      const chunk = data.subarray(offset, offset + n);
      offset += n;
      const flags = fin && offset >= data.length ? flagFin : 0;
      await this.#enqueue(() => encodeFrame({ type: 'data', streamId: stream.id, flags, data: chunk }));
    } while (offset < data.length);
    if (fin) this.#forgetIfDone(stream);
  }

  resumeReading(stream: SpdyStream): void {
    this.#acknowledge(stream);
    this.#resume(stream);
  }

  reset(stream: SpdyStream): void {
    this.#streams.delete(stream.id);
    this.#resume(stream);
    if (!this.#dead) void this.#enqueue(() => encodeFrame({ type: 'rstStream', streamId: stream.id, status: rstStatus.cancel }));
  }

  // --- inbound ---

  #receive(chunk: Buffer): void {
    if (this.#dead) return;
    let frames: Frame[];
    try {
      frames = this.#parser.push(chunk);
    } catch (err) {
      this.#protocolError(err);
      return;
    }
    if (frames.length === 0) return;
    this.#inbound.push(...frames);
    if (this.#inbound.length > maxQueuedFrames) this.#pause(this.#inbound);
    void this.#pump();
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#inbound.length > 0 && !this.#dead) {
        const frame = this.#inbound.shift()!;
        await this.#handle(frame);
        if (this.#inbound.length <= maxQueuedFrames / 2) this.#resume(this.#inbound);
      }
    } catch (err) {
      this.#protocolError(err);
    } finally {
      this.#pumping = false;
    }
    if (this.#inputDone) this.#teardown();
  }

  /** The peer sent its last byte: frames already received are still handled, then the session ends. */
  #inputEnded(): void {
    this.#inputDone = true;
    if (!this.#pumping) this.#teardown();
  }

  async #handle(frame: Frame): Promise<void> {
    switch (frame.type) {
      case 'data':
        return this.#handleData(frame.streamId, frame.data, (frame.flags & flagFin) !== 0);
      case 'synStream': {
        const headers = await this.#decompressor.decompress(frame.headerBlock);
        return this.#handleSynStream(frame.streamId, frame.flags, headers);
      }
      case 'synReply':
      case 'headers': {
        // Decompressed even when unused: the zlib context must see every block.
        await this.#decompressor.decompress(frame.headerBlock);
        const stream = this.#streams.get(frame.streamId);
        if (stream && frame.flags & flagFin) {
          stream.receiveFin();
          this.#forgetIfDone(stream);
        }
        return;
      }
      case 'rstStream': {
        const stream = this.#streams.get(frame.streamId);
        if (stream) {
          this.#streams.delete(stream.id);
          this.#resume(stream);
          stream.terminate();
        }
        return;
      }
      case 'settings':
        for (const entry of frame.entries) {
          if (entry.id !== settingsIds.initialWindowSize) continue;
          const change = entry.value - this.#initialSendWindow;
          this.#initialSendWindow = entry.value;
          for (const stream of this.#streams.values()) stream.sendWindow += change;
          this.#peerFlowControl = true;
        }
        this.#wake(this.#windowWaiters);
        return;
      case 'ping':
        // Odd ids are the client's; ours would be even, and we send none.
        if (frame.id % 2 === 1) void this.#enqueue(() => encodeFrame(frame));
        return;
      case 'goAway':
        this.#goingAway = true;
        return;
      case 'windowUpdate':
        this.#peerFlowControl = true;
        if (frame.streamId === 0) this.#sessionSendWindow += frame.delta;
        else {
          const stream = this.#streams.get(frame.streamId);
          if (stream) stream.sendWindow += frame.delta;
        }
        this.#wake(this.#windowWaiters);
        return;
      case 'unknown':
        return;
    }
  }

  #handleSynStream(id: number, flags: number, headers: SpdyHeaders): void {
    if (id % 2 === 0 || id <= this.#lastPeerStreamId) {
      void this.#enqueue(() => encodeFrame({ type: 'rstStream', streamId: id, status: rstStatus.protocolError }));
      return;
    }
    this.#lastPeerStreamId = id;
    if (this.#goingAway) {
      void this.#enqueue(() => encodeFrame({ type: 'rstStream', streamId: id, status: rstStatus.refusedStream }));
      return;
    }
    const stream = new SpdyStream(this, id, headers, this.#initialSendWindow);
    this.#streams.set(id, stream);
    let accepted: boolean;
    try {
      accepted = this.#onStream(stream) !== false;
    } catch {
      accepted = false;
    }
    if (!accepted) {
      this.#streams.delete(id);
      stream.terminate();
      void this.#enqueue(() => encodeFrame({ type: 'rstStream', streamId: id, status: rstStatus.refusedStream }));
      return;
    }
    void this.#enqueue(async () => encodeFrame({ type: 'synReply', flags: 0, streamId: id, headerBlock: await this.#compressor.compress({}) }));
    stream.markReplied();
    if (flags & flagUnidirectional) stream.terminateLocal();
    if (flags & flagFin) stream.receiveFin();
  }

  #handleData(id: number, data: Buffer, fin: boolean): void {
    const stream = this.#streams.get(id);
    if (!stream) return;
    if (data.length > 0) {
      stream.unacknowledged += data.length;
      if (stream.receive(data)) this.#acknowledge(stream);
      else this.#pause(stream);
    }
    if (fin) {
      stream.receiveFin();
      this.#forgetIfDone(stream);
    }
  }

  /** Tells the peer the consumer took what it was sent, opening its windows again. */
  #acknowledge(stream: SpdyStream): void {
    const delta = stream.unacknowledged;
    if (delta === 0 || this.#dead) return;
    stream.unacknowledged = 0;
    if (!stream.remoteFinished) void this.#enqueue(() => encodeFrame({ type: 'windowUpdate', streamId: stream.id, delta }));
    void this.#enqueue(() => encodeFrame({ type: 'windowUpdate', streamId: 0, delta }));
  }

  #forgetIfDone(stream: SpdyStream): void {
    if (stream.remoteFinished && stream.localFinished) this.#streams.delete(stream.id);
  }

  // --- outbound ---

  #enqueue(build: () => Buffer | Promise<Buffer>): Promise<void> {
    const next = this.#outboundTail.then(async () => {
      if (this.#dead || this.#transport.writableEnded) return;
      const bytes = await build();
      if (this.#dead || this.#transport.writableEnded) return;
      if (!this.#transport.write(bytes)) await new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
    });
    this.#outboundTail = next.catch((err) => this.#protocolError(err));
    return this.#outboundTail;
  }

  /** Waits until both windows allow sending, and takes up to `want` bytes from them. */
  async #reserveWindow(stream: SpdyStream, want: number): Promise<number> {
    while (!this.#dead && !stream.dead && (stream.sendWindow <= 0 || this.#sessionSendWindow <= 0)) {
      await new Promise<void>((resolve) => this.#windowWaiters.push(resolve));
    }
    const n = Math.max(0, Math.min(want, stream.sendWindow, this.#sessionSendWindow));
    stream.sendWindow -= n;
    this.#sessionSendWindow -= n;
    return n;
  }

  // --- lifecycle ---

  #pause(reason: unknown): void {
    if (this.#closing) return;
    this.#pausedBy.add(reason);
    this.#transport.pause();
  }

  #resume(reason: unknown): void {
    if (!this.#pausedBy.delete(reason)) return;
    if (this.#pausedBy.size === 0 && !this.#dead) this.#transport.resume();
  }

  #wake(waiters: (() => void)[]): void {
    for (const resolve of waiters.splice(0)) resolve();
  }

  #protocolError(err: unknown): void {
    if (this.#dead) return;
    const status = err instanceof SpdyProtocolError ? goAwayStatus.protocolError : goAwayStatus.internalError;
    this.#teardown();
    if (this.#transport.writableEnded) return;
    this.#transport.end(encodeFrame({ type: 'goAway', lastGoodStreamId: this.#lastPeerStreamId, status }));
    const timer = setTimeout(() => this.#transport.destroy(), this.#closeTimeoutMs);
    timer.unref();
    this.#transport.once('close', () => clearTimeout(timer));
  }

  #teardown(): void {
    if (this.#dead) return;
    this.#dead = true;
    clearTimeout(this.#closeTimer);
    for (const stream of this.#streams.values()) stream.terminate();
    this.#streams.clear();
    this.#inbound.length = 0;
    this.#wake(this.#windowWaiters);
    this.#wake(this.#drainWaiters);
    this.#compressor.close();
    this.#decompressor.close();
    // A peer that has hung up gets our end too; otherwise close() or the caller decides.
    if (!this.#transport.destroyed && this.#transport.readableEnded && !this.#transport.writableEnded) this.#transport.end();
    this.#resolveClosed();
  }
}
