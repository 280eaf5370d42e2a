// One SPDY stream as a Node Duplex. Reading yields the peer's DATA until its FIN; writing sends DATA
// (in the session's order and within its flow-control window); end() sends FIN. Once the stream is
// reset or the session is gone, reads end and writes are dropped rather than failing, so pipes into
// and out of it wind down without unhandled errors.

import { Duplex } from 'node:stream';
import type { SpdyHeaders } from './headers.ts';
import { headerValue } from './headers.ts';

/** What a stream needs from its session. */
export interface StreamSession {
  sendData(stream: SpdyStream, data: Buffer, fin: boolean): Promise<void>;
  /** Called once the consumer has room again for data the stream holds back. */
  resumeReading(stream: SpdyStream): void;
  /** Called when the stream is torn down before both sides finished. */
  reset(stream: SpdyStream): void;
}

export class SpdyStream extends Duplex {
  readonly id: number;
  readonly headers: SpdyHeaders;
  #session: StreamSession;
  #replied: Promise<void>;
  #markReplied!: () => void;
  #remoteFinished = false;
  #localFinished = false;
  #dead = false;
  /** Bytes delivered to the consumer but not yet acknowledged with WINDOW_UPDATE. */
  unacknowledged = 0;
  /** What the peer lets us send on this stream before its next WINDOW_UPDATE. */
  sendWindow: number;

  constructor(session: StreamSession, id: number, headers: SpdyHeaders, sendWindow: number) {
    super({ allowHalfOpen: true });
    this.id = id;
    this.headers = headers;
    this.sendWindow = sendWindow;
    this.#session = session;
    this.#replied = new Promise((resolve) => {
      this.#markReplied = resolve;
    });
  }

  /** The first value of a header the peer opened the stream with ('' when absent). */
  header(name: string): string {
    return headerValue(this.headers, name);
  }

  get remoteFinished(): boolean {
    return this.#remoteFinished;
  }

  get localFinished(): boolean {
    return this.#localFinished;
  }

  /** True once the stream was reset or its session went away. */
  get dead(): boolean {
    return this.#dead;
  }

  /** Resolves when SYN_REPLY is queued; DATA may only follow it. */
  get replied(): Promise<void> {
    return this.#replied;
  }

  markReplied(): void {
    this.#markReplied();
  }

  /** Data from the peer; returns false when the consumer wants no more for now. */
  receive(data: Buffer): boolean {
    if (this.#remoteFinished || this.#dead) return true;
    return this.push(data);
  }

  receiveFin(): void {
    if (this.#remoteFinished) return;
    this.#remoteFinished = true;
    this.push(null);
  }

  /** The peer reset the stream, or the session ended: nothing more flows either way. */
  terminate(): void {
    if (this.#dead) return;
    this.#dead = true;
    this.#localFinished = true;
    this.#markReplied();
    this.receiveFin();
    this.emit('terminated');
  }

  /** The peer opened the stream unidirectional: we may not send on it. */
  terminateLocal(): void {
    this.#localFinished = true;
  }

  override _read(): void {
    this.#session.resumeReading(this);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#dead || this.#localFinished) return callback();
    this.#session.sendData(this, chunk, false).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.#dead || this.#localFinished) return callback();
    this.#localFinished = true;
    this.#session.sendData(this, Buffer.alloc(0), true).then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.#dead && !(this.#localFinished && this.#remoteFinished)) {
      this.#dead = true;
      this.#session.reset(this);
    }
    this.#dead = true;
    callback(error);
  }
}
