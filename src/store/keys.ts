// Byte-key helpers shared by drivers and callers.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

export function text(b: Uint8Array): string {
  return decoder.decode(b);
}

/** The range end that selects every key starting with `prefix` (etcd's GetPrefixRangeEnd). */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i] < 0xff) {
      const end = prefix.slice(0, i + 1);
      end[i]++;
      return end;
    }
  }
  // All 0xff (or empty): no upper bound, spelled as etcd does.
  return new Uint8Array([0]);
}

/** True when `end` means "no upper bound" (etcd's range_end of a single zero byte). */
export function isUnbounded(end: Uint8Array): boolean {
  return end.length === 1 && end[0] === 0;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

/** A key as a string of byte-valued chars: usable as a Map key and ordered like the bytes. */
export function binaryString(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

export function fromBinaryString(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'latin1'));
}

/** The smallest key greater than `key`: the end of a range holding just `key`. */
export function successor(key: Uint8Array): Uint8Array {
  const end = new Uint8Array(key.length + 1);
  end.set(key);
  return end;
}
