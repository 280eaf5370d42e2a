import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtobufError, Reader, WireType } from './wire.ts';
import { Writer } from './wire-writer.ts';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('protobuf wire reader', () => {
  it('reads tags and varints of every width', () => {
    const r = new Reader(bytes(0x08, 0x96, 0x01, 0x10, 0xff, 0xff, 0xff, 0xff, 0x0f));
    assert.deepEqual(r.tag(), { field: 1, wireType: WireType.varint });
    assert.equal(r.int32(), 150);
    assert.deepEqual(r.tag(), { field: 2, wireType: WireType.varint });
    assert.equal(r.uint32(), 0xffffffff);
    assert.ok(r.done);
  });

  it('reads negative int32 and int64, sign-extended to 10 bytes as Go writes them', () => {
    const body = new Writer().int(1, -1).int(2, -2147483648).int(3, -5_000_000_000).int(4, 2n ** 62n).finish();
    const r = new Reader(body);
    r.tag();
    assert.equal(r.int32(), -1);
    r.tag();
    assert.equal(r.int32(), -2147483648);
    r.tag();
    assert.equal(r.int64(), -5_000_000_000);
    r.tag();
    assert.equal(r.int64BigInt(), 2n ** 62n);
  });

  it('reads the full 64 bits of a varint as a bigint', () => {
    const r = new Reader(new Writer().int(1, 0xffff_ffff_ffff_ffffn).int(2, 2n ** 53n + 1n).finish());
    r.tag();
    assert.equal(r.uint64(), 0xffff_ffff_ffff_ffffn);
    r.tag();
    assert.equal(r.uint64(), 2n ** 53n + 1n);
  });

  it('reads length-delimited fields, strings and bools', () => {
    const r = new Reader(new Writer().string(1, 'héllo').bytes(2, bytes(0, 255)).bool(3, true).bool(4, false).finish());
    r.tag();
    assert.equal(r.string(), 'héllo');
    r.tag();
    assert.deepEqual([...r.bytes()], [0, 255]);
    r.tag();
    assert.equal(r.bool(), true);
    r.tag();
    assert.equal(r.bool(), false);
  });

  it('reads fixed32 and fixed64', () => {
    const r = new Reader(new Writer().fixed32(1, 0xdeadbeef).fixed64(2, 0x0102030405060708n).finish());
    assert.deepEqual(r.tag(), { field: 1, wireType: WireType.fixed32 });
    assert.equal(r.fixed32(), 0xdeadbeef);
    assert.deepEqual(r.tag(), { field: 2, wireType: WireType.fixed64 });
    assert.equal(r.fixed64(), 0x0102030405060708n);
  });

  it('skips fields of every wire type, nested groups included', () => {
    const body = new Writer()
      .int(1, -7)
      .fixed64(2, 1n)
      .string(3, 'skip me')
      .group(4, (g) => g.int(1, 1).group(2, (h) => h.string(1, 'deep')).fixed32(3, 9))
      .fixed32(5, 3)
      .string(6, 'kept')
      .finish();
    const r = new Reader(body);
    for (let i = 0; i < 5; i++) {
      const { field, wireType } = r.tag();
      r.skip(wireType, field);
    }
    assert.deepEqual(r.tag(), { field: 6, wireType: WireType.lengthDelimited });
    assert.equal(r.string(), 'kept');
    assert.ok(r.done);
  });

  it('throws on truncated and malformed input instead of reading past the end', () => {
    assert.throws(() => new Reader(bytes(0x96)).int32(), ProtobufError);
    assert.throws(() => new Reader(bytes(0x05, 0x61)).bytes(), /truncated length-delimited/);
    assert.throws(() => new Reader(bytes(0x0d, 0x01)).skip(WireType.fixed32, 1), ProtobufError);
    assert.throws(() => new Reader(bytes(...Array(11).fill(0xff))).uint64(), /longer than 10 bytes/);
    assert.throws(() => new Reader(bytes(0x0f)).tag(), /invalid wire type 7/);
    assert.throws(() => new Reader(bytes(0x00)).tag(), /invalid field number 0/);
    assert.throws(() => new Reader(bytes(0x0a, 0x00)).skip(WireType.startGroup, 1), /unterminated group/);
    assert.throws(() => new Reader(bytes(0x14)).skip(WireType.startGroup, 1), /group 1 closed by 2/);
    // A length beyond what a JS number holds exactly.
    assert.throws(() => new Reader(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)).bytes(), ProtobufError);
  });

  it('reads packed varints written by the test writer', () => {
    const r = new Reader(new Writer().packed(1, [1, 300, 0]).finish());
    r.tag();
    const inner = new Reader(r.bytes());
    const out: number[] = [];
    while (!inner.done) out.push(inner.int32());
    assert.deepEqual(out, [1, 300, 0]);
  });
});
