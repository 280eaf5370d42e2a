// The Job and CronJob spec and status schemas as k8s.io/api/batch/v1 declares them, including
// the pod failure and success policies and the CronJob's job template.

import type { Schema } from '../../schema.ts';
import { bool, int32, int64, list, obj, set, str, time } from '../../schema.ts';
import { labelSelector, objectReference } from '../../core/v1/common.ts';
import { podTemplateSpec } from '../../core/v1/pod-spec.ts';
import { objectMeta } from '../../meta.ts';

export const successPolicyRule: Schema = obj(
  {
    succeededIndexes: str('succeededIndexes specifies the set of indexes which need to be contained in the actual set of the succeeded indexes for the Job.'),
    succeededCount: int32('succeededCount specifies the minimal required size of the actual set of the succeeded indexes for the Job.'),
  },
);

export const successPolicy: Schema = obj(
  {
    rules: list(successPolicyRule, 'rules represents the list of alternative rules for the declaring the Jobs as successful before `.status.succeeded >= .spec.completions`. Once any of the rules are met, the "SuccessCriteriaMet" condition is added, and the lingering pods are removed.', { 'x-kubernetes-list-type': 'atomic' }),
  },
  { required: ['rules'] },
);

export const podFailurePolicyOnPodConditionsPattern: Schema = obj(
  {
    type: str('Specifies the required Pod condition type.'),
    status: str('Specifies the required Pod condition status.'),
  },
  { required: ['type'] },
);

export const podFailurePolicyOnExitCodesRequirement: Schema = obj(
  {
    containerName: str('Restricts the check for exit codes to the container with the specified name.'),
    operator: str('Represents the relationship between the container exit code(s) and the specified values.'),
    values: set(int32(), 'Specifies the set of values.'),
  },
  { required: ['operator', 'values'] },
);

export const podFailurePolicyRule: Schema = obj(
  {
    action: str('Specifies the action taken on a pod failure when the requirements are satisfied.'),
    onExitCodes: { ...podFailurePolicyOnExitCodesRequirement, description: 'Represents the requirement on the container exit codes.' },
    onPodConditions: list(podFailurePolicyOnPodConditionsPattern, 'Represents the requirement on the pod conditions.', { 'x-kubernetes-list-type': 'atomic' }),
  },
  { required: ['action'] },
);

export const podFailurePolicy: Schema = obj(
  {
    rules: list(podFailurePolicyRule, 'A list of pod failure policy rules.', { 'x-kubernetes-list-type': 'atomic' }),
  },
  { required: ['rules'] },
);

export const jobSpec: Schema = obj(
  {
    parallelism: int32('Specifies the maximum desired number of pods the job should run at any given time.'),
    completions: int32('Specifies the desired number of successfully finished pods the job should be run with.'),
    activeDeadlineSeconds: int64('Specifies the duration in seconds relative to the startTime that the job may be continuously active before the system tries to terminate it; value must be positive integer.'),
    podFailurePolicy: { ...podFailurePolicy, description: 'Specifies the policy of handling failed pods.' },
    successPolicy: { ...successPolicy, description: 'successPolicy specifies the policy when the Job can be declared as succeeded.' },
    backoffLimit: int32('Specifies the number of retries before marking this job failed.'),
    backoffLimitPerIndex: int32('Specifies the limit for the number of retries within an index before marking this index as failed.'),
    maxFailedIndexes: int32('Specifies the maximal number of failed indexes before marking the Job as failed, when backoffLimitPerIndex is set.'),
    selector: { ...labelSelector, description: 'A label query over pods that should match the pod count.' },
    manualSelector: bool('manualSelector controls generation of pod labels and pod selectors.'),
    template: { ...podTemplateSpec, description: 'Describes the pod that will be created when executing a job.' },
    ttlSecondsAfterFinished: int32('ttlSecondsAfterFinished limits the lifetime of a Job that has finished execution (either Complete or Failed).'),
    completionMode: str('completionMode specifies how Pod completions are tracked.'),
    suspend: bool('suspend specifies whether the Job controller should create Pods or not.'),
    podReplacementPolicy: str('podReplacementPolicy specifies when to create replacement Pods.'),
    managedBy: str('ManagedBy field indicates the controller that manages a Job.'),
  },
  { required: ['template'] },
);

export const uncountedTerminatedPods: Schema = obj(
  {
    succeeded: set(str(), 'succeeded holds UIDs of succeeded Pods.'),
    failed: set(str(), 'failed holds UIDs of failed Pods.'),
  },
);

export const jobCondition: Schema = obj(
  {
    type: str('Type of job condition, Complete or Failed.'),
    status: str('Status of the condition, one of True, False, Unknown.'),
    lastProbeTime: time('Last time the condition was checked.'),
    lastTransitionTime: time('Last time the condition transit from one status to another.'),
    reason: str('(brief) reason for the condition\'s last transition.'),
    message: str('Human readable message indicating details about last transition.'),
  },
  { required: ['type', 'status'] },
);

export const jobStatus: Schema = obj(
  {
    conditions: list(jobCondition, 'The latest available observations of an object\'s current state.', { 'x-kubernetes-list-type': 'atomic', 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'type' }),
    startTime: time('Represents time when the job controller started processing a job.'),
    completionTime: time('Represents time when the job was completed.'),
    active: int32('The number of pending and running pods which are not terminating (without a deletionTimestamp).'),
    succeeded: int32('The number of pods which reached phase Succeeded.'),
    failed: int32('The number of pods which reached phase Failed.'),
    terminating: int32('The number of pods which are terminating (in phase Pending or Running and have a deletionTimestamp).'),
    completedIndexes: str('completedIndexes holds the completed indexes when .spec.completionMode = "Indexed" in a text format.'),
    failedIndexes: str('FailedIndexes holds the failed indexes when spec.backoffLimitPerIndex is set.'),
    uncountedTerminatedPods: { ...uncountedTerminatedPods, description: 'uncountedTerminatedPods holds the UIDs of Pods that have terminated but the job controller hasn\'t yet accounted for in the status counters.' },
    ready: int32('The number of active pods which have a Ready condition and are not terminating (without a deletionTimestamp).'),
  },
);

export const jobTemplateSpec: Schema = obj(
  {
    metadata: { ...objectMeta, description: 'Standard object\'s metadata of the jobs created from this template.' },
    spec: { ...jobSpec, description: 'Specification of the desired behavior of the job.' },
  },
);

export const cronJobSpec: Schema = obj(
  {
    schedule: str('The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    timeZone: str('The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.'),
    startingDeadlineSeconds: int64('Optional deadline in seconds for starting the job if it misses scheduled time for any reason.'),
    concurrencyPolicy: str('Specifies how to treat concurrent executions of a Job.'),
    suspend: bool('This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.'),
    jobTemplate: { ...jobTemplateSpec, description: 'Specifies the job that will be created when executing a CronJob.' },
    successfulJobsHistoryLimit: int32('The number of successful finished jobs to retain.'),
    failedJobsHistoryLimit: int32('The number of failed finished jobs to retain.'),
  },
  { required: ['schedule', 'jobTemplate'] },
);

export const cronJobStatus: Schema = obj(
  {
    active: list(objectReference, 'A list of pointers to currently running jobs.', { 'x-kubernetes-list-type': 'atomic' }),
    lastScheduleTime: time('Information when was the last time the job was successfully scheduled.'),
    lastSuccessfulTime: time('Information when was the last time the job successfully completed.'),
  },
);
