// The loop every controller runs (habit 1), in the controller managers alike: workers take keys from a rate-limited workqueue
// and call reconcile(key). Guarantees: a key is reconciled by one worker at a time (the
// workqueue's rule); success forgets the key's back-off, and a returned requeueAfterMs adds it
// again after that delay; any error (409 Conflict included) requeues with the rate limiter's
// back-off, never in a tight loop; run() resolves once the signal aborted and every worker has
// finished its current key.

import type { WorkQueue } from '../client/workqueue.ts';
import { isConflict } from '../client/api-errors.ts';
import type { Logger } from './logging.ts';

/** What the loop reports (controller-metrics.ts implements it). */
export interface WorkerMetrics {
  reconciled(controller: string, result: 'success' | 'error', ms: number): void;
  retried(controller: string): void;
}

export interface ReconcileResult {
  /** Reconcile again after this long even if nothing changes (e.g. minReadySeconds, deadlines). */
  requeueAfterMs?: number;
}

export interface WorkerOptions {
  name: string;
  queue: WorkQueue<string>;
  workers: number;
  reconcile(key: string): Promise<ReconcileResult | void>;
  log: Logger;
  metrics?: WorkerMetrics;
}

export async function runWorkers(options: WorkerOptions, signal: AbortSignal): Promise<void> {
  const { queue, name, log, metrics } = options;
  const stop = () => queue.shutDown();
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  const worker = async () => {
    for (;;) {
      const { item, shutdown } = await queue.get();
      if (shutdown) return;
      const started = performance.now();
      try {
        const result = await options.reconcile(item);
        queue.forget(item);
        if (result?.requeueAfterMs !== undefined && !signal.aborted) queue.addAfter(item, result.requeueAfterMs);
        metrics?.reconciled(name, 'success', performance.now() - started);
      } catch (err) {
        metrics?.reconciled(name, 'error', performance.now() - started);
        if (!signal.aborted) {
          const message = err instanceof Error ? err.message : String(err);
          if (isConflict(err)) log.debug('conflict, requeuing', { key: item, err: message });
          else log.warn('reconcile failed, requeuing', { key: item, err: message });
          metrics?.retried(name);
          queue.addRateLimited(item);
        }
      } finally {
        queue.done(item);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.workers) }, worker));
  signal.removeEventListener('abort', stop);
}
