// Reclaims the space of compacted history in the background, and compacts on a timer.
//
// Compaction itself is instant (the engine moves its compact revision and reads below it
// fail from then on); what takes time is deleting the obsolete rows. The compactor does
// that in small steps, yielding to the event loop between them, so writes and reads go on
// while it runs. On a timer it compacts to the revision that was current one interval
// earlier, so the history window is always at least one interval long.

import type { Clock, Timer } from '../../machinery/clock.ts';
import type { Cursor } from './backend.ts';

export interface CompactorOptions {
  clock: Clock;
  intervalMs: number;
  revision(): number;
  compactRevision(): number;
  compact(revision: number): Promise<void>;
  step(revision: number, after: Cursor, limit: number): Cursor | undefined;
  /** Rows per step. */
  stepRows?: number;
}

export class Compactor {
  readonly #options: CompactorOptions;
  #timer: Timer | undefined;
  #lastSeen = 0;
  #cursor: Cursor = { revision: 0, sub: 0 };
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(options: CompactorOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#options.intervalMs <= 0) return;
    this.#lastSeen = this.#options.revision();
    this.#schedule();
  }

  /** Starts reclaiming up to the current compact revision, unless already at it. */
  kick(): void {
    if (this.#running || this.#stopped) return;
    this.#running = this.#reclaim().finally(() => {
      this.#running = undefined;
    });
  }

  /** Resolves once reclaiming has caught up with the compact revision. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  async #reclaim(): Promise<void> {
    const limit = this.#options.stepRows ?? 500;
    for (;;) {
      const target = this.#options.compactRevision();
      const next = this.#options.step(target, this.#cursor, limit);
      if (next === undefined) {
        // Rows at the compact revision itself may become obsolete at the next compaction.
        this.#cursor = { revision: target - 1, sub: Number.MAX_SAFE_INTEGER };
        if (this.#options.compactRevision() === target) return;
        continue;
      }
      this.#cursor = next;
      await new Promise((resolve) => setImmediate(resolve));
      if (this.#stopped) return;
    }
  }

  #schedule(): void {
    this.#timer = this.#options.clock.setTimeout(() => {
      const target = this.#lastSeen;
      this.#lastSeen = this.#options.revision();
      if (target > this.#options.compactRevision()) {
        this.#options.compact(target).catch(() => {
          // Someone compacted further meanwhile; the next tick tries again.
        });
      }
      if (!this.#stopped) this.#schedule();
    }, this.#options.intervalMs);
    this.#timer.unref?.();
  }
}
