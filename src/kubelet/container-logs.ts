// Reads a container's CRI log file for `kubectl logs`, as upstream's kuberuntime logs: each line
// `<RFC3339Nano> <stream> <P|F> <text>` is one chunk of output; P chunks join with the following
// ones into one line. Options as the pods/log subresource: tailLines (last N lines), sinceTime
// (lines at or after), timestamps (prefix each line with its time), limitBytes (stop after), and
// follow (keep reading until the container is no longer running and the file has no more data).

import { open, stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { parseLogLine } from './runtime/cri-log.ts';

export interface LogOptions {
  follow?: boolean;
  tailLines?: number;
  sinceMs?: number;
  timestamps?: boolean;
  limitBytes?: number;
  /** Resolves to whether the container is still running (checked while following). */
  running?: () => Promise<boolean>;
  signal?: AbortSignal;
  pollMs?: number;
}

/** One line of a container's output: the time of its first chunk, its text, its stream. */
interface OutputLine {
  timestamp: string;
  time: number;
  content: Buffer;
}

/**
 * Splits CRI log bytes into complete lines (partial chunks joined, lines not in the format skipped),
 * returning the bytes after the last '\n' and a line still waiting for its final chunk.
 */
function splitCriLog(bytes: Buffer, pending: OutputLine | undefined): { lines: OutputLine[]; rest: Buffer; pending: OutputLine | undefined } {
  const lines: OutputLine[] = [];
  let start = 0;
  for (let nl = bytes.indexOf(0x0a, start); nl >= 0; nl = bytes.indexOf(0x0a, start)) {
    const entry = parseLogLine(bytes.subarray(start, nl));
    start = nl + 1;
    if (!entry) continue;
    const line = pending ? { ...pending, content: Buffer.concat([pending.content, entry.content]) } : { timestamp: entry.timestamp, time: entry.time, content: entry.content };
    if (entry.tag === 'P') pending = line;
    else {
      lines.push(line);
      pending = undefined;
    }
  }
  return { lines, rest: bytes.subarray(start), pending };
}

/** Writes the container's log to `out` as the options say; resolves when done. */
export async function readContainerLog(path: string, out: Writable, options: LogOptions = {}): Promise<void> {
  let budget = options.limitBytes ?? Infinity;
  const emit = (line: OutputLine): boolean => {
    if (options.sinceMs !== undefined && line.time < options.sinceMs) return true;
    const buf = Buffer.concat([Buffer.from(options.timestamps ? `${line.timestamp} ` : ''), line.content, Buffer.from('\n')]);
    if (buf.length > budget) {
      if (budget > 0) out.write(buf.subarray(0, budget));
      budget = 0;
      return false;
    }
    budget -= buf.length;
    out.write(buf);
    return true;
  };
  let position = 0;
  let rest: Buffer = Buffer.alloc(0);
  let pending: OutputLine | undefined;
  const readMore = async (): Promise<OutputLine[]> => {
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      return [];
    }
    if (size < position) position = 0;
    if (size === position) return [];
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(size - position);
      const { bytesRead } = await fh.read(buf, 0, buf.length, position);
      position += bytesRead;
      const parsed = splitCriLog(Buffer.concat([rest, buf.subarray(0, bytesRead)]), pending);
      rest = parsed.rest;
      pending = parsed.pending;
      return parsed.lines;
    } finally {
      await fh.close();
    }
  };
  let lines = await readMore();
  if (options.tailLines !== undefined) lines = options.tailLines <= 0 ? [] : lines.slice(-options.tailLines);
  for (const line of lines) if (!emit(line)) return;
  if (!options.follow) return;
  const poll = options.pollMs ?? 100;
  while (!options.signal?.aborted && !out.destroyed) {
    await new Promise((r) => setTimeout(r, poll));
    const more = await readMore();
    for (const line of more) if (!emit(line)) return;
    if (more.length === 0 && options.running && !(await options.running())) {
      for (const line of await readMore()) if (!emit(line)) return;
      return;
    }
  }
}
