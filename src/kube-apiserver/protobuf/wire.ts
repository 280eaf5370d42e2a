// Protobuf wire format, read side: tags, varints (full 64 bits), length-delimited fields, fixed32/64,
// and skipping any field, groups included. It never reads past the end of its buffer: a truncated or
// malformed message throws a ProtobufError instead of yielding garbage.

export const WireType = {
  varint: 0,
  fixed64: 1,
  lengthDelimited: 2,
  startGroup: 3,
  endGroup: 4,
  fixed32: 5,
} as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

export class ProtobufError extends Error {
  override name = 'ProtobufError';
}

const two32 = 2 ** 32;
const utf8 = new TextDecoder();

export class Reader {
  readonly #buf: Uint8Array;
  #pos = 0;

  constructor(buf: Uint8Array) {
    this.#buf = buf;
  }

  get done(): boolean {
    return this.#pos >= this.#buf.length;
  }

  get position(): number {
    return this.#pos;
  }

  /** The next field's number and wire type. */
  tag(): { field: number; wireType: WireType } {
    const tag = this.#uint53();
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (field < 1 || field > 0x1fffffff) throw new ProtobufError(`invalid field number ${field}`);
    if (wireType > 5) throw new ProtobufError(`invalid wire type ${wireType} for field ${field}`);
    return { field, wireType: wireType as WireType };
  }

  /** Low and high 32 bits (both unsigned) of a varint of up to 10 bytes. */
  #varint(): [lo: number, hi: number] {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.#pos >= this.#buf.length) throw new ProtobufError('truncated varint');
      const b = this.#buf[this.#pos++]!;
      const bits = b & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= bits << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (7 * i - 32);
      if (b < 0x80) return [lo >>> 0, hi >>> 0];
    }
    throw new ProtobufError('varint longer than 10 bytes');
  }

  /** A varint used as a length or tag: must fit in a JS safe integer. */
  #uint53(): number {
    const [lo, hi] = this.#varint();
    if (hi >= 0x200000) throw new ProtobufError('varint too large');
    return hi * two32 + lo;
  }

  uint64(): bigint {
    const [lo, hi] = this.#varint();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** int64 as a number; exact up to ±2^53, like every integer in JSON that Kubernetes reads back. */
  int64(): number {
    const [lo, hi] = this.#varint();
    return (hi | 0) * two32 + lo;
  }

  int64BigInt(): bigint {
    return BigInt.asIntN(64, this.uint64());
  }

  /** int32: negative values arrive sign-extended to 10 bytes; the low 32 bits carry the value. */
  int32(): number {
    return this.#varint()[0] | 0;
  }

  uint32(): number {
    return this.#varint()[0];
  }

  bool(): boolean {
    const [lo, hi] = this.#varint();
    return lo !== 0 || hi !== 0;
  }

  fixed32(): number {
    return this.#view(4).getUint32(0, true);
  }

  fixed64(): bigint {
    return this.#view(8).getBigUint64(0, true);
  }

  float(): number {
    return this.#view(4).getFloat32(0, true);
  }

  double(): number {
    return this.#view(8).getFloat64(0, true);
  }

  /** A length-delimited payload; a view into the buffer, not a copy. */
  bytes(): Uint8Array {
    const len = this.#uint53();
    return this.#take(len);
  }

  string(): string {
    return utf8.decode(this.bytes());
  }

  /** Skips the value of a field whose tag was just read; a group is skipped up to its end tag. */
  skip(wireType: WireType, field: number): void {
    switch (wireType) {
      case WireType.varint:
        this.#varint();
        return;
      case WireType.fixed64:
        this.#take(8);
        return;
      case WireType.lengthDelimited:
        this.bytes();
        return;
      case WireType.fixed32:
        this.#take(4);
        return;
      case WireType.startGroup: {
        // Iterative, so nesting depth costs no stack.
        const open = [field];
        while (open.length > 0) {
          if (this.done) throw new ProtobufError(`unterminated group ${open.at(-1)}`);
          const inner = this.tag();
          if (inner.wireType === WireType.startGroup) open.push(inner.field);
          else if (inner.wireType === WireType.endGroup) {
            const top = open.pop();
            if (inner.field !== top) throw new ProtobufError(`group ${top} closed by ${inner.field}`);
          } else this.skip(inner.wireType, inner.field);
        }
        return;
      }
      case WireType.endGroup:
        throw new ProtobufError(`unexpected end of group ${field}`);
    }
  }

  #take(len: number): Uint8Array {
    if (len > this.#buf.length - this.#pos) throw new ProtobufError('truncated length-delimited field');
    const out = this.#buf.subarray(this.#pos, this.#pos + len);
    this.#pos += len;
    return out;
  }

  #view(len: number): DataView {
    const b = this.#take(len);
    return new DataView(b.buffer, b.byteOffset, len);
  }
}
