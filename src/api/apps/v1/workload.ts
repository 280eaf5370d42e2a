// What the apps/v1 workloads share: selector rules (required, non-empty, matching the template's
// labels, immutable once created), pod template rules for controllers that keep pods running
// (restartPolicy Always, no activeDeadlineSeconds), int-or-percent rolling update fields, and
// the table cells of their pod templates.

import type { StatusCause } from '../../../machinery/status.ts';
import type { KubeObject } from '../../kind.ts';
import { containerCells } from '../../printing.ts';
import { child, deepEqual, fieldImmutable, forbidden, invalid, nonNegative, notSupported, required, selectorValue, sortedMap } from '../../core/v1/field-errors.ts';
import type { JSONObject } from '../../core/v1/json.ts';
import { isRecord, rec, str } from '../../core/v1/json.ts';
import { labelSelectorEmpty, labelSelectorMatches, labelSelectorValid } from '../../core/v1/label-selector.ts';
import { isValidPercent } from '../../core/v1/names.ts';
import { validateLabelSelector } from '../../core/v1/object-meta.ts';
import { validatePodTemplateSpec } from '../../core/v1/pod-validation.ts';

/** The selector of a Deployment, ReplicaSet or StatefulSet: required, valid and not empty. */
export function validateRequiredSelector(spec: JSONObject, kindWord: string): StatusCause[] {
  if (!isRecord(spec.selector)) return [required('spec.selector')];
  const errs = validateLabelSelector(spec.selector, 'spec.selector');
  if (labelSelectorEmpty(spec.selector)) errs.push(invalid('spec.selector', selectorValue(spec.selector), `empty selector is invalid for ${kindWord}`));
  return errs;
}

/**
 * The template's labels must be selected by the selector. An empty selector is exempt; a
 * missing one selects nothing, so it never matches (as upstream reports).
 */
export function selectorMatchesTemplate(selector: unknown, template: JSONObject, field: string): StatusCause[] {
  if (isRecord(selector) && (labelSelectorEmpty(selector) || !labelSelectorValid(selector))) return [];
  const labels = rec(template.metadata).labels;
  if (labelSelectorMatches(selector, labels)) return [];
  return [invalid(child(field, 'metadata', 'labels'), isRecord(labels) ? sortedMap(labels) : null, '`selector` does not match template `labels`')];
}

/** ValidatePodTemplateSpecForReplicaSet (Deployments use it too, with the same message). */
export function validateTemplateForReplicaSet(spec: JSONObject): StatusCause[] {
  if (!isRecord(spec.template)) return [required('spec.template')];
  if (isRecord(spec.selector) && !labelSelectorValid(spec.selector)) return [invalid('spec.selector', selectorValue(spec.selector), 'invalid label selector')];
  const errs = selectorMatchesTemplate(spec.selector, spec.template, 'spec.template');
  errs.push(...validatePodTemplateSpec(spec.template, 'spec.template'));
  errs.push(...alwaysRestart(spec.template, 'ReplicaSet'));
  return errs;
}

/** Controllers that keep pods running: restartPolicy Always and no active deadline. */
export function alwaysRestart(template: unknown, kind: string): StatusCause[] {
  const tspec = rec(rec(template).spec);
  const errs: StatusCause[] = [];
  if (tspec.restartPolicy !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', str(tspec.restartPolicy), ['Always']));
  if (tspec.activeDeadlineSeconds !== undefined && tspec.activeDeadlineSeconds !== null)
    errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', `activeDeadlineSeconds in ${kind} is not Supported`));
  return errs;
}

/** The selector of an apps/v1 object may not change. */
export function selectorImmutable(object: KubeObject, old: KubeObject): StatusCause[] {
  const selector = rec(object.spec).selector;
  return deepEqual(selector, rec(old.spec).selector) ? [] : [invalid('spec.selector', selectorValue(selector), fieldImmutable)];
}

function percentValue(v: unknown): number | undefined {
  if (typeof v !== 'string' || isValidPercent(v).length) return undefined;
  return Number(v.slice(0, -1));
}

/** getIntOrPercentValue. */
export function intOrPercentValue(v: unknown): number {
  const p = percentValue(v);
  if (p !== undefined) return p;
  return typeof v === 'number' ? v : 0;
}

/** ValidatePositiveIntOrPercent. */
export function validatePositiveIntOrPercent(v: unknown, field: string): StatusCause[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => invalid(field, v, m));
  if (typeof v === 'number') return nonNegative(v, field);
  return [invalid(field, v ?? null, "must be an integer or percentage (e.g '5%')")];
}

/** IsNotMoreThan100Percent. */
export function notMoreThan100Percent(v: unknown, field: string): StatusCause[] {
  const p = percentValue(v);
  return p !== undefined && p > 100 ? [invalid(field, v, 'must not be greater than 100%')] : [];
}

/** The CONTAINERS and IMAGES cells of a workload's pod template. */
export function templateCells(object: KubeObject): [string, string] {
  return containerCells(rec(rec(rec(object.spec).template).spec).containers);
}
