// Decodes a Kubernetes protobuf request body (`application/vnd.kubernetes.protobuf`: `k8s\0` + a
// runtime.Unknown envelope) into the JSON object a JSON request for the same object carries: JSON names,
// repeated fields as arrays, maps as objects, bytes as base64, Time/MicroTime/Duration/IntOrString/Quantity
// in their JSON forms, and zero values kept or dropped as Go's JSON tags say. Fields the tables do not know
// are skipped. Errors: NoProtobufDecodingError for a kind without a table (the server answers 415),
// ProtobufError for a body that is not valid (400).
import type { FieldDescriptor, MessageDescriptor, Scalar, SpecialMessage } from './descriptor.ts';
import { isSpecialMessage, lookupMessage, messageForKind } from './messages.ts';
import { ProtobufError, Reader, WireType } from './wire.ts';

export { ProtobufError } from './wire.ts';

export const protobufMediaType = 'application/vnd.kubernetes.protobuf';

/** The envelope's prefix, "k8s" and a zero byte. */
const magic = [0x6b, 0x38, 0x73, 0x00] as const;

export class NoProtobufDecodingError extends Error {
  override name = 'NoProtobufDecodingError';
  readonly apiVersion: string;
  readonly kind: string;
  constructor(apiVersion: string, kind: string) {
    super(`no protobuf decoding for ${apiVersion}/${kind}`);
    this.apiVersion = apiVersion;
    this.kind = kind;
  }
}

export type DecodedObject = { apiVersion: string; kind: string; object: Record<string, unknown> };

/** True for a Content-Type of a protobuf body (parameters ignored). */
export function isProtobufContentType(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]!.trim().toLowerCase() === protobufMediaType;
}

export function decodeKubernetesProtobuf(body: Uint8Array): DecodedObject {
  if (body.length < magic.length || magic.some((b, i) => body[i] !== b)) {
    throw new ProtobufError('protobuf body does not start with the Kubernetes prefix "k8s\\x00"');
  }
  const envelope = new Reader(body.subarray(magic.length));
  let apiVersion = '';
  let kind = '';
  let raw: Uint8Array = new Uint8Array(0);
  let contentEncoding = '';
  while (!envelope.done) {
    const { field, wireType } = envelope.tag();
    if (field === 1 && wireType === WireType.lengthDelimited) {
      const typeMeta = new Reader(envelope.bytes());
      while (!typeMeta.done) {
        const t = typeMeta.tag();
        if (t.field === 1 && t.wireType === WireType.lengthDelimited) apiVersion = typeMeta.string();
        else if (t.field === 2 && t.wireType === WireType.lengthDelimited) kind = typeMeta.string();
        else typeMeta.skip(t.wireType, t.field);
      }
    } else if (field === 2 && wireType === WireType.lengthDelimited) raw = envelope.bytes();
    else if (field === 3 && wireType === WireType.lengthDelimited) contentEncoding = envelope.string();
    else envelope.skip(wireType, field);
  }
  if (!kind) throw new ProtobufError('protobuf body has no kind in its typeMeta');
  if (!apiVersion) throw new ProtobufError(`protobuf body of kind ${kind} has no apiVersion in its typeMeta`);
  if (contentEncoding) throw new ProtobufError(`protobuf body has unsupported contentEncoding ${contentEncoding}`);
  const message = messageForKind(apiVersion, kind);
  if (!message) throw new NoProtobufDecodingError(apiVersion, kind);
  const fields = decodeMessage(message, raw);
  if (Array.isArray(fields) || fields === null || typeof fields !== 'object') {
    throw new ProtobufError(`${apiVersion}/${kind} does not decode to an object`);
  }
  return { apiVersion, kind, object: { kind, apiVersion, ...(fields as Record<string, unknown>) } };
}

/** Decodes one message, by qualified name (`apps.Deployment`), to its JSON value. */
export function decodeMessage(name: string, bytes: Uint8Array): unknown {
  if (isSpecialMessage(name)) return decodeSpecial(name as SpecialMessage, bytes);
  const desc = lookupMessage(name);
  return desc.list ? decodeList(desc, bytes) : decodeObject(desc, bytes);
}

function decodeObject(desc: MessageDescriptor, bytes: Uint8Array): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // A singular message field may occur more than once; protobuf merges the occurrences, which is the same
  // as decoding their concatenation. So collect the bytes and decode each such field once, at the end.
  const messages = new Map<number, Uint8Array[]>();
  const r = new Reader(bytes);
  while (!r.done) {
    const { field: number, wireType } = r.tag();
    const field = desc.fields.get(number);
    if (!field) {
      r.skip(wireType, number);
      continue;
    }
    const at = `${desc.name}.${field.json || number}`;
    if (field.cardinality === 'map') {
      expectWireType(at, wireType, WireType.lengthDelimited);
      const [key, value] = decodeMapEntry(field, r.bytes(), at);
      const map = (out[field.json] ??= {}) as Record<string, unknown>;
      Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
    } else if (field.cardinality === 'repeated') {
      const list = (out[field.json] ??= []) as unknown[];
      readRepeated(r, field, wireType, at, list);
    } else if ('message' in field.value) {
      expectWireType(at, wireType, WireType.lengthDelimited);
      const parts = messages.get(number);
      if (parts) parts.push(r.bytes());
      else {
        messages.set(number, [r.bytes()]);
        if (!field.inline) out[field.json] = undefined; // keeps the wire's key order
      }
    } else {
      const value = readSingle(r, field.value, wireType, at);
      if (dropped(field, value)) delete out[field.json];
      else out[field.json] = value;
    }
  }
  for (const [number, parts] of messages) {
    const field = desc.fields.get(number)!;
    const value = decodeMessage((field.value as { message: string }).message, parts.length === 1 ? parts[0]! : Buffer.concat(parts));
    if (field.inline) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new ProtobufError(`${desc.name}.${number}: inlined message is not an object`);
      }
      Object.assign(out, value);
    } else if (dropped(field, value)) delete out[field.json];
    else out[field.json] = value;
  }
  for (const field of desc.fields.values()) {
    if (field.keepZero && !('scalar' in field.value && field.cardinality === 'single') && !(field.json in out)) {
      out[field.json] = null;
    }
  }
  return out;
}

/** A Go named slice (`type ExtraValue []string`): its JSON is the list itself. */
function decodeList(desc: MessageDescriptor, bytes: Uint8Array): unknown[] {
  const items = desc.fields.get(1)!;
  const out: unknown[] = [];
  const r = new Reader(bytes);
  while (!r.done) {
    const { field, wireType } = r.tag();
    if (field === 1) readRepeated(r, items, wireType, `${desc.name}.items`, out);
    else r.skip(wireType, field);
  }
  return out;
}

function readRepeated(r: Reader, field: FieldDescriptor, wireType: WireType, at: string, list: unknown[]): void {
  const value = field.value;
  if (wireType === WireType.lengthDelimited && 'scalar' in value && isVarint(value.scalar)) {
    // Packed encoding: proto2 writers may use it, and readers must accept both forms.
    const packed = new Reader(r.bytes());
    while (!packed.done) list.push(readScalar(packed, value.scalar));
    return;
  }
  list.push(readSingle(r, value, wireType, at));
}

function readSingle(r: Reader, value: FieldDescriptor['value'], wireType: WireType, at: string): unknown {
  if ('message' in value) {
    expectWireType(at, wireType, WireType.lengthDelimited);
    return decodeMessage(value.message, r.bytes());
  }
  expectWireType(at, wireType, isVarint(value.scalar) ? WireType.varint : WireType.lengthDelimited);
  return readScalar(r, value.scalar);
}

function decodeMapEntry(field: FieldDescriptor, bytes: Uint8Array, at: string): [string, unknown] {
  const r = new Reader(bytes);
  let key: unknown;
  let value: unknown;
  while (!r.done) {
    const { field: number, wireType } = r.tag();
    if (number === 1) key = readSingle(r, { scalar: field.key! }, wireType, `${at} key`);
    else if (number === 2) value = readSingle(r, field.value, wireType, `${at} value`);
    else r.skip(wireType, number);
  }
  // An absent key or value is the zero value of its type.
  key ??= zeroScalar(field.key!);
  if (value === undefined) {
    value = 'scalar' in field.value ? zeroScalar(field.value.scalar) : decodeMessage(field.value.message, new Uint8Array(0));
  }
  return [String(key), value];
}

function isVarint(s: Scalar): boolean {
  return s === 'bool' || s === 'int32' || s === 'int64';
}

function readScalar(r: Reader, s: Scalar): unknown {
  switch (s) {
    case 'string':
      return r.string();
    case 'bytes':
      return Buffer.from(r.bytes()).toString('base64');
    case 'bool':
      return r.bool();
    case 'int32':
      return r.int32();
    case 'int64':
      return r.int64();
  }
}

function zeroScalar(s: Scalar): unknown {
  return s === 'string' || s === 'bytes' ? '' : s === 'bool' ? false : 0;
}

/** Go's encoding/json leaves out zero scalars tagged omitempty, and zero messages tagged omitzero. */
function dropped(field: FieldDescriptor, value: unknown): boolean {
  if ('scalar' in field.value) return !field.keepZero && value === zeroScalar(field.value.scalar);
  if (!field.omitZero) return false;
  return value === null || (typeof value === 'object' && Object.keys(value).length === 0);
}

function expectWireType(at: string, got: WireType, want: WireType): void {
  if (got !== want) throw new ProtobufError(`${at}: wire type ${got}, expected ${want}`);
}

/** Objects inside RawExtensions are the only recursion the tables allow; this bounds its depth. */
const maxNestedEnvelopes = 8;
let nestedEnvelopes = 0;

function decodeSpecial(name: SpecialMessage, bytes: Uint8Array): unknown {
  const fields = scanFields(bytes);
  switch (name) {
    case 'meta.Time': {
      // Go writes a zero Time as an empty message and reads back only whole seconds; JSON has seconds.
      if (bytes.length === 0) return null;
      return rfc3339(BigInt(fields.int(1)) * 1_000_000_000n, 0);
    }
    case 'meta.MicroTime': {
      if (bytes.length === 0) return null;
      return rfc3339(BigInt(fields.int(1)) * 1_000_000_000n + BigInt(fields.int(2)), 6);
    }
    case 'meta.Duration':
      return goDuration(fields.bigint(1));
    case 'meta.FieldsV1':
    case 'runtime.RawExtension': {
      const raw = fields.bytes(1);
      if (!raw || raw.length === 0) return null;
      if (name === 'runtime.RawExtension' && magic.every((b, i) => raw[i] === b)) {
        if (nestedEnvelopes >= maxNestedEnvelopes) throw new ProtobufError('protobuf objects nested too deeply');
        nestedEnvelopes++;
        try {
          return decodeKubernetesProtobuf(raw).object;
        } finally {
          nestedEnvelopes--;
        }
      }
      try {
        return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
      } catch {
        throw new ProtobufError(`${name} does not hold JSON`);
      }
    }
    case 'intstr.IntOrString':
      // type 1 is a string; anything else an int (Go's IntOrString.MarshalJSON).
      return fields.int(1) === 1 ? fields.string(3) : fields.int32(2);
    case 'resource.Quantity':
      return fields.string(1) || '0';
  }
}

/** The last value of each field of a small message, for the special messages' few scalar fields. */
function scanFields(bytes: Uint8Array) {
  const last = new Map<number, { wireType: WireType; value: bigint | Uint8Array }>();
  const r = new Reader(bytes);
  while (!r.done) {
    const { field, wireType } = r.tag();
    if (wireType === WireType.varint) last.set(field, { wireType, value: r.uint64() });
    else if (wireType === WireType.lengthDelimited) last.set(field, { wireType, value: r.bytes() });
    else r.skip(wireType, field);
  }
  const varint = (n: number): bigint => {
    const f = last.get(n);
    if (!f) return 0n;
    if (f.wireType !== WireType.varint) throw new ProtobufError(`field ${n}: expected a varint`);
    return f.value as bigint;
  };
  const bytesOf = (n: number): Uint8Array | undefined => {
    const f = last.get(n);
    if (f && f.wireType !== WireType.lengthDelimited) throw new ProtobufError(`field ${n}: expected bytes`);
    return f?.value as Uint8Array | undefined;
  };
  return {
    bigint: (n: number) => BigInt.asIntN(64, varint(n)),
    int: (n: number) => Number(BigInt.asIntN(64, varint(n))),
    int32: (n: number) => Number(BigInt.asIntN(32, varint(n))),
    bytes: bytesOf,
    string: (n: number) => {
      const b = bytesOf(n);
      return b ? new TextDecoder().decode(b) : '';
    },
  };
}

/** RFC 3339 in UTC with `digits` fractional digits (0 for Time, 6 for MicroTime), from Unix nanoseconds. */
function rfc3339(unixNanos: bigint, digits: 0 | 6): string {
  // Floor division, so times before 1970 keep a non-negative fraction as Go's time.Unix does.
  let seconds = unixNanos / 1_000_000_000n;
  let nanos = unixNanos % 1_000_000_000n;
  if (nanos < 0n) {
    nanos += 1_000_000_000n;
    seconds -= 1n;
  }
  const date = new Date(Number(seconds) * 1000);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 0 || date.getUTCFullYear() > 9999) {
    throw new ProtobufError(`time ${seconds}s is outside years 0-9999`);
  }
  const base = date.toISOString().slice(0, 19);
  if (digits === 0) return `${base}Z`;
  return `${base}.${String(nanos / 1000n).padStart(6, '0')}Z`;
}

/** Go's time.Duration.String(): "0s", "1.5µs", "20ms", "1h2m3.5s". */
export function goDuration(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  const sign = nanos < 0n ? '-' : '';
  const u = nanos < 0n ? -nanos : nanos;
  const frac = (v: bigint, digits: number): string => {
    const scale = 10n ** BigInt(digits);
    const f = String(v % scale).padStart(digits, '0').replace(/0+$/, '');
    return `${v / scale}${f ? `.${f}` : ''}`;
  };
  if (u < 1000n) return `${sign}${u}ns`;
  if (u < 1_000_000n) return `${sign}${frac(u, 3)}µs`;
  if (u < 1_000_000_000n) return `${sign}${frac(u, 6)}ms`;
  const secs = u / 1_000_000_000n;
  let out = `${frac(secs % 60n * 1_000_000_000n + (u % 1_000_000_000n), 9)}s`;
  const mins = secs / 60n;
  if (mins > 0n) {
    out = `${mins % 60n}m${out}`;
    const hours = mins / 60n;
    if (hours > 0n) out = `${hours}h${out}`;
  }
  return sign + out;
}
