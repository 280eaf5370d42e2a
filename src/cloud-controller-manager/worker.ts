// The loop queue-driven cloud controllers run (habit 1): workers take keys from a rate-limited
// workqueue and call reconcile(key). A key is reconciled by one worker at a time (the workqueue's
// rule); success forgets the key's back-off, a returned requeueAfterMs adds it again after that
// delay; any error (409 Conflict included) requeues with the rate limiter's back-off, never in a
// tight loop; run() resolves once the signal aborted and every worker finished its current key.

import { isConflict } from '../client/api-errors.ts';
import type { WorkQueue } from '../client/workqueue.ts';
import type { Logger } from '../component-base/logging.ts';
import type { CloudMetrics } from './metrics.ts';

export interface ReconcileResult {
  requeueAfterMs?: number;
}

export interface WorkerOptions {
  name: string;
  queue: WorkQueue<string>;
  workers: number;
  reconcile(key: string): Promise<ReconcileResult | void>;
  log: Logger;
  metrics?: CloudMetrics;
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
