// The CRI container log format, as containerd writes it and the kubelet reads it:
//   <RFC3339Nano UTC timestamp> <stdout|stderr> <F|P> <content>\n
// One line per '\n' of the container's output, tagged F (full). A line longer than the maximum (16 KiB by
// default, containerd's max_container_log_line_size) is cut into P (partial) pieces followed by an F piece,
// and a reader joins P pieces with the next piece of the same stream. Output left without '\n' when the
// stream ends is written as an F line, as containerd does at EOF. Lines of stdout and stderr never interleave
// within a line: each stream buffers its own unfinished line.

import { closeSync, openSync, writeSync } from 'node:fs';

export const logStreams = ['stdout', 'stderr'] as const;
export type LogStream = (typeof logStreams)[number];

export const logTags = ['F', 'P'] as const;
export type LogTag = (typeof logTags)[number];

export const defaultMaxLineBytes = 16 * 1024;

/** Go's time.RFC3339Nano of a UTC time in milliseconds: trailing zeros of the fraction are dropped. */
export function formatTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2025-01-01T00:00:00.120Z
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

/** Formats one log line (with its '\n'). */
export function formatLogLine(time: number, stream: LogStream, tag: LogTag, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${formatTimestamp(time)} ${stream} ${tag} `), content, Buffer.from('\n')]);
}

export interface LogLine {
  /** The timestamp as written (RFC3339Nano). */
  timestamp: string;
  /** Milliseconds since the epoch (sub-millisecond digits are dropped). */
  time: number;
  stream: LogStream;
  tag: LogTag;
  /** The content without the trailing '\n'. */
  content: Buffer;
}

/** Parses one line of a CRI log file (with or without its '\n'); undefined when it is not in the format. */
export function parseLogLine(line: Buffer | string): LogLine | undefined {
  const buf = typeof line === 'string' ? Buffer.from(line) : line;
  const end = buf.length > 0 && buf[buf.length - 1] === 0x0a ? buf.length - 1 : buf.length;
  const first = buf.indexOf(0x20);
  if (first < 0 || first > end) return undefined;
  const second = buf.indexOf(0x20, first + 1);
  if (second < 0 || second > end) return undefined;
  const timestamp = buf.subarray(0, first).toString();
  const time = Date.parse(timestamp);
  const stream = buf.subarray(first + 1, second).toString();
  if (Number.isNaN(time) || (stream !== 'stdout' && stream !== 'stderr')) return undefined;
  // Tags may carry further ':'-separated fields after the first (CRI's LogTagDelimiter); only F/P matter.
  let third = buf.indexOf(0x20, second + 1);
  if (third < 0 || third > end) third = end;
  const tag = buf.subarray(second + 1, third).toString().split(':')[0];
  if (tag !== 'F' && tag !== 'P') return undefined;
  return { timestamp, time, stream, tag, content: buf.subarray(Math.min(third + 1, end), end) };
}

/**
 * Writes the output of one container to its log file. Writes are synchronous appends, so a line is on disk
 * once write() returns and the file is complete when close() returns.
 */
export class LogWriter {
  #fd: number | undefined;
  #now: () => number;
  #maxLineBytes: number;
  #pending: Record<LogStream, Buffer[]> = { stdout: [], stderr: [] };
  #pendingBytes: Record<LogStream, number> = { stdout: 0, stderr: 0 };

  /** Opens (appends to) `path`; `now` gives the timestamp of each line in milliseconds since the epoch. */
  constructor(path: string, now: () => number, maxLineBytes = defaultMaxLineBytes) {
    this.#fd = openSync(path, 'a', 0o640);
    this.#now = now;
    this.#maxLineBytes = maxLineBytes;
  }

  write(stream: LogStream, chunk: Buffer): void {
    if (this.#fd === undefined) return;
    const lines: Buffer[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      this.#pending[stream].push(chunk.subarray(start, nl));
      this.#emit(stream, lines, true);
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.#pending[stream].push(rest);
      this.#pendingBytes[stream] += rest.length;
      if (this.#pendingBytes[stream] >= this.#maxLineBytes) this.#emit(stream, lines, false);
    }
    this.#flushLines(lines);
  }

  /** Writes what is left of an unfinished line of `stream` (as F, like containerd at EOF). */
  end(stream: LogStream): void {
    if (this.#fd === undefined || this.#pendingBytes[stream] === 0) return;
    const lines: Buffer[] = [];
    this.#emit(stream, lines, true);
    this.#flushLines(lines);
  }

  /** Ends both streams and closes the file. */
  close(): void {
    if (this.#fd === undefined) return;
    this.end('stdout');
    this.end('stderr');
    closeSync(this.#fd);
    this.#fd = undefined;
  }

  /** Turns the pending bytes of `stream` into lines: P pieces of the maximum size, then the rest. */
  #emit(stream: LogStream, out: Buffer[], complete: boolean): void {
    const data = Buffer.concat(this.#pending[stream]);
    this.#pending[stream] = [];
    this.#pendingBytes[stream] = 0;
    const time = this.#now();
    let offset = 0;
    while (data.length - offset > this.#maxLineBytes || (!complete && data.length - offset === this.#maxLineBytes)) {
      out.push(formatLogLine(time, stream, 'P', data.subarray(offset, offset + this.#maxLineBytes)));
      offset += this.#maxLineBytes;
    }
    const rest = data.subarray(offset);
    if (complete) out.push(formatLogLine(time, stream, 'F', rest));
    else if (rest.length > 0) {
      this.#pending[stream].push(rest);
      this.#pendingBytes[stream] = rest.length;
    }
  }

  #flushLines(lines: Buffer[]): void {
    if (lines.length === 0 || this.#fd === undefined) return;
    const data = lines.length === 1 ? lines[0] : Buffer.concat(lines);
    for (let off = 0; off < data.length; ) off += writeSync(this.#fd, data, off);
  }
}
