// The TTL-after-finished controller (upstream pkg/controller/ttlafterfinished): a Job with
// spec.ttlSecondsAfterFinished is deleted (foreground cascade, uid precondition) once that many
// seconds have passed, on the injected clock, since its Complete or Failed condition turned
// True. Before deleting it re-reads the Job from the API, so a TTL changed or removed meanwhile
// is honoured; until the time comes it requeues itself for the expiry.

import { isNotFound } from '../../../client/api-errors.ts';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../../client/indexer.ts';
import type { SharedIndexInformer } from '../../../client/informer.ts';
import { WorkQueue } from '../../../client/workqueue.ts';
import type { Logger } from '../../../component-base/logging.ts';
import type { Clock } from '../../../machinery/clock.ts';
import type { ApiClient, Controller } from '../../context.ts';
import type { ControllerMetrics } from '../../../component-base/controller-metrics.ts';
import { runWorkers, type ReconcileResult } from '../../../component-base/controller-worker.ts';
import { jobCondition, type Job } from '../job/job-controller.ts';

export const controllerName = 'ttl-after-finished-controller';
const jobsResource = { group: 'batch', version: 'v1', resource: 'jobs' };

export interface TTLAfterFinishedControllerOptions {
  client: ApiClient;
  jobs: SharedIndexInformer<Job>;
  clock: Clock;
  log: Logger;
  workers?: number;
  metrics?: ControllerMetrics;
}

/** When a finished job with a TTL expires; undefined when it has no TTL, is not finished, or is being deleted. */
export function expiresAt(job: Job): number | undefined {
  const ttl = job.spec.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null || job.metadata.deletionTimestamp) return undefined;
  const finished = jobCondition(job, 'Complete') ?? jobCondition(job, 'Failed');
  if (!finished) return undefined;
  const at = Date.parse(finished.lastTransitionTime ?? '');
  return Number.isNaN(at) ? undefined : at + ttl * 1000;
}

export class TTLAfterFinishedController implements Controller {
  readonly name = controllerName;
  readonly queue: WorkQueue<string>;
  readonly #o: TTLAfterFinishedControllerOptions;

  constructor(options: TTLAfterFinishedControllerOptions) {
    this.#o = options;
    this.queue = new WorkQueue<string>({ name: 'ttl_jobs_to_delete', clock: options.clock });
    const enqueue = (job: Job) => {
      if (expiresAt(job) !== undefined) this.queue.add(metaNamespaceKey(job));
    };
    options.jobs.addEventHandler({ onAdd: enqueue, onUpdate: (_old, cur) => enqueue(cur) });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.#o.jobs.waitForSync(signal))) {
      this.queue.shutDown();
      return;
    }
    await runWorkers({ name: this.name, queue: this.queue, workers: this.#o.workers ?? 5, reconcile: (k) => this.reconcile(k), log: this.#o.log, metrics: this.#o.metrics }, signal);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.#o.jobs.lister.namespace(namespace).get(name);
    if (!cached || expiresAt(cached) === undefined) return;
    const now = this.#o.clock.now();
    if (expiresAt(cached)! > now) return { requeueAfterMs: expiresAt(cached)! - now };
    let fresh: Job;
    try {
      fresh = await this.#o.client.get<Job>({ ...jobsResource, namespace, name });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const at = expiresAt(fresh);
    if (at === undefined) return;
    if (at > now) return { requeueAfterMs: at - now };
    this.#o.log.info('cleaning up job', { job: key });
    try {
      await this.#o.client.delete({ ...jobsResource, namespace, name }, { propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
