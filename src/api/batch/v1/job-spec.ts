// JobSpec rules that Jobs and CronJob job templates share (validateJobSpec upstream): counts
// that may not be negative, completion modes, pod replacement and failure policies, and a pod
// template whose restartPolicy is OnFailure or Never.

import type { StatusCause } from '../../../machinery/status.ts';
import { invalid, nonNegative, notSupported, omitValue, required, tooMany } from '../../core/v1/field-errors.ts';
import type { JSONObject } from '../../core/v1/json.ts';
import { isRecord, rec, records, str } from '../../core/v1/json.ts';
import { validatePodTemplateSpec } from '../../core/v1/pod-validation.ts';

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
      if (typeof spec.parallelism === 'number' && spec.parallelism > 100000)
        errs.push(invalid(`${field}.parallelism`, spec.parallelism, 'must be less than or equal to 100000 when completion mode is Indexed'));
      if (typeof spec.completions === 'number' && typeof spec.maxFailedIndexes === 'number' && spec.maxFailedIndexes > spec.completions)
        errs.push(invalid(`${field}.maxFailedIndexes`, spec.maxFailedIndexes, 'must be less than or equal to completions'));
    }
  }
  if (mode === undefined || mode === null || mode === 'NonIndexed') {
    if (typeof spec.backoffLimitPerIndex === 'number') errs.push(invalid(`${field}.backoffLimitPerIndex`, spec.backoffLimitPerIndex, 'requires indexed completion mode'));
    if (typeof spec.maxFailedIndexes === 'number') errs.push(invalid(`${field}.maxFailedIndexes`, spec.maxFailedIndexes, 'requires indexed completion mode'));
  }
  const failurePolicy = spec.podFailurePolicy;
  if (isRecord(failurePolicy)) {
    const rules = records(failurePolicy.rules);
    if (rules.length > 20) errs.push(tooMany(`${field}.podFailurePolicy.rules`, rules.length, 20));
    rules.forEach((rule, i) => {
      const p = `${field}.podFailurePolicy.rules[${i}]`;
      const actions = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
      if (!str(rule.action)) errs.push(required(`${p}.action`, `valid values: ${JSON.stringify(actions).replace(/,/g, ' ')}`));
      else if (!actions.includes(str(rule.action))) errs.push(notSupported(`${p}.action`, rule.action, actions));
      const hasExit = isRecord(rule.onExitCodes);
      const hasConditions = records(rule.onPodConditions).length > 0;
      if (hasExit && hasConditions) errs.push(invalid(p, omitValue, 'specifying both OnExitCodes and OnPodConditions is not supported'));
      if (!hasExit && !hasConditions) errs.push(invalid(p, omitValue, 'specifying one of OnExitCodes and OnPodConditions is required'));
    });
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
