// A command run as the leader of its own session and process group, so a signal reaches everything it
// started: every process of the session (read from /proc) and the process group. Only a descendant that makes
// a session of its own (a daemon) escapes. On a terminal under `script`, the command runs in a second session
// that `script` made; signals go to that session directly, since `script` answers SIGTERM with a kill of its
// own after two seconds and exit code 0, which is not what a container does.
// The exit code is settled only once the output pipes are drained, so nothing written before the exit is lost;
// a descendant that keeps the pipes open delays that by at most `drainMs`.

import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { StartError, type ResolvedCommand } from './command.ts';
import { childPids } from './tty.ts';

export interface GroupProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The exit code (128+N when killed by signal N), once the process has exited and its output is drained. */
  readonly exited: Promise<number>;
  /** Milliseconds since the epoch when the process exited; 0 while it runs. */
  readonly exitedAt: number;
  readonly running: boolean;
  /** Signals every process of the session (the terminal's session under `script`); no-op once exited. */
  signal(signal: NodeJS.Signals): void;
}

export interface SpawnOptions {
  env: Record<string, string>;
  cwd: string;
  /** Keep a stdin pipe (otherwise stdin is /dev/null). */
  stdin: boolean;
  /** The command runs under `script` (see tty.ts): also signal the terminal's session. */
  terminal: boolean;
  /** Kill what is left of the session when the leader exits, as a container's PID namespace does. */
  killSessionOnExit: boolean;
  now: () => number;
  drainMs?: number;
}

export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
}

/** Pids of the processes whose session id is `sid` (Linux /proc). */
export function sessionMembers(sid: number): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid pgrp session ...; comm may hold spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[3]) === sid) out.push(Number(entry));
    } catch {
      // Exited while we looked.
    }
  }
  return out;
}

function kill(target: number, signal: NodeJS.Signals): void {
  try {
    process.kill(target, signal);
  } catch {
    // Already gone (ESRCH).
  }
}

/** Spawns the command; rejects with a StartError when it cannot be started (ENOENT, EACCES, bad cwd...). */
export async function spawnInGroup(cmd: ResolvedCommand, opts: SpawnOptions): Promise<GroupProcess> {
  let child: ChildProcess;
  try {
    child = spawn(cmd.file, cmd.args, {
      argv0: cmd.argv0,
      env: opts.env,
      cwd: opts.cwd,
      detached: true,
      stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    throw new StartError(`exec: ${JSON.stringify(cmd.argv0)}: ${(err as Error).message}`);
  }
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      child.off('spawn', onSpawn);
      reject(new StartError(`exec: ${JSON.stringify(cmd.argv0)}: ${err.code === 'EACCES' ? 'permission denied' : err.message}`));
    };
    const onSpawn = () => {
      child.off('error', onError);
      resolve();
    };
    child.once('error', onError);
    child.once('spawn', onSpawn);
  });
  // Errors after the spawn (a failed kill, EPIPE on stdin) surface as the exit or are irrelevant.
  child.on('error', () => {});
  child.stdin?.on('error', () => {});
  const pid = child.pid!;
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let running = true;
  let exitedAt = 0;

  // The session `script` made for the command: its child, found once it exists.
  let terminalSession: number | undefined;
  const findTerminalSession = () => {
    terminalSession ??= childPids(pid)[0];
    return terminalSession;
  };
  if (opts.terminal) {
    void (async () => {
      for (let i = 0; i < 200 && running && findTerminalSession() === undefined; i++) await new Promise((r) => setTimeout(r, 5));
    })();
  }

  const killSession = (sid: number, sig: NodeJS.Signals) => {
    for (const member of sessionMembers(sid)) kill(member, sig);
    kill(-sid, sig);
  };

  const signal = (sig: NodeJS.Signals) => {
    if (!running) return;
    const session = opts.terminal ? findTerminalSession() : undefined;
    if (session !== undefined) killSession(session, sig);
    if (session === undefined || sig === 'SIGKILL') killSession(pid, sig);
  };

  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, sig) => {
      exitedAt = opts.now();
      if (opts.killSessionOnExit) {
        if (terminalSession !== undefined) killSession(terminalSession, 'SIGKILL');
        killSession(pid, 'SIGKILL');
      }
      running = false;
      const drainMs = opts.drainMs ?? 2000;
      let timer: NodeJS.Timeout | undefined;
      const drained = new Promise<void>((r) => {
        timer = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          r();
        }, drainMs);
      });
      void Promise.race([closed, drained]).then(() => {
        clearTimeout(timer);
        child.stdin?.destroy();
        resolve(exitCodeOf(code, sig));
      });
    });
  });

  return {
    child,
    pid,
    exited,
    get exitedAt() {
      return exitedAt;
    },
    get running() {
      return running;
    },
    signal,
  };
}
