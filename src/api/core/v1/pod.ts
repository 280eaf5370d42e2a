// The Pod kind: schema, defaulting, validation (create and the narrow set of updates upstream
// allows), status handling (Pending and the QoS class on create, kept on spec updates), field
// selectors, and the `kubectl get pods` table with upstream's STATUS and RESTARTS computations.

import type { StatusCause } from '../../../machinery/status.ts';
import type { ColumnDefinition, KindDefinition, KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import { age, ageColumn, humanDuration, parseTime } from '../../printing.ts';
import { child, deepEqual, forbidden, goJSON, index, invalid, required } from './field-errors.ts';
import type { JSONObject } from './json.ts';
import { ensure, isRecord, rec, records, str } from './json.ts';
import { inclusiveRangeError, nameIsDNSSubdomain } from './names.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';
import { defaultPod } from './pod-defaults.ts';
import { podSpec } from './pod-spec.ts';
import { podStatus } from './pod-status.ts';
import { validatePodSpec, validateTolerations } from './pod-validation.ts';
import { computePodQOS } from './qos.ts';

export const podSchema = kindSchema(
  'Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.',
  {
    spec: { ...podSpec, description: 'Specification of the desired behavior of the pod.' },
    status: { ...podStatus, description: 'Most recently observed status of the pod.' },
  },
);

export const podColumns: ColumnDefinition[] = [
  { name: 'Ready', type: 'string', priority: 0, description: 'The aggregate readiness state of this pod for accepting traffic.' },
  { name: 'Status', type: 'string', priority: 0, description: 'The aggregate status of the containers in this pod.' },
  {
    name: 'Restarts',
    type: 'string',
    priority: 0,
    description: 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
  },
  ageColumn,
  {
    name: 'IP',
    type: 'string',
    priority: 1,
    description: 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
  },
  {
    name: 'Node',
    type: 'string',
    priority: 1,
    description:
      'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename',
  },
  {
    name: 'Nominated Node',
    type: 'string',
    priority: 1,
    description:
      'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.',
  },
  {
    name: 'Readiness Gates',
    type: 'string',
    priority: 1,
    description:
      'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates',
  },
];

function conditionTrue(status: JSONObject, type: string): boolean {
  const c = records(status.conditions).find((x) => x.type === type);
  return c?.status === 'True';
}

function finishedAt(state: unknown): number | undefined {
  return parseTime(rec(rec(state).terminated).finishedAt);
}

/** printPod's READY, STATUS and RESTARTS cells. */
export function podStatusCells(pod: KubeObject, now: number): { ready: string; reason: string; restarts: string } {
  const spec = rec(pod.spec);
  const status = rec(pod.status);
  const initSpecs = records(spec.initContainers);
  const restartable = new Set(initSpecs.filter((c) => c.restartPolicy === 'Always').map((c) => str(c.name)));
  const total = records(spec.containers).length + restartable.size;
  let ready = 0;
  let restarts = 0;
  let restartableRestarts = 0;
  let lastRestart: number | undefined;
  let lastRestartableRestart: number | undefined;
  const later = (a: number | undefined, b: number | undefined) => (b !== undefined && (a === undefined || b > a) ? b : a);

  let reason = str(status.reason) || str(status.phase);
  for (const c of records(status.conditions)) if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';

  let initializing = false;
  const initStatuses = records(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    const count = Number(c.restartCount ?? 0);
    restarts += count;
    lastRestart = later(lastRestart, finishedAt(c.lastState));
    const isRestartable = restartable.has(str(c.name));
    if (isRestartable) {
      restartableRestarts += count;
      lastRestartableRestart = later(lastRestartableRestart, finishedAt(c.lastState));
    }
    const state = rec(c.state);
    const terminated = isRecord(state.terminated) ? state.terminated : undefined;
    const waiting = isRecord(state.waiting) ? state.waiting : undefined;
    if (terminated && Number(terminated.exitCode ?? 0) === 0) continue;
    if (isRestartable && c.started === true) {
      if (c.ready === true) ready++;
      continue;
    }
    if (terminated) {
      if (!str(terminated.reason)) {
        reason = Number(terminated.signal ?? 0) !== 0 ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode ?? 0}`;
      } else {
        reason = `Init:${str(terminated.reason)}`;
      }
    } else if (waiting && str(waiting.reason) && waiting.reason !== 'PodInitializing') {
      reason = `Init:${str(waiting.reason)}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status, 'Initialized')) {
    restarts = restartableRestarts;
    lastRestart = lastRestartableRestart;
    let hasRunning = false;
    const statuses = records(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += Number(c.restartCount ?? 0);
      lastRestart = later(lastRestart, finishedAt(c.lastState));
      const state = rec(c.state);
      const waiting = isRecord(state.waiting) ? state.waiting : undefined;
      const terminated = isRecord(state.terminated) ? state.terminated : undefined;
      if (waiting && str(waiting.reason)) reason = str(waiting.reason);
      else if (terminated && str(terminated.reason)) reason = str(terminated.reason);
      else if (terminated)
        reason = Number(terminated.signal ?? 0) !== 0 ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
      else if (c.ready === true && isRecord(state.running)) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(status, 'Ready') ? 'Running' : 'NotReady';
  }

  const deleting = Boolean(pod.metadata?.deletionTimestamp);
  const terminal = status.phase === 'Succeeded' || status.phase === 'Failed';
  if (deleting && status.reason === 'NodeLost') reason = 'Unknown';
  else if (deleting && !terminal) reason = 'Terminating';

  let restartsCell = String(restarts);
  if (restarts !== 0 && lastRestart !== undefined) restartsCell = `${restarts} (${humanDuration(now - lastRestart)} ago)`;
  return { ready: `${ready}/${total}`, reason, restarts: restartsCell };
}

function podCells(pod: KubeObject, now: number): unknown[] {
  const { ready, reason, restarts } = podStatusCells(pod, now);
  const spec = rec(pod.spec);
  const status = rec(pod.status);
  const podIP = str(records(status.podIPs)[0]?.ip) || '<none>';
  const gates = records(spec.readinessGates);
  let readinessGates = '<none>';
  if (gates.length > 0) {
    let trueCount = 0;
    for (const g of gates) {
      const c = records(status.conditions).find((x) => x.type === g.conditionType);
      if (c?.status === 'True') trueCount++;
    }
    readinessGates = `${trueCount}/${gates.length}`;
  }
  return [
    ready,
    reason,
    restarts,
    age(pod, now),
    podIP,
    str(spec.nodeName) || '<none>',
    str(status.nominatedNodeName) || '<none>',
    readinessGates,
  ];
}

const updatablePodSpecFields = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function imageWhitespace(containers: JSONObject[], field: string): StatusCause[] {
  const errs: StatusCause[] = [];
  containers.forEach((c, i) => {
    const image = str(c.image);
    if (image.length !== image.trim().length) errs.push(invalid(child(index(field, i), 'image'), image, 'must not have leading or trailing whitespace'));
  });
  return errs;
}

/** validatePodMetadataAndSpec: metadata, spec and the checks only pods (not templates) get. */
function validatePodMetadataAndSpec(pod: KubeObject): StatusCause[] {
  const spec = rec(pod.spec);
  const errs = validateObjectMeta(pod, true, nameIsDNSSubdomain);
  const annotations = rec(pod.metadata?.annotations);
  if ('kubernetes.io/config.mirror' in annotations && !str(spec.nodeName))
    errs.push(invalid('metadata.annotations[kubernetes.io/config.mirror]', String(annotations['kubernetes.io/config.mirror']), 'must set spec.nodeName if mirror pod annotation is set'));
  errs.push(...validatePodSpec(spec, 'spec', { resourceIsPod: true }));
  if (!str(spec.serviceAccountName)) {
    records(spec.volumes).forEach((v, vi) => {
      records(rec(v.projected).sources).forEach((s, si) => {
        if (isRecord(s.serviceAccountToken))
          errs.push(forbidden(`spec.volumes[${vi}].projected.sources[${si}].serviceAccountToken`, 'must not be specified when serviceAccountName is not set'));
      });
    });
  }
  errs.push(...imageWhitespace(records(spec.containers), 'spec.containers'));
  errs.push(...imageWhitespace(records(spec.initContainers), 'spec.initContainers'));
  return errs;
}

/**
 * Validation of a pod being created or updated. The create-only rules apply when the object
 * carries no resourceVersion (a create never does; an update always does).
 */
export function validatePod(pod: KubeObject): StatusCause[] {
  const errs = validatePodMetadataAndSpec(pod);
  if (!pod.metadata?.resourceVersion) {
    const spec = rec(pod.spec);
    if (records(spec.ephemeralContainers).length > 0) errs.push(forbidden('spec.ephemeralContainers', 'cannot be set on create'));
    if (str(spec.nodeName) && records(spec.schedulingGates).length > 0)
      errs.push(forbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared'));
  }
  return errs;
}

function containerUpdates(next: JSONObject[], old: JSONObject[], field: string): { errs: StatusCause[]; stop: boolean } {
  if (next.length !== old.length) return { errs: [forbidden(field, 'pod updates may not add or remove containers')], stop: true };
  const errs: StatusCause[] = [];
  next.forEach((c, i) => {
    if (!str(c.image)) errs.push(required(child(index(field, i), 'image')));
  });
  return { errs, stop: false };
}

function specDiff(old: JSONObject, next: JSONObject): string {
  const keys = [...new Set([...Object.keys(old), ...Object.keys(next)])].sort();
  const lines = ['  core.PodSpec{'];
  for (const k of keys) {
    if (deepEqual(old[k], next[k])) continue;
    if (old[k] !== undefined) lines.push(`- \t${k}: ${goJSON(old[k])},`);
    if (next[k] !== undefined) lines.push(`+ \t${k}: ${goJSON(next[k])},`);
  }
  lines.push('  }');
  return lines.join('\n');
}

/** ValidatePodUpdate: only images, activeDeadlineSeconds, added tolerations, removed gates. */
export function validatePodUpdate(pod: KubeObject, old: KubeObject): StatusCause[] {
  const errs = validateObjectMetaUpdate(pod, old);
  const spec = rec(pod.spec);
  const oldSpec = rec(old.spec);
  const oldAnnotations = rec(old.metadata?.annotations);
  const annotations = rec(pod.metadata?.annotations);
  const mirror = 'kubernetes.io/config.mirror';
  if (mirror in oldAnnotations && annotations[mirror] !== oldAnnotations[mirror])
    errs.push(forbidden(`metadata.annotations[${mirror}]`, 'may not remove or update mirror pod annotation'));
  if (mirror in annotations && !(mirror in oldAnnotations)) errs.push(forbidden(`metadata.annotations[${mirror}]`, 'may not add mirror pod annotation'));

  for (const f of ['containers', 'initContainers']) {
    const r = containerUpdates(records(spec[f]), records(oldSpec[f]), `spec.${f}`);
    errs.push(...r.errs);
    if (r.stop) return errs;
  }
  const ads = spec.activeDeadlineSeconds;
  const oldAds = oldSpec.activeDeadlineSeconds;
  if (typeof ads === 'number') {
    if (ads < 0 || ads > 2147483647) return [...errs, invalid('spec.activeDeadlineSeconds', ads, inclusiveRangeError(0, 2147483647))];
    if (typeof oldAds === 'number' && oldAds < ads) return [...errs, invalid('spec.activeDeadlineSeconds', ads, 'must be less than or equal to previous value')];
  } else if (typeof oldAds === 'number') {
    errs.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  const tolerations = records(spec.tolerations);
  for (const o of records(oldSpec.tolerations)) {
    const found = tolerations.some((t) => deepEqual({ ...o, tolerationSeconds: t.tolerationSeconds }, t));
    if (!found) {
      errs.push(forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
      break;
    }
  }
  if (!errs.some((e) => e.field === 'spec.tolerations')) errs.push(...validateTolerations(spec.tolerations, 'spec.tolerations'));
  const oldGates = new Set(records(oldSpec.schedulingGates).map((g) => str(g.name)));
  records(spec.schedulingGates).forEach((g, i) => {
    if (!oldGates.has(str(g.name)))
      errs.push(forbidden(`spec.schedulingGates[${i}].name`, `only deletion is allowed, but found new scheduling gate '${str(g.name)}'`));
  });
  if (deepEqual(spec, oldSpec)) return errs;

  const munged: JSONObject = structuredClone(spec);
  for (const f of ['containers', 'initContainers']) {
    const olds = records(oldSpec[f]);
    records(munged[f]).forEach((c, i) => {
      c.image = olds[i]?.image;
    });
  }
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  munged.schedulingGates = oldSpec.schedulingGates;
  munged.tolerations = oldSpec.tolerations;
  if (typeof oldSpec.terminationGracePeriodSeconds === 'number' && oldSpec.terminationGracePeriodSeconds < 0 && munged.terminationGracePeriodSeconds === 1)
    munged.terminationGracePeriodSeconds = oldSpec.terminationGracePeriodSeconds;
  if (oldGates.size > 0) {
    // Gated pods may still gain node selectors and node affinity.
    munged.nodeSelector = oldSpec.nodeSelector;
    if (isRecord(munged.affinity) || isRecord(oldSpec.affinity)) {
      const affinity = { ...rec(munged.affinity), nodeAffinity: rec(oldSpec.affinity).nodeAffinity };
      munged.affinity = Object.values(affinity).some((v) => v !== undefined) ? affinity : oldSpec.affinity;
    }
  }
  if (!deepEqual(munged, oldSpec)) {
    errs.push(forbidden('spec', `pod updates may not change fields other than ${updatablePodSpecFields.join(',')}\n${specDiff(oldSpec, munged)}`));
  }
  return errs;
}

/** On create: status is Pending with the computed QoS class; gated pods are marked unscheduled. */
export function preparePodForCreate(pod: KubeObject): void {
  const spec = ensure(pod, 'spec');
  const status: JSONObject = { phase: 'Pending', qosClass: computePodQOS(spec) };
  if (records(spec.schedulingGates).length > 0) {
    status.conditions = [
      { type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' },
    ];
  }
  pod.status = status;
}

export const pod: KindDefinition = {
  group: '',
  version: 'v1',
  kind: 'Pod',
  resource: 'pods',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  schema: podSchema,
  status: true,
  fields: {
    'spec.nodeName': (o) => str(rec(o.spec).nodeName),
    'spec.restartPolicy': (o) => str(rec(o.spec).restartPolicy),
    'spec.schedulerName': (o) => str(rec(o.spec).schedulerName),
    'spec.serviceAccountName': (o) => str(rec(o.spec).serviceAccountName),
    'spec.hostNetwork': (o) => String(rec(o.spec).hostNetwork === true),
    'status.phase': (o) => str(rec(o.status).phase),
    'status.podIP': (o) => str(records(rec(o.status).podIPs)[0]?.ip),
    'status.nominatedNodeName': (o) => str(rec(o.status).nominatedNodeName),
  },
  table: { columns: podColumns, cells: podCells },
  strategy: {
    defaults: (o) => defaultPod(o),
    validate: validatePod,
    validateUpdate: validatePodUpdate,
    prepareForCreate: preparePodForCreate,
    prepareForUpdate: (o, old) => {
      o.status = structuredClone(old.status);
    },
  },
};
