// JobSpec rules that Jobs and CronJob job templates share (validateJobSpec upstream): counts
// that may not be negative, completion modes and the per-index limits that need Indexed, the pod
// failure policy and the success policy (Indexed only; see job-policies-validation.ts),
// pod replacement, and a pod template whose restartPolicy is OnFailure or Never (Never only
// with a pod failure policy).

import type { StatusCause } from '../../../machinery/status.ts';
import { invalid, nonNegative, notSupported, required } from '../../core/v1/field-errors.ts';
import type { JSONObject } from '../../core/v1/json.ts';
import { isRecord, rec, str } from '../../core/v1/json.ts';
import { validatePodTemplateSpec } from '../../core/v1/pod-validation.ts';
import { validatePodFailurePolicy, validateSuccessPolicy } from './job-policies-validation.ts';

// Caps that keep status.completedIndexes and status.failedIndexes short.
const maxParallelismForIndexed = 100_000;
const maxFailedIndexesForIndexed = 100_000;
const completionsSoftLimit = 100_000;
const parallelismLimitForHighCompletions = 10_000;
const maxFailedIndexesLimitForHighCompletions = 10_000;

export function validateJobSpec(spec: JSONObject, field: string): StatusCause[] {
  const errs: StatusCause[] = [];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex'])
    errs.push(...nonNegative(spec[f], `${field}.${f}`));
  if (spec.maxFailedIndexes !== undefined && spec.maxFailedIndexes !== null) {
    errs.push(...nonNegative(spec.maxFailedIndexes, `${field}.maxFailedIndexes`));
    if (spec.backoffLimitPerIndex === undefined || spec.backoffLimitPerIndex === null)
      errs.push(required(`${field}.backoffLimitPerIndex`, 'when maxFailedIndexes is specified'));
  }
  const mode = spec.completionMode;
  if (mode !== undefined && mode !== null) {
    if (mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(notSupported(`${field}.completionMode`, mode, ['NonIndexed', 'Indexed']));
    if (mode === 'Indexed') {
      if (spec.completions === undefined || spec.completions === null) errs.push(required(`${field}.completions`, 'when completion mode is Indexed'));
      if (typeof spec.parallelism === 'number' && spec.parallelism > maxParallelismForIndexed)
        errs.push(invalid(`${field}.parallelism`, spec.parallelism, `must be less than or equal to ${maxParallelismForIndexed} when completion mode is Indexed`));
      if (typeof spec.completions === 'number' && typeof spec.maxFailedIndexes === 'number' && spec.maxFailedIndexes > spec.completions)
        errs.push(invalid(`${field}.maxFailedIndexes`, spec.maxFailedIndexes, 'must be less than or equal to completions'));
      if (typeof spec.maxFailedIndexes === 'number' && spec.maxFailedIndexes > maxFailedIndexesForIndexed)
        errs.push(invalid(`${field}.maxFailedIndexes`, spec.maxFailedIndexes, `must be less than or equal to ${maxFailedIndexesForIndexed}`));
      if (typeof spec.completions === 'number' && spec.completions > completionsSoftLimit && typeof spec.backoffLimitPerIndex === 'number') {
        const when = `when completions are above ${completionsSoftLimit} and used with backoff limit per index`;
        if (typeof spec.maxFailedIndexes !== 'number') errs.push(required(`${field}.maxFailedIndexes`, `must be specified when completions is above ${completionsSoftLimit}`));
        if (typeof spec.parallelism === 'number' && spec.parallelism > parallelismLimitForHighCompletions)
          errs.push(invalid(`${field}.parallelism`, spec.parallelism, `must be less than or equal to ${parallelismLimitForHighCompletions} ${when}`));
        if (typeof spec.maxFailedIndexes === 'number' && spec.maxFailedIndexes > maxFailedIndexesLimitForHighCompletions)
          errs.push(invalid(`${field}.maxFailedIndexes`, spec.maxFailedIndexes, `must be less than or equal to ${maxFailedIndexesLimitForHighCompletions} ${when}`));
      }
    }
  }
  if (mode === undefined || mode === null || mode === 'NonIndexed') {
    if (typeof spec.backoffLimitPerIndex === 'number') errs.push(invalid(`${field}.backoffLimitPerIndex`, spec.backoffLimitPerIndex, 'requires indexed completion mode'));
    if (typeof spec.maxFailedIndexes === 'number') errs.push(invalid(`${field}.maxFailedIndexes`, spec.maxFailedIndexes, 'requires indexed completion mode'));
  }
  const failurePolicy = spec.podFailurePolicy;
  if (isRecord(failurePolicy)) errs.push(...validatePodFailurePolicy(spec, `${field}.podFailurePolicy`));
  if (isRecord(spec.successPolicy)) {
    if (mode !== 'Indexed') errs.push(invalid(`${field}.successPolicy`, spec.successPolicy, 'requires indexed completion mode'));
    else errs.push(...validateSuccessPolicy(spec, `${field}.successPolicy`));
  }
  if (spec.podReplacementPolicy !== undefined && spec.podReplacementPolicy !== null) {
    if (isRecord(failurePolicy)) {
      if (spec.podReplacementPolicy !== 'Failed') errs.push(notSupported(`${field}.podReplacementPolicy`, spec.podReplacementPolicy, ['Failed']));
    } else if (!['Failed', 'TerminatingOrFailed'].includes(str(spec.podReplacementPolicy))) {
      errs.push(notSupported(`${field}.podReplacementPolicy`, spec.podReplacementPolicy, ['Failed', 'TerminatingOrFailed']));
    }
  }
  errs.push(...validatePodTemplateSpec(spec.template, `${field}.template`));
  const restartPolicy = rec(rec(spec.template).spec).restartPolicy;
  if (restartPolicy === 'Always' || !restartPolicy) {
    errs.push(required(`${field}.template.spec.restartPolicy`, 'valid values: "OnFailure", "Never"'));
  } else if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') {
    errs.push(notSupported(`${field}.template.spec.restartPolicy`, restartPolicy, ['OnFailure', 'Never']));
  } else if (isRecord(failurePolicy) && restartPolicy !== 'Never') {
    errs.push(invalid(`${field}.template.spec.restartPolicy`, restartPolicy, 'only "Never" is supported when podFailurePolicy is specified'));
  }
  return errs;
}
