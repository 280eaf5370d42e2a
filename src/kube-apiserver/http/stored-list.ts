// Sends a list whose items are stored bytes, without decoding or re-encoding them and without
// building the whole body first: the items are copied (each with its resourceVersion spliced
// in) into buffers of a few hundred KiB that are written as they fill, pausing while the
// connection is full. The first bytes leave at once, so the client reads while the rest is
// assembled, and a list of 10,000 pods (~50 MB) never exists as one more 50 MB copy.

import type { ServerResponse } from 'node:http';
import { servedLength, writeServed, type StoredBytes } from '../registry/codec.ts';

const bufferSize = 256 * 1024;

/**
 * Writes `{...head,"items":[item,...]}`: `head` is the JSON of the list without its items
 * (kind, apiVersion, metadata). Resolves when all is written or the client went away.
 */
export async function writeStoredList(res: ServerResponse, contentType: string, head: Record<string, unknown>, items: readonly StoredBytes[]): Promise<void> {
  const opening = `${JSON.stringify(head).slice(0, -1)},"items":[`;
  const closing = ']}';
  const sizes = items.map(servedLength);
  let length = Buffer.byteLength(opening) + closing.length + Math.max(0, items.length - 1);
  for (const size of sizes) length += size;
  res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': length });

  let buffer = Buffer.allocUnsafe(Math.max(bufferSize, Buffer.byteLength(opening)));
  let offset = buffer.write(opening, 0, 'utf8');
  const flush = async (): Promise<boolean> => {
    if (offset === 0) return !res.destroyed;
    const full = !res.write(buffer.subarray(0, offset));
    buffer = Buffer.allocUnsafe(bufferSize);
    offset = 0;
    if (full && !res.destroyed) await drained(res);
    return !res.destroyed;
  };
  for (let i = 0; i < items.length; i++) {
    const size = sizes[i] + 1;
    if (offset + size > buffer.length) {
      if (!(await flush())) return;
      if (size > buffer.length) buffer = Buffer.allocUnsafe(size);
    }
    if (i > 0) buffer[offset++] = 0x2c; // ','
    offset = writeServed(items[i], buffer, offset);
  }
  if (offset + closing.length > buffer.length && !(await flush())) return;
  offset += buffer.write(closing, offset, 'latin1');
  res.end(buffer.subarray(0, offset));
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
