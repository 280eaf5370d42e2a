// The CronJob controller (upstream pkg/controller/cronjob, the v2 controller). Guarantees, per
// CronJob key, with time from the injected clock:
// - status.active lists the unfinished Jobs it controls; a Job seen finished leaves the list
//   (event SawCompletedJob) and a Complete one sets lastSuccessfulTime; a listed Job that is
//   gone leaves it too (MissingJob);
// - at most one Job per scheduled time, named "<cronjob>-<scheduled time in minutes since the
//   epoch>", annotated batch.kubernetes.io/cronjob-scheduled-timestamp, created from
//   jobTemplate with a controller reference, and only for the most recent missed time (more
//   than 100 missed times is reported as TooManyMissedTimes); a time older than
//   startingDeadlineSeconds is skipped (MissSchedule);
// - concurrencyPolicy: Allow runs side by side, Forbid skips while a Job is active
//   (JobAlreadyActive), Replace deletes the active Jobs first (SuccessfulDelete);
// - suspend creates nothing; finished Jobs beyond successfulJobsHistoryLimit /
//   failedJobsHistoryLimit are deleted oldest first (SuccessfulDelete);
// - it requeues itself for the next scheduled time, so no tick depends on another event.

import { isAlreadyExists, isNotFound } from '../../../client/api-errors.ts';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../../client/indexer.ts';
import { DeletedFinalStateUnknown, type SharedIndexInformer } from '../../../client/informer.ts';
import { WorkQueue } from '../../../client/workqueue.ts';
import type { Logger } from '../../../component-base/logging.ts';
import type { Clock } from '../../../machinery/clock.ts';
import type { ApiClient, Controller } from '../../context.ts';
import { controllerUidIndex, controllerUidIndexFunc, ownerReferenceFor } from '../../controller-ref-manager.ts';
import type { EventRecorder } from '../../../client/event-recorder.ts';
import type { ControllerMetrics } from '../../../component-base/controller-metrics.ts';
import { controllerRef } from '../../pod-conditions.ts';
import { rfc3339, type KubeObject } from '../../types.ts';
import { runWorkers, type ReconcileResult } from '../../../component-base/controller-worker.ts';
import { isJobFinished, jobCondition, type Job } from '../job/job-controller.ts';
import { parseSchedule, wallClock, type Schedule } from './schedule.ts';
import { timeZoneKnown } from '../../../api/batch/v1/cron.ts';

export const controllerName = 'cronjob-controller';
const jobsResource = { group: 'batch', version: 'v1', resource: 'jobs' };
const cronJobsResource = { group: 'batch', version: 'v1', resource: 'cronjobs' };
export const scheduledTimestampAnnotation = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
}

export interface CronJob extends KubeObject {
  metadata: NonNullable<KubeObject['metadata']>;
  spec: {
    schedule: string;
    timeZone?: string;
    startingDeadlineSeconds?: number;
    concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace' | string;
    suspend?: boolean;
    jobTemplate: { metadata?: NonNullable<KubeObject['metadata']>; spec?: Job['spec'] };
    successfulJobsHistoryLimit?: number;
    failedJobsHistoryLimit?: number;
  };
  status?: { active?: ObjectReference[]; lastScheduleTime?: string; lastSuccessfulTime?: string };
}

export interface CronJobControllerOptions {
  client: ApiClient;
  cronJobs: SharedIndexInformer<CronJob>;
  jobs: SharedIndexInformer<Job>;
  recorder: EventRecorder;
  clock: Clock;
  log: Logger;
  workers?: number;
  metrics?: ControllerMetrics;
}

/** Upstream's nextScheduleTimeDuration adds 100 ms so the requeued sync lands after the tick. */
const nextScheduleDelta = 100;

/**
 * The most recent scheduled time not after `now` since the last schedule (or creation, or
 * now − startingDeadlineSeconds when later), and how many were missed; undefined when none.
 */
export function mostRecentScheduleTime(cj: CronJob, schedule: Schedule, now: number): { time?: number; missed: number } {
  let earliest = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '') || now;
  if (cj.spec.startingDeadlineSeconds !== undefined) earliest = Math.max(earliest, now - cj.spec.startingDeadlineSeconds * 1000);
  let t = schedule.next(earliest);
  if (t > now) return { missed: 0 };
  let missed = 0;
  let last = t;
  while (t <= now) {
    missed++;
    last = t;
    if (missed > 100) {
      // Too many to walk one by one: find the most recent from a window just before now.
      const interval = Math.max(60_000, schedule.next(last) - last);
      let s = schedule.next(now - 2 * interval);
      let prev = last;
      while (s <= now) {
        prev = s;
        s = schedule.next(s);
      }
      return { time: prev, missed: missed + Math.floor((now - last) / interval) };
    }
    t = schedule.next(t);
  }
  return { time: last, missed };
}

/** "<cronjob>-<minutes since the epoch>", as upstream's getJobName. */
export function jobName(cj: CronJob, scheduled: number): string {
  return `${cj.metadata.name}-${Math.floor(scheduled / 60_000)}`;
}

/** RFC 3339 of an instant in a time zone, as Go's Time.In(loc).Format(time.RFC3339). */
function rfc3339In(ms: number, timeZone: string): string {
  const offsetMin = Math.round((wallClock(ms, timeZone) - ms) / 60_000);
  const wall = new Date(Math.floor(ms / 1000) * 1000 + offsetMin * 60_000).toISOString().replace('.000Z', '');
  if (offsetMin === 0) return `${wall}Z`;
  const abs = Math.abs(offsetMin);
  return `${wall}${offsetMin < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export function jobFromTemplate(cj: CronJob, scheduled: number, timeZone: string): Job {
  const t = cj.spec.jobTemplate;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName(cj, scheduled),
      namespace: cj.metadata.namespace,
      labels: { ...(t.metadata?.labels ?? {}) },
      annotations: { ...(t.metadata?.annotations ?? {}), [scheduledTimestampAnnotation]: rfc3339In(scheduled, timeZone) },
      ownerReferences: [ownerReferenceFor(cj, 'batch/v1', 'CronJob')],
    },
    spec: structuredClone(t.spec ?? {}),
  };
}

function reference(job: Job): ObjectReference {
  return { kind: 'Job', namespace: job.metadata.namespace, name: job.metadata.name, uid: job.metadata.uid, apiVersion: 'batch/v1', resourceVersion: job.metadata.resourceVersion };
}

export class CronJobController implements Controller {
  readonly name = controllerName;
  readonly queue: WorkQueue<string>;
  readonly #o: CronJobControllerOptions;

  constructor(options: CronJobControllerOptions) {
    this.#o = options;
    this.queue = new WorkQueue<string>({ name: 'cronjob', clock: options.clock });
    options.jobs.addIndexers({ [controllerUidIndex]: controllerUidIndexFunc });
    options.cronJobs.addEventHandler({
      onAdd: (cj) => this.queue.add(metaNamespaceKey(cj)),
      onUpdate: (_old, cur) => this.queue.add(metaNamespaceKey(cur)),
      onDelete: (obj) => this.queue.add(obj instanceof DeletedFinalStateUnknown ? obj.key : metaNamespaceKey(obj)),
    });
    const jobChanged = (job: Job) => {
      const ref = controllerRef(job);
      if (ref?.kind === 'CronJob') this.queue.add(`${job.metadata.namespace}/${ref.name}`);
    };
    options.jobs.addEventHandler({
      onAdd: jobChanged,
      onUpdate: (old, cur) => {
        if (controllerRef(old)?.uid !== controllerRef(cur)?.uid) jobChanged(old);
        jobChanged(cur);
      },
      onDelete: (obj) => jobChanged(obj instanceof DeletedFinalStateUnknown ? (obj.obj as Job) : obj),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const synced = await Promise.all([this.#o.cronJobs.waitForSync(signal), this.#o.jobs.waitForSync(signal)]);
    if (!synced.every(Boolean)) {
      this.queue.shutDown();
      return;
    }
    await runWorkers({ name: this.name, queue: this.queue, workers: this.#o.workers ?? 5, reconcile: (k) => this.reconcile(k), log: this.#o.log, metrics: this.#o.metrics }, signal);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.#o.cronJobs.lister.namespace(namespace).get(name);
    if (!cached) return;
    const cj = structuredClone(cached) as CronJob;
    const status = (cj.status ??= {});
    const before = JSON.stringify(cached.status ?? {});
    const jobs = this.#o.jobs.indexer.byIndex(controllerUidIndex, cj.metadata.uid ?? '').filter((j) => j.metadata.namespace === namespace);
    await this.#syncActive(cj, jobs);
    let result: ReconcileResult | void;
    try {
      result = await this.#schedule(cj, jobs);
    } finally {
      if (JSON.stringify(status) !== before) await this.#updateStatus(cj);
    }
    await this.#cleanupFinishedJobs(cj, jobs);
    return result;
  }

  async #syncActive(cj: CronJob, jobs: readonly Job[]): Promise<void> {
    const status = cj.status!;
    const active = status.active ?? [];
    const byUid = new Map(jobs.map((j) => [j.metadata.uid, j]));
    for (const job of jobs) {
      const listed = active.some((r) => r.uid === job.metadata.uid);
      if (!listed && !isJobFinished(job)) active.push(reference(job));
      else if (listed && isJobFinished(job)) {
        active.splice(active.findIndex((r) => r.uid === job.metadata.uid), 1);
        const cond = jobCondition(job, 'Complete') ? 'Complete' : 'Failed';
        this.#o.recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${job.metadata.name}, condition: ${cond}`);
        const done = job.status?.completionTime;
        if (cond === 'Complete' && done && (!status.lastSuccessfulTime || Date.parse(status.lastSuccessfulTime) < Date.parse(done))) status.lastSuccessfulTime = done;
      }
    }
    for (const ref of [...active]) {
      if (byUid.has(ref.uid)) continue;
      // Not in the cache: ask the API before forgetting it (the cache may lag a create).
      try {
        const job = await this.#o.client.get<Job>({ ...jobsResource, namespace: ref.namespace, name: ref.name });
        if (job.metadata.uid === ref.uid) continue;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      this.#o.recorder.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
      active.splice(active.indexOf(ref), 1);
    }
    if (active.length > 0) status.active = active;
    else delete status.active;
  }

  async #schedule(cj: CronJob, jobs: readonly Job[]): Promise<ReconcileResult | void> {
    if (cj.metadata.deletionTimestamp) return;
    const status = cj.status!;
    const now = this.#o.clock.now();
    if (cj.spec.timeZone !== undefined && !timeZoneKnown(cj.spec.timeZone)) {
      this.#o.recorder.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(cj.spec.timeZone)}: unknown time zone ${cj.spec.timeZone}`);
      return;
    }
    if (cj.spec.suspend) return;
    let schedule: Schedule;
    try {
      schedule = parseSchedule(cj.spec.schedule, cj.spec.timeZone);
    } catch (err) {
      this.#o.recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec.schedule)} : ${(err as Error).message}`);
      return;
    }
    const requeueNext = (): ReconcileResult => ({ requeueAfterMs: Math.max(0, schedule.next(now) - now) + nextScheduleDelta });
    const { time: scheduled, missed } = mostRecentScheduleTime(cj, schedule, now);
    if (missed > 100) {
      this.#o.recorder.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    }
    if (scheduled === undefined) return requeueNext();
    if (cj.spec.startingDeadlineSeconds !== undefined && scheduled + cj.spec.startingDeadlineSeconds * 1000 < now) {
      this.#o.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc3339(scheduled)}`);
      return requeueNext();
    }
    const wanted = jobName(cj, scheduled);
    if ((status.active ?? []).some((r) => r.name === wanted) || status.lastScheduleTime === rfc3339(scheduled)) return requeueNext();
    const active = status.active ?? [];
    if (cj.spec.concurrencyPolicy === 'Forbid' && active.length > 0) {
      this.#o.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return requeueNext();
    }
    if (cj.spec.concurrencyPolicy === 'Replace') {
      for (const ref of [...active]) {
        const job = jobs.find((j) => j.metadata.uid === ref.uid);
        if (job) await this.#deleteJob(cj, job);
        active.splice(active.indexOf(ref), 1);
      }
      if (active.length === 0) delete status.active;
    }
    const body = jobFromTemplate(cj, scheduled, schedule.timeZone);
    let created: Job;
    try {
      created = await this.#o.client.create<Job>({ ...jobsResource, namespace: cj.metadata.namespace }, body);
      this.#o.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
    } catch (err) {
      if (!isAlreadyExists(err)) {
        this.#o.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(err as Error).message}`);
        throw err;
      }
      // Created by an earlier sync whose status write was lost: adopt the record if it is ours.
      created = await this.#o.client.get<Job>({ ...jobsResource, namespace: cj.metadata.namespace, name: wanted });
      if (controllerRef(created)?.uid !== cj.metadata.uid) throw err;
      if (isJobFinished(created)) {
        status.lastScheduleTime = rfc3339(scheduled);
        return requeueNext();
      }
    }
    (status.active ??= []).push(reference(created));
    status.lastScheduleTime = rfc3339(scheduled);
    return requeueNext();
  }

  async #deleteJob(cj: CronJob, job: Job): Promise<void> {
    try {
      await this.#o.client.delete({ ...jobsResource, namespace: job.metadata.namespace, name: job.metadata.name }, { propagationPolicy: 'Background', preconditions: { uid: job.metadata.uid } });
      this.#o.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
    } catch (err) {
      if (isNotFound(err)) return;
      this.#o.recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${(err as Error).message}`);
      throw err;
    }
  }

  async #cleanupFinishedJobs(cj: CronJob, jobs: readonly Job[]): Promise<void> {
    if (cj.metadata.deletionTimestamp) return;
    const started = (j: Job) => Date.parse(j.status?.startTime ?? j.metadata.creationTimestamp ?? '') || 0;
    const prune = async (finished: Job[], limit: number | undefined) => {
      if (limit === undefined || finished.length <= limit) return;
      const oldestFirst = [...finished].sort((a, b) => started(a) - started(b));
      for (const job of oldestFirst.slice(0, finished.length - limit)) await this.#deleteJob(cj, job);
    };
    const live = jobs.filter((j) => !j.metadata.deletionTimestamp);
    await prune(live.filter((j) => jobCondition(j, 'Complete')), cj.spec.successfulJobsHistoryLimit);
    await prune(live.filter((j) => jobCondition(j, 'Failed')), cj.spec.failedJobsHistoryLimit);
  }

  /** A conflict is not retried here: the worker requeues and the next sync starts from the fresh object. */
  async #updateStatus(cj: CronJob): Promise<void> {
    try {
      await this.#o.client.update<CronJob>({ ...cronJobsResource, namespace: cj.metadata.namespace, name: cj.metadata.name, subresource: 'status' }, cj);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
