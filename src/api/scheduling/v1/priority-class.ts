// scheduling.k8s.io/v1 PriorityClass (pc): cluster-scoped name -> pod priority. Upstream's
// default (preemptionPolicy PreemptLowerPriority), validation (reserved "system-" names,
// user values at most one billion, immutable value and preemptionPolicy), generation 1 on
// create (never bumped), and the VALUE / GLOBAL-DEFAULT / AGE / PREEMPTIONPOLICY table.

import type { StatusCause } from '../../../machinery/status.ts';
import type { KindDefinition, KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import type { Schema } from '../../schema.ts';
import { bool, int32, str } from '../../schema.ts';
import { creationTimestampDescription, translateTimestampSince } from '../../meta/v1/age.ts';
import { forbidden, notSupported, required, validateImmutableField } from '../../meta/v1/field.ts';
import { num, optStr } from '../../meta/v1/unstructured.ts';

export const highestUserDefinablePriority = 1_000_000_000;
export const systemCriticalPriority = 2 * highestUserDefinablePriority;
const systemPriorityClassPrefix = 'system-';

/** The two classes the API server creates at startup; "system-" names are reserved for them. */
export const systemPriorityClasses = [
  { name: 'system-node-critical', value: systemCriticalPriority + 1000, globalDefault: false, description: 'Used for system critical pods that must not be moved from their current node.' },
  {
    name: 'system-cluster-critical',
    value: systemCriticalPriority,
    globalDefault: false,
    description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
  },
] as const;

const valueDescription =
  'value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec.';
const globalDefaultDescription =
  'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority.';
const preemptionPolicyDescription =
  'preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.';

export const priorityClassSchema: Schema = kindSchema(
  'PriorityClass defines mapping from a priority class name to the priority integer value. The value can be any valid integer.',
  {
    value: int32(valueDescription),
    globalDefault: bool(globalDefaultDescription),
    description: str('description is an arbitrary string that usually provides guidelines on when this priority class should be used.'),
    preemptionPolicy: str(preemptionPolicyDescription),
  },
  ['value'],
);

const preemptionPolicies = ['PreemptLowerPriority', 'Never'];

function knownSystemClassError(name: string, value: number, globalDefault: boolean): string | undefined {
  const known = systemPriorityClasses.find((c) => c.name === name);
  if (!known) return `${name} is not a known system priority class`;
  if (known.value !== value) return `value of ${known.name} PriorityClass must be ${known.value}`;
  if (known.globalDefault !== globalDefault) return `globalDefault of ${known.name} PriorityClass must be ${known.globalDefault}`;
  return undefined;
}

function validate(object: KubeObject): StatusCause[] {
  const errs: StatusCause[] = [];
  const name = object.metadata?.name ?? '';
  const value = num(object.value) ?? 0;
  if (name.startsWith(systemPriorityClassPrefix)) {
    const err = knownSystemClassError(name, value, object.globalDefault === true);
    if (err) errs.push(forbidden('metadata.name', `priority class names with '${systemPriorityClassPrefix}' prefix are reserved for system use only. error: ${err}`));
  } else if (value > highestUserDefinablePriority) {
    errs.push(forbidden('value', `maximum allowed value of a user defined priority is ${highestUserDefinablePriority}`));
  }
  const policy = optStr(object.preemptionPolicy);
  if (policy === '') errs.push(required('preemptionPolicy'));
  else if (policy !== undefined && !preemptionPolicies.includes(policy)) errs.push(notSupported('preemptionPolicy', policy, preemptionPolicies));
  return errs;
}

function validateUpdate(object: KubeObject, old: KubeObject): StatusCause[] {
  const errs: StatusCause[] = [];
  if ((num(object.value) ?? 0) !== (num(old.value) ?? 0)) errs.push(forbidden('value', 'may not be changed in an update.'));
  errs.push(...validateImmutableField(object.preemptionPolicy, old.preemptionPolicy, 'preemptionPolicy'));
  return errs;
}

export const priorityClass: KindDefinition = {
  group: 'scheduling.k8s.io',
  version: 'v1',
  kind: 'PriorityClass',
  resource: 'priorityclasses',
  namespaced: false,
  shortNames: ['pc'],
  schema: priorityClassSchema,
  table: {
    columns: [
      { name: 'Value', type: 'integer', description: valueDescription, priority: 0 },
      { name: 'Global-Default', type: 'boolean', description: globalDefaultDescription, priority: 0 },
      { name: 'Age', type: 'string', description: creationTimestampDescription, priority: 0 },
      { name: 'PreemptionPolicy', type: 'string', description: preemptionPolicyDescription, priority: 0 },
    ],
    cells: (object, now) => [
      num(object.value) ?? 0,
      object.globalDefault === true,
      translateTimestampSince(object.metadata?.creationTimestamp, now),
      optStr(object.preemptionPolicy) ?? '',
    ],
  },
  strategy: {
    defaults: (object) => {
      object.preemptionPolicy ??= 'PreemptLowerPriority';
    },
    validate,
    validateUpdate,
    // Upstream sets generation 1 on create and never bumps it.
    prepareForCreate: (object) => {
      (object.metadata ??= {}).generation = 1;
    },
  },
};
