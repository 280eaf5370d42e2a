// Terminal resize events: the client sends a stream of JSON objects {"Width":W,"Height":H}, one after
// another (SPDY: on the resize stream; WebSocket: on channel 4, split across messages at will).
// The source is drained eagerly so it never holds back the connection; a consumer that iterates late
// gets the newest size, not a backlog. Malformed input ends the events, as upstream's decoder does.

import type { Readable } from 'node:stream';

export interface TerminalSize {
  width: number;
  height: number;
}

/** Length of the first complete JSON object in `text` (after leading whitespace), or -1. */
function firstObjectEnd(text: string): number {
  let i = 0;
  while (i < text.length && /\s/.test(text[i])) i++;
  if (i === text.length) return -1;
  if (text[i] !== '{') throw new SyntaxError('resize event is not a JSON object');
  let depth = 0;
  let inString = false;
  for (; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return -1;
}

/** Parses every complete object in `text`; returns them and the unparsed rest. */
export function parseTerminalSizes(text: string): { sizes: TerminalSize[]; rest: string } {
  const sizes: TerminalSize[] = [];
  for (;;) {
    const end = firstObjectEnd(text);
    if (end < 0) return { sizes, rest: text };
    const value = JSON.parse(text.slice(0, end)) as { Width?: unknown; Height?: unknown };
    text = text.slice(end);
    sizes.push({ width: Number(value.Width) || 0, height: Number(value.Height) || 0 });
  }
}

/** Reads resize events from `source` as an async iterable (iterate it once). */
export function terminalSizes(source: Readable): AsyncIterable<TerminalSize> {
  let latest: TerminalSize | undefined;
  let done = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  const finish = (): void => {
    done = true;
    notify();
  };
  let text = '';
  source.setEncoding('utf8');
  source.on('data', (chunk: string) => {
    if (done) return;
    try {
      const parsed = parseTerminalSizes(text + chunk);
      text = parsed.rest;
      const newest = parsed.sizes.at(-1);
      if (newest) {
        latest = newest;
        notify();
      }
    } catch {
      finish();
      source.resume();
    }
  });
  source.on('end', finish);
  source.on('close', finish);
  source.on('error', finish);
  return {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (latest) {
          const size = latest;
          latest = undefined;
          yield size;
          continue;
        }
        if (done) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
  };
}
