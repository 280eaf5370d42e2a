// The Job controller (upstream pkg/controller/job). Guarantees, per Job key:
// - pods are created from the template with a controller reference (generateName "<job>-",
//   or "<job>-<index>-" with the batch.kubernetes.io/job-completion-index annotation and label,
//   JOB_COMPLETION_INDEX and hostname "<job>-<index>" in Indexed mode), at most parallelism at a
//   time and never more than the completions still missing; matching orphans are adopted;
// - terminated pods are counted from the pods the controller owns (the pre-1.26 counting, not
//   the job-tracking finalizer: a terminated pod that is deleted is forgotten by the counts,
//   except status.failedIndexes, which only grows);
// - after failures, replacements wait out the exponential back-off (see backoff.ts) on the
//   injected clock; with backoffLimitPerIndex each index backs off and fails on its own (see
//   backoff-per-index.ts) and a failed index is never retried;
// - a failed pod is first judged by spec.podFailurePolicy (see pod-failure-policy.ts): a
//   FailJob rule fails the job (reason PodFailurePolicy), Ignore keeps it out of status.failed
//   and backoffLimit, FailIndex fails its index; with the policy (or podReplacementPolicy
//   Failed) a terminating pod is replaced only once it has failed;
// - a FailJob match, more failures than backoffLimit, a run longer than activeDeadlineSeconds,
//   more failed indexes than maxFailedIndexes, or failed indexes once every index is done
//   deletes the active pods, sets FailureTarget and then, once no pod is terminating, Failed
//   (reasons PodFailurePolicy / BackoffLimitExceeded / DeadlineExceeded /
//   MaxFailedIndexesExceeded / FailedIndexes), as 1.31+ do; a met successPolicy rule
//   (reason SuccessPolicy) or enough successes (CompletionsReached) likewise set
//   SuccessCriteriaMet, delete what still runs, then set Complete with completionTime;
// - suspend deletes active pods and sets Suspended=True; resuming sets it False and restarts
//   startTime (and the deadline);
// - status (active, ready, terminating, succeeded, failed, completedIndexes, failedIndexes,
//   startTime, conditions) is written through /status; events SuccessfulCreate,
//   SuccessfulDelete, Completed, the failure reason, Suspended, Resumed.

import { isNotFound } from '../../../client/api-errors.ts';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../../client/indexer.ts';
import { DeletedFinalStateUnknown, type SharedIndexInformer } from '../../../client/informer.ts';
import { WorkQueue } from '../../../client/workqueue.ts';
import type { Logger } from '../../../component-base/logging.ts';
import type { Clock } from '../../../machinery/clock.ts';
import { fromLabelSelector, type LabelSelectorSpec } from '../../../machinery/labels.ts';
import type { ApiClient, Controller } from '../../context.ts';
import { claimObjects, controllerUidIndex, controllerUidIndexFunc, ownerReferenceFor } from '../../controller-ref-manager.ts';
import type { EventRecorder } from '../../../client/event-recorder.ts';
import { Expectations } from '../../expectations.ts';
import type { ControllerMetrics } from '../../../component-base/controller-metrics.ts';
import { controllerRef, isPodActive, isPodReady } from '../../pod-conditions.ts';
import { rfc3339, type Condition, type KubeObject, type Pod, type PodTemplateSpec } from '../../types.ts';
import { runWorkers, type ReconcileResult } from '../../../component-base/controller-worker.ts';
import { slowStartBatch } from '../replicaset/slow-start.ts';
import { backoffRecord, remainingBackoffMs } from './backoff.ts';
import { failsIndex, podsBeingReplaced, remainingIndexBackoffMs, replacementAnnotations } from './backoff-per-index.ts';
import { completionIndexKey, formatIndexes, parseIndexes, pendingIndexes, podIndex } from './indexed.ts';
import { matchPodFailurePolicy, type PodFailureOutcome, type PodFailurePolicy } from './pod-failure-policy.ts';
import { matchSuccessPolicy, type SuccessPolicy } from './success-policy.ts';
import { writeStatus } from '../../status-writer.ts';

export const controllerName = 'job-controller';
const podsResource = { group: '', version: 'v1', resource: 'pods' };
const jobsResource = { group: 'batch', version: 'v1', resource: 'jobs' };

export interface JobStatus {
  conditions?: Condition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  ready?: number;
  completedIndexes?: string;
  failedIndexes?: string;
  [field: string]: unknown;
}

export interface Job extends KubeObject {
  metadata: NonNullable<KubeObject['metadata']>;
  spec: {
    parallelism?: number;
    completions?: number | null;
    activeDeadlineSeconds?: number;
    backoffLimit?: number;
    selector?: LabelSelectorSpec;
    manualSelector?: boolean;
    template?: PodTemplateSpec;
    ttlSecondsAfterFinished?: number;
    completionMode?: 'NonIndexed' | 'Indexed' | string;
    suspend?: boolean;
    podFailurePolicy?: PodFailurePolicy;
    successPolicy?: SuccessPolicy;
    backoffLimitPerIndex?: number;
    maxFailedIndexes?: number;
    podReplacementPolicy?: 'Failed' | 'TerminatingOrFailed' | string;
  };
  status?: JobStatus;
}

export interface JobControllerOptions {
  client: ApiClient;
  jobs: SharedIndexInformer<Job>;
  pods: SharedIndexInformer<Pod>;
  recorder: EventRecorder;
  clock: Clock;
  log: Logger;
  workers?: number;
  metrics?: ControllerMetrics;
  /** Most pods created or deleted per reconcile (upstream MaxPodCreateDeletePerSync: 500). */
  burst?: number;
}

/** The True condition of a type, if any. */
export function jobCondition(job: Job, type: string): Condition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/** A job is finished once it has a Complete or Failed condition that is True. */
export function isJobFinished(job: Job): boolean {
  return Boolean(jobCondition(job, 'Complete') || jobCondition(job, 'Failed'));
}

const messages = {
  BackoffLimitExceeded: 'Job has reached the specified backoff limit',
  DeadlineExceeded: 'Job was active longer than specified deadline',
  MaxFailedIndexesExceeded: 'Job has exceeded the specified maximal number of failed indexes',
  FailedIndexes: 'Job has failed indexes',
  CompletionsReached: 'Reached expected number of succeeded pods',
} as const;

function failureTarget(reason: string, message: string): Condition {
  return { type: 'FailureTarget', status: 'True', reason, message };
}

/** Terminating pods hold back their replacement until they have failed (upstream onlyReplaceFailedPods). */
function onlyReplaceFailedPods(job: Job): boolean {
  return job.spec.podReplacementPolicy === 'Failed' || job.spec.podFailurePolicy !== undefined;
}

/** Sets a condition, keeping lastTransitionTime when the status does not change. Returns whether anything changed. */
function setCondition(conditions: Condition[], type: string, status: 'True' | 'False', reason: string, message: string, now: number): boolean {
  const existing = conditions.find((c) => c.type === type);
  if (existing && existing.status === status && existing.reason === reason && existing.message === message) return false;
  const c: Condition = { type, status, reason, message, lastProbeTime: rfc3339(now), lastTransitionTime: existing && existing.status === status ? existing.lastTransitionTime : rfc3339(now) };
  if (existing) conditions.splice(conditions.indexOf(existing), 1, c);
  else conditions.push(c);
  return true;
}

/**
 * The pod a Job creates for one completion (index given in Indexed mode; `annotations` such as
 * the index failure count added to the template's).
 */
export function podFromJobTemplate(job: Job, index?: number, annotations?: Record<string, string>): Pod {
  const t = job.spec.template ?? {};
  const name = job.metadata.name ?? '';
  const meta: Pod['metadata'] = {
    generateName: index === undefined ? `${name}-` : `${name}-${index}-`,
    namespace: job.metadata.namespace,
    labels: { ...(t.metadata?.labels ?? {}) },
    ownerReferences: [ownerReferenceFor(job, 'batch/v1', 'Job')],
  };
  if (t.metadata?.annotations) meta.annotations = { ...t.metadata.annotations };
  if (t.metadata?.finalizers) meta.finalizers = [...(t.metadata.finalizers as string[])];
  const spec = structuredClone(t.spec ?? {}) as NonNullable<Pod['spec']>;
  if (index !== undefined) {
    meta.annotations = { ...meta.annotations, ...annotations, [completionIndexKey]: String(index) };
    meta.labels = { ...meta.labels, [completionIndexKey]: String(index) };
    if (!spec.hostname) spec.hostname = `${name}-${index}`;
    const env = { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.labels['${completionIndexKey}']` } } };
    for (const list of ['initContainers', 'containers']) {
      for (const c of (spec[list] as { env?: { name: string }[] }[] | undefined) ?? []) {
        if (!(c.env ?? []).some((e) => e.name === env.name)) c.env = [...(c.env ?? []), structuredClone(env)];
      }
    }
  }
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec };
}

/** The job's pods as one reconcile sorted them. */
interface JobPods {
  active: Pod[];
  terminated: Pod[];
  /** Being deleted, not yet terminal. */
  terminatingPods: Pod[];
  failedPods: Pod[];
  outcomes: ReadonlyMap<Pod, PodFailureOutcome>;
  completedIndexes: ReadonlySet<number>;
  failedIndexes?: ReadonlySet<number>;
  succeeded: number;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class JobController implements Controller {
  readonly name = controllerName;
  readonly queue: WorkQueue<string>;
  readonly expectations: Expectations;
  readonly #o: JobControllerOptions;

  constructor(options: JobControllerOptions) {
    this.#o = options;
    this.queue = new WorkQueue<string>({ name: 'job', clock: options.clock });
    this.expectations = new Expectations(options.clock);
    options.pods.addIndexers({ [controllerUidIndex]: controllerUidIndexFunc });
    options.jobs.addEventHandler({
      onAdd: (job) => this.queue.add(metaNamespaceKey(job)),
      onUpdate: (_old, cur) => this.queue.add(metaNamespaceKey(cur)),
      onDelete: (obj) => {
        const key = obj instanceof DeletedFinalStateUnknown ? obj.key : metaNamespaceKey(obj);
        this.expectations.delete(key);
        this.queue.add(key);
      },
    });
    options.pods.addEventHandler({
      onAdd: (pod) => this.#podChanged(pod, 'add'),
      onUpdate: (old, cur) => {
        if (controllerRef(old)?.uid !== controllerRef(cur)?.uid) this.#podChanged(old, 'update');
        this.#podChanged(cur, cur.metadata.deletionTimestamp ? 'delete' : 'update');
      },
      onDelete: (obj) => this.#podChanged(obj instanceof DeletedFinalStateUnknown ? (obj.obj as Pod) : obj, 'delete'),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const synced = await Promise.all([this.#o.jobs.waitForSync(signal), this.#o.pods.waitForSync(signal)]);
    if (!synced.every(Boolean)) {
      this.queue.shutDown();
      return;
    }
    await runWorkers({ name: this.name, queue: this.queue, workers: this.#o.workers ?? 5, reconcile: (k) => this.reconcile(k), log: this.#o.log, metrics: this.#o.metrics }, signal);
  }

  #podChanged(pod: Pod, what: 'add' | 'update' | 'delete'): void {
    const namespace = pod.metadata.namespace ?? '';
    const ref = controllerRef(pod);
    if (ref) {
      if (ref.kind !== 'Job') return;
      const job = this.#o.jobs.lister.namespace(namespace).get(ref.name);
      if (!job || job.metadata.uid !== ref.uid) return;
      const key = metaNamespaceKey(job);
      if (what === 'add') this.expectations.creationObserved(key);
      if (what === 'delete') this.expectations.deletionObserved(key, metaNamespaceKey(pod));
      this.queue.add(key);
      return;
    }
    const labels = pod.metadata.labels;
    if (!labels || what === 'delete') return;
    for (const job of this.#o.jobs.lister.namespace(namespace).list()) {
      const sel = fromLabelSelector(job.spec.selector);
      if (!sel.empty && sel.matches(labels)) this.queue.add(metaNamespaceKey(job));
    }
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const job = this.#o.jobs.lister.namespace(namespace).get(name);
    if (!job) {
      this.expectations.delete(key);
      return;
    }
    if (isJobFinished(job)) return;
    const now = this.#o.clock.now();
    const pods = await this.#claimPods(job);
    const satisfied = this.expectations.satisfied(key);
    const spec = job.spec;
    const indexed = spec.completionMode === 'Indexed';
    const completions = typeof spec.completions === 'number' ? spec.completions : undefined;
    const backoffLimit = spec.backoffLimit ?? 6;
    const backoffLimitPerIndex = indexed && completions !== undefined && typeof spec.backoffLimitPerIndex === 'number' ? spec.backoffLimitPerIndex : undefined;

    const status: JobStatus = structuredClone(job.status ?? {});
    const conditions: Condition[] = status.conditions ?? [];
    let active = pods.filter(isPodActive);
    const terminated = pods.filter((p) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed');
    const terminatingPods = pods.filter((p) => p.metadata.deletionTimestamp && !terminated.includes(p));
    let terminating = terminatingPods.length;
    const succeededPods = terminated.filter((p) => p.status?.phase === 'Succeeded');
    const failedPods = terminated.filter((p) => p.status?.phase === 'Failed');
    const outcomes = new Map(failedPods.map((p) => [p, matchPodFailurePolicy(spec.podFailurePolicy, p)]));
    const failed = failedPods.filter((p) => outcomes.get(p)!.counts).length;
    const completedIndexes = new Set<number>();
    if (indexed && completions !== undefined) for (const p of succeededPods) {
      const i = podIndex(p, completions);
      if (i !== undefined) completedIndexes.add(i);
    }
    const succeeded = indexed ? completedIndexes.size : succeededPods.length;
    // Failed indexes stay failed even once their pods are gone.
    let failedIndexes: Set<number> | undefined;
    if (backoffLimitPerIndex !== undefined && completions !== undefined) {
      failedIndexes = parseIndexes(status.failedIndexes, completions);
      for (const p of failedPods) {
        const i = podIndex(p, completions);
        if (i !== undefined && !completedIndexes.has(i) && failsIndex(p, outcomes.get(p)!, backoffLimitPerIndex)) failedIndexes.add(i);
      }
    }

    const suspended = spec.suspend === true;
    if (!suspended && !status.startTime) status.startTime = rfc3339(now);

    // A failure or success decided earlier stays decided (the FailureTarget / SuccessCriteriaMet
    // conditions); otherwise decide it now, in upstream's order.
    let failure = jobCondition(job, 'FailureTarget');
    let success = jobCondition(job, 'SuccessCriteriaMet');
    const deadlineMs = spec.activeDeadlineSeconds !== undefined && status.startTime && !suspended ? Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000 : undefined;
    if (!failure && !success) {
      const failJobMessage = failedPods.map((p) => outcomes.get(p)!.failJobMessage).find((m) => m !== undefined);
      const successPolicyMessage = indexed && completions !== undefined ? matchSuccessPolicy(spec.successPolicy, completions, completedIndexes) : undefined;
      if (failJobMessage !== undefined) failure = failureTarget('PodFailurePolicy', failJobMessage);
      else if (failed > backoffLimit) failure = failureTarget('BackoffLimitExceeded', messages.BackoffLimitExceeded);
      else if (deadlineMs !== undefined && now >= deadlineMs) failure = failureTarget('DeadlineExceeded', messages.DeadlineExceeded);
      else if (failedIndexes && spec.maxFailedIndexes !== undefined && failedIndexes.size > spec.maxFailedIndexes)
        failure = failureTarget('MaxFailedIndexesExceeded', messages.MaxFailedIndexesExceeded);
      else if (failedIndexes && failedIndexes.size > 0 && failedIndexes.size + succeeded >= completions!) failure = failureTarget('FailedIndexes', messages.FailedIndexes);
      else if (successPolicyMessage !== undefined) success = { type: 'SuccessCriteriaMet', status: 'True', reason: 'SuccessPolicy', message: successPolicyMessage };
      else if (completions !== undefined ? succeeded >= completions : succeeded > 0 && active.length === 0)
        success = { type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached', message: messages.CompletionsReached };
    }

    let requeueAfterMs: number | undefined;
    let manageError: unknown;
    if (failure || success) {
      // Lingering pods are removed; the terminal condition waits until none is terminating.
      terminating += await this.#deletePods(key, job, active);
      active = [];
      setCondition(conditions, failure ? 'FailureTarget' : 'SuccessCriteriaMet', 'True', (failure ?? success)!.reason!, (failure ?? success)!.message!, now);
      if (terminating === 0) {
        if (failure) {
          setCondition(conditions, 'Failed', 'True', failure.reason!, failure.message!, now);
          this.#o.recorder.event(job, 'Warning', failure.reason!, failure.message!);
        } else {
          setCondition(conditions, 'Complete', 'True', success!.reason!, success!.message!, now);
          status.completionTime = rfc3339(now);
          this.#o.recorder.event(job, 'Normal', 'Completed', 'Job completed');
        }
      }
    } else if (suspended) {
      terminating += await this.#deletePods(key, job, active);
      active = [];
      if (setCondition(conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now)) this.#o.recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
    } else {
      if (conditions.some((c) => c.type === 'Suspended' && c.status === 'True')) {
        setCondition(conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
        this.#o.recorder.event(job, 'Normal', 'Resumed', 'Job resumed');
        status.startTime = rfc3339(now);
      }
      if (satisfied) {
        const r = await this.#managePods(key, job, { active, terminated, terminatingPods, failedPods, outcomes, completedIndexes, failedIndexes, succeeded }, now);
        active = r.active;
        terminating += r.deleted;
        requeueAfterMs = r.requeueAfterMs;
        manageError = r.error;
      }
      if (deadlineMs !== undefined) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, Math.max(0, deadlineMs - now));
    }

    status.active = active.length;
    status.ready = active.filter(isPodReady).length;
    status.succeeded = succeeded;
    status.failed = failed;
    status.terminating = terminating;
    if (indexed) status.completedIndexes = formatIndexes(completedIndexes);
    if (failedIndexes) status.failedIndexes = formatIndexes(failedIndexes);
    if (conditions.length > 0) status.conditions = conditions;
    if (suspended && !job.status?.startTime) delete status.startTime;
    await this.#updateStatus(job, status);
    if (manageError !== undefined) throw manageError;
    // Pods being deleted will be observed; nothing else changes by itself but back-off and deadline.
    if (requeueAfterMs !== undefined && Number.isFinite(requeueAfterMs)) return { requeueAfterMs: Math.max(requeueAfterMs, 1) };
  }

  async #claimPods(job: Job): Promise<Pod[]> {
    const namespace = job.metadata.namespace ?? '';
    const { client } = this.#o;
    return claimObjects<Pod>({
      owner: job,
      ownerApiVersion: 'batch/v1',
      ownerKind: 'Job',
      selector: fromLabelSelector(job.spec.selector),
      candidates: this.#o.pods.lister.namespace(namespace).list(),
      recheckOwner: async () => {
        const fresh = await client.get<Job>({ ...jobsResource, namespace, name: job.metadata.name });
        if (fresh.metadata.uid !== job.metadata.uid) throw new Error(`original Job ${namespace}/${job.metadata.name} is gone`);
        if (fresh.metadata.deletionTimestamp) throw new Error(`${namespace}/${job.metadata.name} has just been deleted`);
      },
      patch: async (pod, patch) => {
        await client.patch({ ...podsResource, namespace, name: pod.metadata.name }, patch, { type: 'strategic' });
      },
    });
  }

  async #managePods(key: string, job: Job, s: JobPods, now: number): Promise<{ active: Pod[]; deleted: number; requeueAfterMs?: number; error?: unknown }> {
    const spec = job.spec;
    const { active, completedIndexes, succeeded } = s;
    const parallelism = spec.parallelism ?? 1;
    const completions = typeof spec.completions === 'number' ? spec.completions : undefined;
    const indexed = spec.completionMode === 'Indexed' && completions !== undefined;
    const perIndex = indexed && typeof spec.backoffLimitPerIndex === 'number';
    const burst = this.#o.burst ?? 500;
    let want: number;
    if (completions === undefined) want = succeeded > 0 ? 0 : parallelism;
    else want = Math.max(0, Math.min(completions - succeeded, parallelism));

    // Surplus: pods of completed or duplicate indexes first, then the newest.
    let surplus: Pod[] = [];
    if (indexed) {
      const seen = new Set<number>();
      for (const p of [...active].sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''))) {
        const i = podIndex(p, completions);
        if (i === undefined || completedIndexes.has(i) || seen.has(i)) surplus.push(p);
        else seen.add(i);
      }
    }
    const kept = active.filter((p) => !surplus.includes(p));
    if (kept.length > want) {
      const newestFirst = [...kept].sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''));
      surplus = [...surplus, ...newestFirst.slice(0, kept.length - want)];
    }
    if (surplus.length > 0) {
      surplus = surplus.slice(0, burst);
      const deleted = await this.#deletePods(key, job, surplus);
      return { active: active.filter((p) => !surplus.includes(p)), deleted };
    }

    const waitForTerminating = onlyReplaceFailedPods(job);
    const missing = Math.min(want - active.length - (waitForTerminating ? s.terminatingPods.length : 0), burst);
    if (missing <= 0) return { active, deleted: 0 };
    // With backoffLimitPerIndex each index waits out its own back-off instead.
    if (!perIndex) {
      const wait = remainingBackoffMs(backoffRecord(s.terminated), now);
      if (wait > 0) return { active, deleted: 0, requeueAfterMs: wait };
    }

    let indexes: (number | undefined)[] = Array.from({ length: missing }, () => undefined);
    let annotations: (Record<string, string> | undefined)[] = [];
    if (indexed) {
      const indexesOf = (pods: readonly Pod[]) => pods.map((p) => podIndex(p, completions)).filter((i) => i !== undefined);
      const taken = new Set([...completedIndexes, ...(s.failedIndexes ?? []), ...indexesOf(active), ...(waitForTerminating ? indexesOf(s.terminatingPods) : [])]);
      let pending = pendingIndexes(completions, taken, missing);
      if (perIndex) {
        const replaced = podsBeingReplaced(s.failedPods, completions, taken);
        const waits = new Map(pending.map((i) => [i, remainingIndexBackoffMs(replaced.get(i), now)]));
        const due = pending.filter((i) => waits.get(i) === 0);
        if (due.length === 0) return pending.length === 0 ? { active, deleted: 0 } : { active, deleted: 0, requeueAfterMs: Math.min(...waits.values()) };
        pending = due;
        annotations = pending.map((i) => {
          const r = replaced.get(i);
          return replacementAnnotations(r, r && s.outcomes.get(r));
        });
      }
      indexes = pending;
    }
    const namespace = job.metadata.namespace ?? '';
    this.expectations.expectCreations(key, indexes.length);
    let next = 0;
    const { successes, error } = await slowStartBatch(indexes.length, 1, async () => {
      const n = next++;
      try {
        const created = await this.#o.client.create<Pod>({ ...podsResource, namespace }, podFromJobTemplate(job, indexes[n], annotations[n]));
        this.#o.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      } catch (err) {
        this.#o.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(err)}`);
        throw err;
      }
    });
    if (error !== undefined) this.expectations.lowerCreations(key, indexes.length - successes);
    return { active, deleted: 0, error };
  }

  /** Deletes pods (uid precondition); returns how many deletions were issued. */
  async #deletePods(key: string, job: Job, victims: readonly Pod[]): Promise<number> {
    if (victims.length === 0) return 0;
    const namespace = job.metadata.namespace ?? '';
    this.expectations.expectDeletions(key, victims.map(metaNamespaceKey));
    let deleted = 0;
    const results = await Promise.allSettled(
      victims.map(async (pod) => {
        try {
          await this.#o.client.delete({ ...podsResource, namespace, name: pod.metadata.name }, { preconditions: { uid: pod.metadata.uid } });
          deleted++;
          this.#o.recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        } catch (err) {
          this.expectations.deletionObserved(key, metaNamespaceKey(pod));
          if (isNotFound(err)) return;
          this.#o.recorder.event(job, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(err)}`);
          throw err;
        }
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return deleted;
  }

  async #updateStatus(job: Job, status: JobStatus): Promise<void> {
    const before = job.status ?? {};
    const norm = (s: JobStatus) => JSON.stringify([s.active ?? 0, s.ready ?? 0, s.succeeded ?? 0, s.failed ?? 0, s.terminating ?? 0, s.startTime, s.completionTime, s.completedIndexes, s.failedIndexes, s.conditions ?? []]);
    if (norm(before) === norm(status)) return;
    await writeStatus(this.#o.client, jobsResource, job, status);
  }
}
