// policy/v1 PodDisruptionBudget (pdb): how many pods of a set voluntary disruptions (eviction,
// drain) may take down. Spec validation with upstream's messages, status written by the
// disruption controller through /status, generation counting spec changes, and the
// MIN AVAILABLE / MAX UNAVAILABLE / ALLOWED DISRUPTIONS / AGE table.

import type { StatusCause } from '../../../machinery/status.ts';
import type { KindDefinition, KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import type { Schema } from '../../schema.ts';
import { int32, int64, intOrString, listMap, mapOf, obj, str, time } from '../../schema.ts';
import { creationTimestampDescription, translateTimestampSince } from '../../meta/v1/age.ts';
import { conditionSchema } from '../../meta/v1/condition.ts';
import { invalid, notSupported } from '../../meta/v1/field.ts';
import { labelSelectorSchema, validateLabelSelector } from '../../meta/v1/label-selector.ts';
import { num, obj as asObject, optStr } from '../../meta/v1/unstructured.ts';
import { intOrStringText, validateNotMoreThan100Percent, validatePositiveIntOrPercent } from './int-or-percent.ts';

export const podDisruptionBudgetSpecSchema: Schema = obj(
  {
    minAvailable: intOrString(
      'An eviction is allowed if at least "minAvailable" pods selected by "selector" will still be available after the eviction, i.e. even in the absence of the evicted pod.  So for example you can prevent all voluntary evictions by specifying "100%".',
    ),
    selector: {
      ...labelSelectorSchema,
      description: 'Label query over pods whose evictions are managed by the disruption budget. A null selector will match no pods, while an empty ({}) selector will select all pods within the namespace.',
      'x-kubernetes-patch-strategy': 'replace',
    },
    maxUnavailable: intOrString(
      'An eviction is allowed if at most "maxUnavailable" pods selected by "selector" are unavailable after the eviction, i.e. even in absence of the evicted pod. For example, one can prevent all voluntary evictions by specifying 0. This is a mutually exclusive setting with "minAvailable".',
    ),
    unhealthyPodEvictionPolicy: str(
      'UnhealthyPodEvictionPolicy defines the criteria for when unhealthy pods should be considered for eviction. Current implementation considers healthy pods, as pods that have status.conditions item with type="Ready",status="True".\n\nValid policies are IfHealthyBudget and AlwaysAllow. If no policy is specified, the default behavior will be used, which corresponds to the IfHealthyBudget policy.',
    ),
  },
  { description: 'PodDisruptionBudgetSpec is a description of a PodDisruptionBudget.' },
);

export const podDisruptionBudgetStatusSchema: Schema = obj(
  {
    observedGeneration: int64('Most recent generation observed when updating this PDB status. DisruptionsAllowed and other status information is valid only if observedGeneration equals to PDB\'s object generation.'),
    disruptedPods: mapOf(
      time(),
      'DisruptedPods contains information about pods whose eviction was processed by the API server eviction subresource handler but has not yet been observed by the PodDisruptionBudget controller. A pod will be in this map from the time when the API server processed the eviction request to the time when the pod is seen by PDB controller as having been marked for deletion (or after a timeout). The key in the map is the name of the pod and the value is the time when the API server processed the eviction request. If the deletion didn\'t occur and a pod is still there it will be removed from the list automatically by PodDisruptionBudget controller after some time. If everything goes smooth this map should be empty for the most of the time. Large number of entries in the map may indicate problems with pod deletions.',
    ),
    disruptionsAllowed: int32('Number of pod disruptions that are currently allowed.'),
    currentHealthy: int32('current number of healthy pods'),
    desiredHealthy: int32('minimum desired number of healthy pods'),
    expectedPods: int32('total number of pods counted by this disruption budget'),
    conditions: listMap(
      conditionSchema,
      ['type'],
      'Conditions contain conditions for PDB. The disruption controller sets the DisruptionAllowed condition. The following are known values for the reason field (additional reasons could be added in the future): - SyncFailed: The controller encountered an error and wasn\'t able to compute the number of allowed disruptions. Therefore no disruptions are allowed and the status of the condition will be False. - InsufficientPods: The number of pods are either at or below the number required by the PodDisruptionBudget. No disruptions are allowed and the status of the condition will be False. - SufficientPods: There are more pods than required by the PodDisruptionBudget. The condition will be True, and the number of allowed disruptions are provided by the disruptionsAllowed property.',
    ),
  },
  {
    description: 'PodDisruptionBudgetStatus represents information about the status of a PodDisruptionBudget. Status may trail the actual state of a system.',
    required: ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'],
  },
);

export const podDisruptionBudgetSchema: Schema = kindSchema(
  'PodDisruptionBudget is an object to define the max disruption that can be caused to a collection of pods',
  {
    spec: { ...podDisruptionBudgetSpecSchema, description: 'Specification of the desired behavior of the PodDisruptionBudget.' },
    status: { ...podDisruptionBudgetStatusSchema, description: 'Most recently observed status of the PodDisruptionBudget.' },
  },
);

const unhealthyPodEvictionPolicies = ['AlwaysAllow', 'IfHealthyBudget'];

function validate(object: KubeObject): StatusCause[] {
  const spec = asObject(object.spec);
  const errs: StatusCause[] = [];
  const hasMin = spec.minAvailable !== undefined && spec.minAvailable !== null;
  const hasMax = spec.maxUnavailable !== undefined && spec.maxUnavailable !== null;
  if (hasMin && hasMax) errs.push(invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  if (hasMin) {
    errs.push(...validatePositiveIntOrPercent(spec.minAvailable, 'spec.minAvailable'));
    errs.push(...validateNotMoreThan100Percent(spec.minAvailable, 'spec.minAvailable'));
  }
  if (hasMax) {
    errs.push(...validatePositiveIntOrPercent(spec.maxUnavailable, 'spec.maxUnavailable'));
    errs.push(...validateNotMoreThan100Percent(spec.maxUnavailable, 'spec.maxUnavailable'));
  }
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const policy = optStr(spec.unhealthyPodEvictionPolicy);
  if (policy !== undefined && !unhealthyPodEvictionPolicies.includes(policy)) {
    errs.push(notSupported('spec.unhealthyPodEvictionPolicy', policy, unhealthyPodEvictionPolicies));
  }
  return errs;
}

// A new budget starts with the zero status, as upstream serializes it.
function prepareForCreate(object: KubeObject): void {
  object.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
}

function orNA(value: unknown): string {
  return value === undefined || value === null ? 'N/A' : intOrStringText(value);
}

export const podDisruptionBudget: KindDefinition = {
  group: 'policy',
  version: 'v1',
  kind: 'PodDisruptionBudget',
  resource: 'poddisruptionbudgets',
  namespaced: true,
  shortNames: ['pdb'],
  schema: podDisruptionBudgetSchema,
  status: true,
  generation: true,
  table: {
    columns: [
      { name: 'Min Available', type: 'string', description: 'The minimum number of pods that must be available.', priority: 0 },
      { name: 'Max Unavailable', type: 'string', description: 'The maximum number of pods that may be unavailable.', priority: 0 },
      { name: 'Allowed Disruptions', type: 'integer', description: 'Calculated number of pods that may be disrupted at this time.', priority: 0 },
      { name: 'Age', type: 'string', description: creationTimestampDescription, priority: 0 },
    ],
    cells: (object, now) => {
      const spec = asObject(object.spec);
      return [
        orNA(spec.minAvailable),
        orNA(spec.maxUnavailable),
        num(asObject(object.status).disruptionsAllowed) ?? 0,
        translateTimestampSince(object.metadata?.creationTimestamp, now),
      ];
    },
  },
  strategy: { validate, prepareForCreate },
};
