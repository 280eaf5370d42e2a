// SPDY/3.1 framing: encodes frames to bytes and parses bytes, in chunks of any size, back into frames.
// Header blocks stay compressed here (see headers.ts); this module never holds zlib state, so a frame
// parsed or encoded here is exactly what is on the wire. Malformed input throws SpdyProtocolError.

export const spdyVersion = 3;

export const controlTypes = {
  synStream: 1,
  synReply: 2,
  rstStream: 3,
  settings: 4,
  ping: 6,
  goAway: 7,
  headers: 8,
  windowUpdate: 9,
} as const;

export const flagFin = 0x01;
/** SYN_STREAM only: the sender will not receive on this stream. */
export const flagUnidirectional = 0x02;

/** RST_STREAM status codes. */
export const rstStatus = {
  protocolError: 1,
  invalidStream: 2,
  refusedStream: 3,
  unsupportedVersion: 4,
  cancel: 5,
  internalError: 6,
  flowControlError: 7,
  streamInUse: 8,
  streamAlreadyClosed: 9,
  frameTooLarge: 11,
} as const;

export const goAwayStatus = { ok: 0, protocolError: 1, internalError: 2 } as const;

export const settingsIds = { maxConcurrentStreams: 4, initialWindowSize: 7 } as const;

/** Largest payload a frame's 24-bit length can carry. */
export const maxFrameLength = 0xffffff;

export interface DataFrame {
  type: 'data';
  streamId: number;
  flags: number;
  data: Buffer;
}
export interface SynStreamFrame {
  type: 'synStream';
  flags: number;
  streamId: number;
  associatedStreamId: number;
  /** 0 (highest) to 7. */
  priority: number;
  slot: number;
  /** Compressed name/value block. */
  headerBlock: Buffer;
}
export interface SynReplyFrame {
  type: 'synReply';
  flags: number;
  streamId: number;
  headerBlock: Buffer;
}
export interface RstStreamFrame {
  type: 'rstStream';
  streamId: number;
  status: number;
}
export interface SettingsEntry {
  flags: number;
  id: number;
  value: number;
}
export interface SettingsFrame {
  type: 'settings';
  flags: number;
  entries: SettingsEntry[];
}
export interface PingFrame {
  type: 'ping';
  id: number;
}
export interface GoAwayFrame {
  type: 'goAway';
  lastGoodStreamId: number;
  status: number;
}
export interface HeadersFrame {
  type: 'headers';
  flags: number;
  streamId: number;
  headerBlock: Buffer;
}
export interface WindowUpdateFrame {
  type: 'windowUpdate';
  /** 0 for the whole session (SPDY/3.1). */
  streamId: number;
  delta: number;
}
/** A control frame of a type SPDY/3.1 does not define; receivers ignore it. */
export interface UnknownControlFrame {
  type: 'unknown';
  controlType: number;
  flags: number;
  payload: Buffer;
}

export type Frame =
  | DataFrame
  | SynStreamFrame
  | SynReplyFrame
  | RstStreamFrame
  | SettingsFrame
  | PingFrame
  | GoAwayFrame
  | HeadersFrame
  | WindowUpdateFrame
  | UnknownControlFrame;

export class SpdyProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpdyProtocolError';
  }
}

const streamIdMask = 0x7fffffff;

function controlHeader(type: number, flags: number, length: number): Buffer {
  if (length > maxFrameLength) throw new SpdyProtocolError(`frame payload of ${length} bytes is too large`);
  const header = Buffer.alloc(8);
  header.writeUInt16BE(0x8000 | spdyVersion, 0);
  header.writeUInt16BE(type, 2);
  header.writeUInt32BE(((flags & 0xff) << 24 | length) >>> 0, 4);
  return header;
}

function control(type: number, flags: number, payload: Buffer): Buffer {
  return Buffer.concat([controlHeader(type, flags, payload.length), payload]);
}

function words(...values: number[]): Buffer {
  const out = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => out.writeUInt32BE(v >>> 0, i * 4));
  return out;
}

export function encodeFrame(frame: Frame): Buffer {
  switch (frame.type) {
    case 'data': {
      if (frame.data.length > maxFrameLength) throw new SpdyProtocolError(`data frame of ${frame.data.length} bytes is too large`);
      const header = words(frame.streamId & streamIdMask, ((frame.flags & 0xff) << 24 | frame.data.length) >>> 0);
      return Buffer.concat([header, frame.data]);
    }
    case 'synStream': {
      const fixed = Buffer.alloc(10);
      fixed.writeUInt32BE(frame.streamId & streamIdMask, 0);
      fixed.writeUInt32BE(frame.associatedStreamId & streamIdMask, 4);
      fixed.writeUInt8((frame.priority & 0x7) << 5, 8);
      fixed.writeUInt8(frame.slot & 0xff, 9);
      return control(controlTypes.synStream, frame.flags, Buffer.concat([fixed, frame.headerBlock]));
    }
    case 'synReply':
      return control(controlTypes.synReply, frame.flags, Buffer.concat([words(frame.streamId & streamIdMask), frame.headerBlock]));
    case 'headers':
      return control(controlTypes.headers, frame.flags, Buffer.concat([words(frame.streamId & streamIdMask), frame.headerBlock]));
    case 'rstStream':
      return control(controlTypes.rstStream, 0, words(frame.streamId & streamIdMask, frame.status));
    case 'settings': {
      const entries = frame.entries.flatMap((e) => [((e.flags & 0xff) << 24 | (e.id & 0xffffff)) >>> 0, e.value]);
      return control(controlTypes.settings, frame.flags, words(frame.entries.length, ...entries));
    }
    case 'ping':
      return control(controlTypes.ping, 0, words(frame.id));
    case 'goAway':
      return control(controlTypes.goAway, 0, words(frame.lastGoodStreamId & streamIdMask, frame.status));
    case 'windowUpdate':
      return control(controlTypes.windowUpdate, 0, words(frame.streamId & streamIdMask, frame.delta & streamIdMask));
    case 'unknown':
      return control(frame.controlType, frame.flags, frame.payload);
  }
}

function need(payload: Buffer, length: number, what: string): void {
  if (payload.length < length) throw new SpdyProtocolError(`${what} frame is ${payload.length} bytes, want at least ${length}`);
}

function decodeControl(type: number, flags: number, payload: Buffer): Frame {
  switch (type) {
    case controlTypes.synStream:
      need(payload, 10, 'SYN_STREAM');
      return {
        type: 'synStream',
        flags,
        streamId: payload.readUInt32BE(0) & streamIdMask,
        associatedStreamId: payload.readUInt32BE(4) & streamIdMask,
        priority: payload.readUInt8(8) >> 5,
        slot: payload.readUInt8(9),
        headerBlock: payload.subarray(10),
      };
    case controlTypes.synReply:
      need(payload, 4, 'SYN_REPLY');
      return { type: 'synReply', flags, streamId: payload.readUInt32BE(0) & streamIdMask, headerBlock: payload.subarray(4) };
    case controlTypes.headers:
      need(payload, 4, 'HEADERS');
      return { type: 'headers', flags, streamId: payload.readUInt32BE(0) & streamIdMask, headerBlock: payload.subarray(4) };
    case controlTypes.rstStream:
      need(payload, 8, 'RST_STREAM');
      return { type: 'rstStream', streamId: payload.readUInt32BE(0) & streamIdMask, status: payload.readUInt32BE(4) };
    case controlTypes.settings: {
      need(payload, 4, 'SETTINGS');
      const count = payload.readUInt32BE(0);
      need(payload, 4 + count * 8, 'SETTINGS');
      const entries: SettingsEntry[] = [];
      for (let i = 0; i < count; i++) {
        const flagsAndId = payload.readUInt32BE(4 + i * 8);
        entries.push({ flags: flagsAndId >>> 24, id: flagsAndId & 0xffffff, value: payload.readUInt32BE(8 + i * 8) });
      }
      return { type: 'settings', flags, entries };
    }
    case controlTypes.ping:
      need(payload, 4, 'PING');
      return { type: 'ping', id: payload.readUInt32BE(0) };
    case controlTypes.goAway:
      need(payload, 8, 'GOAWAY');
      return { type: 'goAway', lastGoodStreamId: payload.readUInt32BE(0) & streamIdMask, status: payload.readUInt32BE(4) };
    case controlTypes.windowUpdate:
      need(payload, 8, 'WINDOW_UPDATE');
      return { type: 'windowUpdate', streamId: payload.readUInt32BE(0) & streamIdMask, delta: payload.readUInt32BE(4) & streamIdMask };
    default:
      return { type: 'unknown', controlType: type, flags, payload };
  }
}

/** Turns a byte stream into frames; feed it chunks as they arrive, however they are split. */
export class FrameParser {
  #pending: Buffer[] = [];
  #pendingLength = 0;

  /** Adds a chunk and returns every frame it completed, in order. */
  push(chunk: Buffer): Frame[] {
    if (chunk.length > 0) {
      this.#pending.push(chunk);
      this.#pendingLength += chunk.length;
    }
    const frames: Frame[] = [];
    for (;;) {
      if (this.#pendingLength < 8) break;
      const head = this.#peek(8);
      const length = head.readUInt32BE(4) & 0xffffff;
      if (this.#pendingLength < 8 + length) break;
      const bytes = this.#take(8 + length);
      frames.push(decodeFrame(bytes));
    }
    return frames;
  }

  /** Bytes received that do not yet form a whole frame. */
  get buffered(): number {
    return this.#pendingLength;
  }

  #peek(n: number): Buffer {
    if (this.#pending[0].length < n) this.#pending = [Buffer.concat(this.#pending)];
    return this.#pending[0].subarray(0, n);
  }

  #take(n: number): Buffer {
    if (this.#pending[0].length < n) this.#pending = [Buffer.concat(this.#pending)];
    const first = this.#pending[0];
    const out = first.subarray(0, n);
    if (first.length === n) this.#pending.shift();
    else this.#pending[0] = first.subarray(n);
    this.#pendingLength -= n;
    return out;
  }
}

/** Decodes one whole frame (8-byte header plus exactly its payload). */
export function decodeFrame(bytes: Buffer): Frame {
  const first = bytes.readUInt32BE(0);
  const flags = bytes.readUInt8(4);
  const payload = bytes.subarray(8);
  if (first & 0x80000000) {
    const version = (first >>> 16) & 0x7fff;
    if (version !== spdyVersion) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
    return decodeControl(first & 0xffff, flags, payload);
  }
  const streamId = first & streamIdMask;
  if (streamId === 0) throw new SpdyProtocolError('data frame on stream 0');
  return { type: 'data', streamId, flags, data: payload };
}
