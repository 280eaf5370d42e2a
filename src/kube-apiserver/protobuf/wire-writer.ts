// Protobuf wire format, write side, at the level of single fields: what the tests use to build request
// bodies the way Go's generated marshallers lay them out (field by field, including zero values that gogo
// writes for non-pointer fields). Output is always valid wire format; encoding objects is not its job.
import { WireType } from './wire.ts';

export class Writer {
  #chunks: number[] = [];

  #varint(v: bigint): void {
    let x = BigInt.asUintN(64, v);
    while (x >= 0x80n) {
      this.#chunks.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.#chunks.push(Number(x));
  }

  #tag(field: number, wireType: number): void {
    this.#varint(BigInt(field * 8 + wireType));
  }

  /** int32/int64/uint64/enum: negative numbers sign-extend to 10 bytes, as Go writes them. */
  int(field: number, v: number | bigint): this {
    this.#tag(field, WireType.varint);
    this.#varint(BigInt(v));
    return this;
  }

  bool(field: number, v: boolean): this {
    return this.int(field, v ? 1 : 0);
  }

  bytes(field: number, v: Uint8Array): this {
    this.#tag(field, WireType.lengthDelimited);
    this.#varint(BigInt(v.length));
    for (const b of v) this.#chunks.push(b);
    return this;
  }

  string(field: number, v: string): this {
    return this.bytes(field, new TextEncoder().encode(v));
  }

  /** An embedded message, built by `build` on a fresh writer. */
  message(field: number, build: (w: Writer) => void): this {
    const inner = new Writer();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  /** A map entry as Go writes it: key 1, value 2. */
  entry(field: number, key: string, value: string | Uint8Array | ((w: Writer) => void)): this {
    return this.message(field, (e) => {
      e.string(1, key);
      if (typeof value === 'string') e.string(2, value);
      else if (value instanceof Uint8Array) e.bytes(2, value);
      else e.message(2, value);
    });
  }

  /** A packed repeated varint field. */
  packed(field: number, values: readonly number[]): this {
    const inner = new Writer();
    for (const v of values) inner.#varint(BigInt(v));
    return this.bytes(field, inner.finish());
  }

  fixed32(field: number, v: number): this {
    this.#tag(field, WireType.fixed32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, true);
    this.#chunks.push(...b);
    return this;
  }

  fixed64(field: number, v: bigint): this {
    this.#tag(field, WireType.fixed64);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
    this.#chunks.push(...b);
    return this;
  }

  group(field: number, build: (w: Writer) => void): this {
    this.#tag(field, WireType.startGroup);
    const inner = new Writer();
    build(inner);
    this.#chunks.push(...inner.finish());
    this.#tag(field, WireType.endGroup);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.#chunks);
  }
}

/** The `k8s\0` + runtime.Unknown envelope around an encoded object. */
export function envelope(apiVersion: string, kind: string, raw: Uint8Array): Uint8Array {
  const unknown = new Writer()
    .message(1, (t) => t.string(1, apiVersion).string(2, kind))
    .bytes(2, raw)
    .string(3, '')
    .string(4, '')
    .finish();
  const out = new Uint8Array(4 + unknown.length);
  out.set([0x6b, 0x38, 0x73, 0x00]);
  out.set(unknown, 4);
  return out;
}
