// The core/v1 Event kind: the involved object's namespace must agree with the event's, the
// field selectors clients filter events by (involvedObject.*, reason, source, type...), and
// the LAST SEEN/TYPE/REASON/OBJECT/MESSAGE table (with a trailing, wide-only NAME column, as
// upstream prints events).

import type { StatusCause } from '../../../machinery/status.ts';
import type { ColumnDefinition, KindDefinition, KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import { humanDuration, parseTime, since } from '../../printing.ts';
import { int32, obj, str, time } from '../../schema.ts';
import { objectReference } from './common.ts';
import { invalid } from './field-errors.ts';
import { rec, str as text } from './json.ts';
import { nameIsDNSSubdomain } from './names.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';

export const eventSource = obj({
  component: str('Component from which the event is generated.'),
  host: str('Node name on which the event is generated.'),
});

export const eventSeries = obj({
  count: int32('Number of occurrences in this series up to the last heartbeat time.'),
  lastObservedTime: time('Time of the last occurrence observed.'),
});

export const eventSchema = kindSchema(
  'Event is a report of an event somewhere in the cluster.',
  {
    involvedObject: { ...objectReference, description: 'The object that this event is about.' },
    reason: str("This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    message: str('A human-readable description of the status of this operation.'),
    source: { ...eventSource, description: 'The component reporting this event.' },
    firstTimestamp: time('The time at which the event was first recorded.'),
    lastTimestamp: time('The time at which the most recent occurrence of this event was recorded.'),
    count: int32('The number of times this event has occurred.'),
    type: str('Type of this event (Normal, Warning), new types could be added in the future.'),
    eventTime: time('Time when this Event was first observed.'),
    series: { ...eventSeries, description: "Data about the Event series this event represents or nil if it's a singleton Event." },
    action: str('What action was taken/failed regarding to the Regarding object.'),
    related: { ...objectReference, description: 'Optional secondary object for more complex actions.' },
    reportingComponent: str('Name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`.'),
    reportingInstance: str('ID of the controller instance, e.g. `kubelet-xyzf`.'),
  },
  ['metadata', 'involvedObject'],
);

/** Upstream's event columns; NAME is last and wide-only, so the server must not prepend one. */
export const eventColumns: ColumnDefinition[] = [
  { name: 'Last Seen', type: 'string', priority: 0, description: "The time at which the most recent occurrence of this event was recorded." },
  { name: 'Type', type: 'string', priority: 0, description: "Type of this event (Normal, Warning), new types could be added in the future" },
  { name: 'Reason', type: 'string', priority: 0, description: "This should be a short, machine understandable string that gives the reason for the transition into the object's current status." },
  { name: 'Object', type: 'string', priority: 0, description: "The object that this event is about." },
  { name: 'Subobject', type: 'string', priority: 1, description: "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: \"spec.containers{name}\" (where \"name\" refers to the name of the container that triggered the event) or if no container name is specified \"spec.containers[2]\" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object." },
  { name: 'Source', type: 'string', priority: 1, description: "The component reporting this event. Should be a short machine understandable string." },
  { name: 'Message', type: 'string', priority: 0, description: "A human-readable description of the status of this operation." },
  { name: 'First Seen', type: 'string', priority: 1, description: "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)" },
  { name: 'Count', type: 'string', priority: 1, description: "The number of times this event has occurred." },
  { name: 'Name', type: 'string', format: 'name', priority: 1, description: "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names" },
];

function eventCells(e: KubeObject, now: number): unknown[] {
  let first = since(e.firstTimestamp, now);
  if (parseTime(e.firstTimestamp) === undefined) first = since(e.eventTime, now);
  let last = parseTime(e.lastTimestamp) === undefined ? first : since(e.lastTimestamp, now);
  let count = Number(e.count ?? 0);
  const series = rec(e.series);
  if (e.series && typeof e.series === 'object') {
    const t = parseTime(series.lastObservedTime);
    last = t === undefined ? '<unknown>' : humanDuration(now - t);
    count = Number(series.count ?? 0);
  } else if (count === 0) {
    count = 1;
  }
  const involved = rec(e.involvedObject);
  const kind = text(involved.kind).toLowerCase();
  const target = text(involved.name) ? `${kind}/${text(involved.name)}` : kind;
  const source = rec(e.source);
  const component = text(source.component) || text(e.reportingComponent);
  const host = text(source.host) || text(e.reportingInstance);
  return [last, text(e.type), text(e.reason), target, text(involved.fieldPath), host ? `${component}, ${host}` : component, text(e.message).trim(), first, count, e.metadata?.name ?? ''];
}

function validateEvent(e: KubeObject): StatusCause[] {
  const errs = validateObjectMeta(e, true, nameIsDNSSubdomain);
  const ns = e.metadata?.namespace ?? '';
  const involvedNs = text(rec(e.involvedObject).namespace);
  if (!involvedNs) {
    if (ns !== '' && ns !== 'default') errs.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
  } else if (ns !== involvedNs) {
    errs.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
  }
  return errs;
}

export const event: KindDefinition = {
  group: '',
  version: 'v1',
  kind: 'Event',
  resource: 'events',
  namespaced: true,
  shortNames: ['ev'],
  schema: eventSchema,
  fields: {
    'involvedObject.kind': (o) => text(rec(o.involvedObject).kind),
    'involvedObject.namespace': (o) => text(rec(o.involvedObject).namespace),
    'involvedObject.name': (o) => text(rec(o.involvedObject).name),
    'involvedObject.uid': (o) => text(rec(o.involvedObject).uid),
    'involvedObject.apiVersion': (o) => text(rec(o.involvedObject).apiVersion),
    'involvedObject.resourceVersion': (o) => text(rec(o.involvedObject).resourceVersion),
    'involvedObject.fieldPath': (o) => text(rec(o.involvedObject).fieldPath),
    reason: (o) => text(o.reason),
    reportingComponent: (o) => text(o.reportingComponent),
    source: (o) => text(rec(o.source).component) || text(o.reportingComponent),
    type: (o) => text(o.type),
  },
  table: { columns: eventColumns, cells: eventCells },
  strategy: { validate: validateEvent, validateUpdate: (o, old) => validateObjectMetaUpdate(o, old) },
};
