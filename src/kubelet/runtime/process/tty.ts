// Terminals without a terminal library: util-linux `script` runs the command on a new pseudo-terminal and
// relays it over plain pipes (`script -qec <cmd> /dev/null`), returning the command's exit code. The command
// runs in a session of its own under `script`; its terminal (/proc/<pid>/fd/0) is found to apply window
// sizes with `stty -F` and to signal that session, which a signal to `script`'s process group misses.

import { execFile } from 'node:child_process';
import { readFileSync, readlinkSync, readdirSync } from 'node:fs';
import { lookPath, shellQuote, type ResolvedCommand } from './command.ts';

/** `script` from util-linux on the host PATH, or undefined. */
export function findScript(hostPath = process.env.PATH ?? ''): string | undefined {
  return lookPath('script', `${hostPath}:/usr/bin:/bin`);
}

/** The command wrapped so that it runs on a pseudo-terminal under `script`. */
export function onTerminal(script: string, cmd: ResolvedCommand): ResolvedCommand {
  const line = ['exec', cmd.file, ...cmd.args].map(shellQuote).join(' ');
  return { file: script, args: ['-q', '-e', '-c', line, '/dev/null'], argv0: 'script' };
}

/** Pids of the direct children of `pid` (Linux /proc). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (text) for (const child of text.split(/\s+/)) out.push(Number(child));
    }
  } catch {
    // The process is gone.
  }
  return out;
}

function terminalOf(scriptPid: number): string | undefined {
  for (const child of childPids(scriptPid)) {
    try {
      const tty = readlinkSync(`/proc/${child}/fd/0`);
      if (tty.startsWith('/dev/pts/')) return tty;
    } catch {
      // Not ours to read, or gone.
    }
  }
  return undefined;
}

/**
 * Sets the window size of the terminal `script` made (the kernel then sends SIGWINCH to its foreground
 * process group). The terminal may not exist yet right after the spawn, so this retries for a while.
 * Resolves false when the size could not be applied.
 */
export async function resizeTerminal(scriptPid: number, size: { width: number; height: number }, signal?: AbortSignal): Promise<boolean> {
  for (let attempt = 0; attempt < 40 && !signal?.aborted; attempt++) {
    const tty = terminalOf(scriptPid);
    if (tty) {
      return new Promise((resolve) => {
        execFile('stty', ['-F', tty, 'cols', String(size.width), 'rows', String(size.height)], { timeout: 5000 }, (err) => resolve(!err));
      });
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}
