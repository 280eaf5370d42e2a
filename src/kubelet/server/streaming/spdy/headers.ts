// SPDY/3 name/value header blocks and their compression. A session has one zlib stream per direction,
// primed with the SPDY/3 dictionary and flushed with Z_SYNC_FLUSH after every block, so blocks must be
// compressed and decompressed in exactly the order they travel; both classes here serialize their calls.
// Names are lowercase (the peer's Go framer rejects others); a value may hold several, NUL-separated.

import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import { headerDictionary } from './dictionary.ts';
import { SpdyProtocolError } from './frames.ts';

/** Header name (lowercase) to its values. */
export type SpdyHeaders = Record<string, string[]>;

/** A decompressed block larger than this is refused: header blocks of these protocols are tiny. */
const maxBlockBytes = 1 << 20;

export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [];
  const count = Buffer.alloc(4);
  const names = Object.keys(headers);
  count.writeUInt32BE(names.length);
  parts.push(count);
  for (const name of names) {
    const lower = Buffer.from(name.toLowerCase(), 'utf8');
    const value = Buffer.from(headers[name].join('\0'), 'utf8');
    const lengths = Buffer.alloc(4);
    lengths.writeUInt32BE(lower.length);
    const valueLength = Buffer.alloc(4);
    valueLength.writeUInt32BE(value.length);
    parts.push(lengths, lower, valueLength, value);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): SpdyHeaders {
  let offset = 0;
  const read = (n: number): Buffer => {
    if (offset + n > block.length) throw new SpdyProtocolError('truncated header block');
    const out = block.subarray(offset, offset + n);
    offset += n;
    return out;
  };
  const count = read(4).readUInt32BE(0);
  const headers: SpdyHeaders = {};
  for (let i = 0; i < count; i++) {
    const name = read(read(4).readUInt32BE(0)).toString('utf8');
    const value = read(read(4).readUInt32BE(0)).toString('utf8');
    if (name.length === 0) throw new SpdyProtocolError('empty header name');
    if (name !== name.toLowerCase()) throw new SpdyProtocolError(`header name ${JSON.stringify(name)} is not lowercase`);
    if (Object.hasOwn(headers, name)) throw new SpdyProtocolError(`duplicate header ${JSON.stringify(name)}`);
    headers[name] = value.split('\0');
  }
  return headers;
}

/** The first value of a header, or '' when absent. */
export function headerValue(headers: SpdyHeaders, name: string): string {
  return headers[name.toLowerCase()]?.[0] ?? '';
}

/** Runs a zlib stream one sync-flushed block at a time, in call order. */
class FlushedZlib {
  #stream: Deflate | Inflate;
  #chunks: Buffer[] = [];
  #size = 0;
  #tail: Promise<unknown> = Promise.resolve();
  #failure: Error | undefined;

  constructor(stream: Deflate | Inflate) {
    this.#stream = stream;
    stream.on('data', (chunk: Buffer) => {
      this.#chunks.push(chunk);
      this.#size += chunk.length;
    });
    stream.on('error', (err) => {
      this.#failure = err;
    });
  }

  run(input: Buffer): Promise<Buffer> {
    const result = this.#tail.then(() => this.#once(input));
    this.#tail = result.catch(() => undefined);
    return result;
  }

  #once(input: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.#failure) return reject(new SpdyProtocolError(`header compression: ${this.#failure.message}`));
      const stream = this.#stream;
      const onError = (err: Error): void => reject(new SpdyProtocolError(`header compression: ${err.message}`));
      stream.once('error', onError);
      stream.write(input);
      stream.flush(constants.Z_SYNC_FLUSH, () => {
        stream.off('error', onError);
        // Anything still buffered is emitted as 'data' by read() in flowing mode.
        while (stream.read() !== null);
        const out = Buffer.concat(this.#chunks, this.#size);
        this.#chunks = [];
        this.#size = 0;
        if (this.#failure) reject(new SpdyProtocolError(`header compression: ${this.#failure.message}`));
        else if (out.length > maxBlockBytes) reject(new SpdyProtocolError('header block too large'));
        else resolve(out);
      });
    });
  }

  close(): void {
    this.#stream.destroy();
  }
}

/** Compresses the header blocks one side of a session sends. */
export class HeaderCompressor {
  #zlib = new FlushedZlib(createDeflate({ dictionary: headerDictionary, level: constants.Z_BEST_COMPRESSION }));

  compress(headers: SpdyHeaders): Promise<Buffer> {
    return this.#zlib.run(encodeHeaderBlock(headers));
  }

  close(): void {
    this.#zlib.close();
  }
}

/** Decompresses the header blocks one side of a session receives. */
export class HeaderDecompressor {
  #zlib = new FlushedZlib(createInflate({ dictionary: headerDictionary }));

  async decompress(block: Buffer): Promise<SpdyHeaders> {
    return decodeHeaderBlock(await this.#zlib.run(block));
  }

  close(): void {
    this.#zlib.close();
  }
}
