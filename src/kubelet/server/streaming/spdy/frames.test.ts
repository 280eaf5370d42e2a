import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { constants, deflateSync, inflateSync } from 'node:zlib';
import { headerDictionary } from './dictionary.ts';
import { type Frame, FrameParser, SpdyProtocolError, decodeFrame, encodeFrame, flagFin } from './frames.ts';
import { HeaderCompressor, HeaderDecompressor, type SpdyHeaders, decodeHeaderBlock, encodeHeaderBlock } from './headers.ts';

const samples: Frame[] = [
  { type: 'data', streamId: 7, flags: flagFin, data: Buffer.from('hello') },
  { type: 'data', streamId: 0x7fffffff, flags: 0, data: Buffer.alloc(0) },
  { type: 'synStream', flags: 0, streamId: 1, associatedStreamId: 0, priority: 7, slot: 0, headerBlock: Buffer.from([1, 2, 3]) },
  { type: 'synReply', flags: flagFin, streamId: 3, headerBlock: Buffer.from([9]) },
  { type: 'headers', flags: 0, streamId: 5, headerBlock: Buffer.alloc(0) },
  { type: 'rstStream', streamId: 9, status: 5 },
  { type: 'settings', flags: 1, entries: [{ flags: 1, id: 7, value: 1 << 20 }, { flags: 0, id: 4, value: 100 }] },
  { type: 'ping', id: 0xfffffffe },
  { type: 'goAway', lastGoodStreamId: 11, status: 2 },
  { type: 'windowUpdate', streamId: 0, delta: 0x7fffffff },
  { type: 'unknown', controlType: 0x0a, flags: 0, payload: Buffer.from('credential') },
];

describe('SPDY frames', () => {
  it('round-trips every frame type', () => {
    for (const frame of samples) assert.deepEqual(decodeFrame(encodeFrame(frame)), frame);
  });

  it('lays out a control frame as SPDY/3 does', () => {
    const bytes = encodeFrame({ type: 'windowUpdate', streamId: 3, delta: 65536 });
    assert.deepEqual([...bytes], [0x80, 0x03, 0x00, 0x09, 0x00, 0x00, 0x00, 0x08, 0, 0, 0, 3, 0, 1, 0, 0]);
    const data = encodeFrame({ type: 'data', streamId: 1, flags: flagFin, data: Buffer.from('ab') });
    assert.deepEqual([...data], [0, 0, 0, 1, 0x01, 0, 0, 2, 0x61, 0x62]);
  });

  it('parses frames however the bytes are split', () => {
    const wire = Buffer.concat(samples.map(encodeFrame));
    for (const size of [1, 3, 7, 8, 13, wire.length]) {
      const parser = new FrameParser();
      const frames: Frame[] = [];
      for (let i = 0; i < wire.length; i += size) frames.push(...parser.push(wire.subarray(i, i + size)));
      assert.deepEqual(frames, samples, `chunks of ${size}`);
      assert.equal(parser.buffered, 0);
    }
  });

  it('holds a partial frame until the rest arrives', () => {
    const parser = new FrameParser();
    const wire = encodeFrame({ type: 'data', streamId: 1, flags: 0, data: Buffer.alloc(100_000, 1) });
    assert.deepEqual(parser.push(wire.subarray(0, 50_000)), []);
    const [frame] = parser.push(wire.subarray(50_000));
    assert.equal(frame.type === 'data' && frame.data.length, 100_000);
  });

  it('refuses other SPDY versions and data on stream 0', () => {
    const v2 = encodeFrame({ type: 'ping', id: 1 });
    v2.writeUInt16BE(0x8002, 0);
    assert.throws(() => decodeFrame(v2), SpdyProtocolError);
    assert.throws(() => decodeFrame(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0])), SpdyProtocolError);
  });
});

describe('SPDY header blocks', () => {
  it('has the SPDY/3 dictionary byte for byte', () => {
    assert.equal(headerDictionary.length, 1423);
    assert.equal(createHash('sha256').update(headerDictionary).digest('hex'), '51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02');
    assert.equal(headerDictionary.subarray(0, 11).toString('latin1'), '\0\0\0\x07options');
    assert.ok(headerDictionary.toString('latin1').endsWith(',*,enq=0.'));
  });

  it('encodes names lowercase and several values NUL-separated', () => {
    const block = encodeHeaderBlock({ streamType: ['data'], accept: ['a', 'b'] });
    assert.deepEqual(decodeHeaderBlock(block), { streamtype: ['data'], accept: ['a', 'b'] });
    assert.ok(block.includes(Buffer.from('a\0b')));
  });

  it('refuses uppercase names and duplicates, as the Go framer does', () => {
    const upper = encodeHeaderBlock({ x: ['1'] });
    upper.write('X', 8, 'latin1');
    assert.throws(() => decodeHeaderBlock(upper), SpdyProtocolError);
    const twice = Buffer.concat([Buffer.from([0, 0, 0, 2]), encodeHeaderBlock({ x: ['1'] }).subarray(4), encodeHeaderBlock({ x: ['2'] }).subarray(4)]);
    assert.throws(() => decodeHeaderBlock(twice), SpdyProtocolError);
  });

  it('compresses with one context per direction, each block sync-flushed', async () => {
    const compressor = new HeaderCompressor();
    const decompressor = new HeaderDecompressor();
    try {
      const blocks: SpdyHeaders[] = [{ streamtype: ['error'] }, { streamtype: ['stdout'], port: ['8080'] }, {}, { big: ['x'.repeat(200_000)] }];
      const compressed = await Promise.all(blocks.map((b) => compressor.compress(b)));
      // A shared context makes repeats cheap: the second "streamtype" costs less than the first.
      assert.ok(compressed[1].length < 40, `second block is ${compressed[1].length} bytes`);
      for (const [i, c] of compressed.entries()) assert.deepEqual(await decompressor.decompress(c), blocks[i]);
    } finally {
      compressor.close();
      decompressor.close();
    }
  });

  it('interoperates with a plain zlib stream primed with the dictionary', async () => {
    const block = encodeHeaderBlock({ streamtype: ['stdin'] });
    const peer = deflateSync(block, { dictionary: headerDictionary, finishFlush: constants.Z_SYNC_FLUSH });
    const decompressor = new HeaderDecompressor();
    const compressor = new HeaderCompressor();
    try {
      assert.deepEqual(await decompressor.decompress(peer), { streamtype: ['stdin'] });
      const ours = await compressor.compress({ streamtype: ['stdin'] });
      assert.deepEqual(inflateSync(ours, { dictionary: headerDictionary, finishFlush: constants.Z_SYNC_FLUSH }), block);
    } finally {
      compressor.close();
      decompressor.close();
    }
  });
});
