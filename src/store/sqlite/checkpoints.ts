// When and where a SQLite store's WAL is checkpointed. The writer's connection has automatic
// checkpoints off; a worker thread (checkpointer.ts) runs PASSIVE checkpoints on its own
// connection after every `everyCommits` commits, and once writes pause. A PASSIVE checkpoint
// cannot always catch up with a busy writer, and the WAL restarts from its beginning only after
// one did; so when the WAL has grown past `maxWalFrames` the writer's thread itself runs a
// RESTART checkpoint (by then most frames are already copied, so it is short).

import { Worker } from 'node:worker_threads';

export interface CheckpointsOptions {
  /** Commits between two checkpoints (default 64). */
  everyCommits?: number;
  /** WAL frames (pages) above which the writer checkpoints itself (default 16384: 64 MiB of 4 KiB pages). */
  maxWalFrames?: number;
  /** Quiet time after the last commit before a checkpoint (default 200 ms). */
  idleMs?: number;
}

type Reply = { walFrames: number; checkpointed: number } | { error: string };

export class Checkpoints {
  readonly #worker: Worker;
  /** Resolves when the worker thread has ended, whichever way. */
  readonly #exited: Promise<void>;
  readonly #restart: () => void;
  readonly #every: number;
  readonly #maxFrames: number;
  readonly #idleMs: number;
  #commits = 0;
  #inFlight = false;
  #walFrames = 0;
  #idleTimer: NodeJS.Timeout | undefined;
  #closed: Promise<void> | undefined;
  /** Checkpoints the worker ran, and RESTART checkpoints the writer ran (for tests). */
  readonly counts = { worker: 0, writer: 0, errors: 0 };

  /** `restart` runs a RESTART checkpoint on the writer's connection. */
  constructor(path: string, restart: () => void, options: CheckpointsOptions = {}) {
    this.#restart = restart;
    this.#every = options.everyCommits ?? 64;
    this.#maxFrames = options.maxWalFrames ?? 16384;
    this.#idleMs = options.idleMs ?? 200;
    this.#worker = new Worker(new URL('./checkpointer.ts', import.meta.url), { workerData: { path } });
    this.#worker.unref();
    // Not events.once: it would reject on the worker's 'error', and close() must not.
    this.#exited = new Promise((resolve) => this.#worker.once('exit', () => resolve()));
    this.#worker.on('message', (reply: Reply) => this.#onReply(reply));
    this.#worker.on('error', () => {
      this.counts.errors++;
      this.#inFlight = false;
    });
  }

  /** Called after each commit of the writer. */
  committed(): void {
    this.#commits++;
    if (this.#walFrames > this.#maxFrames && !this.#inFlight) {
      this.#restart();
      this.counts.writer++;
      this.#walFrames = 0;
      this.#commits = 0;
      return;
    }
    if (this.#commits >= this.#every) this.#request();
    if (this.#idleTimer) this.#idleTimer.refresh();
    else {
      this.#idleTimer = setTimeout(() => {
        this.#idleTimer = undefined;
        if (this.#commits > 0) this.#request();
      }, this.#idleMs);
      this.#idleTimer.unref();
    }
  }

  /**
   * Stops the worker once the checkpoint in flight, if any, is done (it closes its connection and
   * exits); the writer's close checkpoints the rest. A worker that already ended is not waited for.
   */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      if (this.#idleTimer) clearTimeout(this.#idleTimer);
      this.#worker.postMessage('close');
      await this.#exited;
    })();
    return this.#closed;
  }

  #request(): void {
    if (this.#inFlight || this.#closed) return;
    this.#inFlight = true;
    this.#commits = 0;
    this.#worker.postMessage('checkpoint');
  }

  #onReply(reply: Reply): void {
    this.#inFlight = false;
    if ('error' in reply) {
      this.counts.errors++;
      return;
    }
    this.counts.worker++;
    this.#walFrames = reply.walFrames;
  }
}
