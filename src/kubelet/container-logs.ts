// Reads a container's CRI log file for `kubectl logs`, as upstream's kuberuntime logs: each line
// `<RFC3339Nano> <stream> <P|F> <text>` is one chunk of output; P chunks join with the following
// ones into one line. Options as the pods/log subresource: tailLines (last N lines), sinceTime
// (lines at or after), timestamps (prefix each line with its time), limitBytes (stop after), and
// follow (keep reading until the container is no longer running and the file has no more data).

import { open, stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';

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

export interface LogLine {
  time: string;
  stream: string;
  text: string;
}

/** Splits CRI log content into complete lines (partial chunks joined); returns the unparsed rest. */
export function parseCriLog(content: string, pending: { time: string; stream: string; text: string } | undefined): { lines: LogLine[]; rest: string; pending: typeof pending } {
  const lines: LogLine[] = [];
  let start = 0;
  for (;;) {
    const nl = content.indexOf('\n', start);
    if (nl < 0) break;
    const raw = content.slice(start, nl);
    start = nl + 1;
    const a = raw.indexOf(' ');
    const b = raw.indexOf(' ', a + 1);
    const c = raw.indexOf(' ', b + 1);
    if (a < 0 || b < 0) continue;
    const time = raw.slice(0, a);
    const stream = raw.slice(a + 1, b);
    const tag = c < 0 ? raw.slice(b + 1) : raw.slice(b + 1, c);
    const text = c < 0 ? '' : raw.slice(c + 1);
    if (tag === 'P') {
      pending = pending ? { ...pending, text: pending.text + text } : { time, stream, text };
      continue;
    }
    lines.push(pending ? { ...pending, text: pending.text + text } : { time, stream, text });
    pending = undefined;
  }
  return { lines, rest: content.slice(start), pending };
}

/** Writes the container's log to `out` as the options say; resolves when done. */
export async function readContainerLog(path: string, out: Writable, options: LogOptions = {}): Promise<void> {
  let budget = options.limitBytes ?? Infinity;
  const emit = (line: LogLine): boolean => {
    if (options.sinceMs !== undefined && Date.parse(line.time) < options.sinceMs) return true;
    const text = `${options.timestamps ? `${line.time} ` : ''}${line.text}\n`;
    const buf = Buffer.from(text);
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
  let rest = '';
  let pending: LogLine | undefined;
  const readMore = async (): Promise<LogLine[]> => {
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
      const parsed = parseCriLog(rest + buf.subarray(0, bytesRead).toString('utf8'), pending);
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
