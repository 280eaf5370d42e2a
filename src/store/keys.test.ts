import assert from 'node:assert/strict';
import { it } from 'node:test';
import { binaryString, bytes, compareBytes, fromBinaryString, prefixEnd, successor } from './keys.ts';

it('prefixEnd is the first key after every key with the prefix (etcd GetPrefixRangeEnd)', () => {
  assert.deepEqual([...prefixEnd(bytes('/registry/pods/'))], [...bytes('/registry/pods0')]);
  assert.deepEqual([...prefixEnd(new Uint8Array([0x61, 0xff, 0xff]))], [0x62]);
  assert.deepEqual([...prefixEnd(new Uint8Array([0xff]))], [0], 'all 0xff: no upper bound');
  assert.deepEqual([...prefixEnd(new Uint8Array([]))], [0]);
});

it('successor is the next key in byte order', () => {
  const k = bytes('a');
  assert.ok(compareBytes(successor(k), k) > 0);
  assert.ok(compareBytes(successor(k), bytes('a\0')) === 0);
  assert.ok(compareBytes(successor(k), bytes('ab')) < 0);
});

it('binary strings keep byte order and round-trip every byte', () => {
  const keys = [new Uint8Array([0x7f]), new Uint8Array([0x80]), new Uint8Array([0xff, 0]), new Uint8Array([0x00])];
  const byBytes = [...keys].sort(compareBytes).map((k) => [...k]);
  const byString = keys.map(binaryString).sort().map((s) => [...fromBinaryString(s)]);
  assert.deepEqual(byString, byBytes);
});
