// events.k8s.io/v1 Event. Upstream stores it in the same place as core/v1 Event (one object,
// two shapes: regarding = involvedObject, note = message, deprecatedSource = source, ...);
// this file only defines the kind — the API server decides where it is stored. Validation is
// upstream's for requests through events.k8s.io/v1 (strict), and, like upstream, reports the
// core field names (involvedObject.namespace, message, count). The table is the core Event
// printer's (LAST SEEN, TYPE, REASON, OBJECT, MESSAGE; SUBOBJECT, SOURCE, FIRST SEEN, COUNT wide).

import type { StatusCause } from '../../../machinery/status.ts';
import { isDNS1123Subdomain, isQualifiedName } from '../../../machinery/validation.ts';
import type { KindDefinition, KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import type { Schema } from '../../schema.ts';
import { int32, obj, str, time } from '../../schema.ts';
import { humanDuration } from '../../meta/v1/age.ts';
import { invalid, required, semanticEqual, validateImmutableField } from '../../meta/v1/field.ts';
import { microTime } from '../../meta/v1/micro-time.ts';
import { objectReferenceSchema } from '../../meta/v1/object-reference.ts';
import { isObject, num, obj as asObject, str as asString } from '../../meta/v1/unstructured.ts';

export const eventSeriesSchema: Schema = obj(
  {
    count: int32('count is the number of occurrences in this series up to the last heartbeat time.'),
    lastObservedTime: microTime('lastObservedTime is the time when last Event from the series was seen before last heartbeat.'),
  },
  {
    description:
      'EventSeries contain information on series of events, i.e. thing that was/is happening continuously for some time. How often to update the EventSeries is up to the event reporters. The default event reporter in "k8s.io/client-go/tools/events/event_broadcaster.go" shows how this struct is updated on heartbeats and can guide customized reporter implementations.',
    required: ['count', 'lastObservedTime'],
  },
);

export const eventSourceSchema: Schema = obj(
  {
    component: str('Component from which the event is generated.'),
    host: str('Node name on which the event is generated.'),
  },
  { description: 'EventSource contains information for an event.' },
);

export const eventSchema: Schema = kindSchema(
  'Event is a report of an event somewhere in the cluster. It generally denotes some state change in the system. Events have a limited retention time and triggers and messages may evolve with time.  Event consumers should not rely on the timing of an event with a given Reason reflecting a consistent underlying trigger, or the continued existence of events with that Reason.  Events should be treated as informative, best-effort, supplemental data.',
  {
    eventTime: microTime('eventTime is the time when this Event was first observed. It is required.'),
    series: eventSeriesSchema,
    reportingController: str('reportingController is the name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`. This field cannot be empty for new Events.'),
    reportingInstance: str('reportingInstance is the ID of the controller instance, e.g. `kubelet-xyzf`. This field cannot be empty for new Events and it can have at most 128 characters.'),
    action: str('action is what action was taken/failed regarding to the regarding object. It is machine-readable. This field cannot be empty for new Events and it can have at most 128 characters.'),
    reason: str('reason is why the action was taken. It is human-readable. This field cannot be empty for new Events and it can have at most 128 characters.'),
    regarding: objectReferenceSchema,
    related: objectReferenceSchema,
    note: str('note is a human-readable description of the status of this operation. Maximal length of the note is 1kB, but libraries should be prepared to handle values up to 64kB.'),
    type: str('type is the type of this event (Normal, Warning), new types could be added in the future. It is machine-readable. This field cannot be empty for new Events.'),
    deprecatedSource: eventSourceSchema,
    deprecatedFirstTimestamp: time('deprecatedFirstTimestamp is the deprecated field assuring backward compatibility with core.v1 Event type.'),
    deprecatedLastTimestamp: time('deprecatedLastTimestamp is the deprecated field assuring backward compatibility with core.v1 Event type.'),
    deprecatedCount: int32('deprecatedCount is the deprecated field assuring backward compatibility with core.v1 Event type.'),
  },
  ['eventTime'],
);

const reportingInstanceLengthLimit = 128;
const actionLengthLimit = 128;
const reasonLengthLimit = 128;
const noteLengthLimit = 1024;

function isSet(v: unknown): boolean {
  return typeof v === 'string' && v !== '';
}

// legacyValidateEvent: what every event must satisfy, whichever API wrote it.
function validateLegacy(object: KubeObject): StatusCause[] {
  const errs: StatusCause[] = [];
  const namespace = object.metadata?.namespace ?? '';
  const regardingNamespace = asString(asObject(object.regarding).namespace);
  if (!isSet(object.eventTime)) {
    if (regardingNamespace === '' ? namespace !== '' && namespace !== 'default' : namespace !== regardingNamespace) {
      errs.push(invalid('involvedObject.namespace', regardingNamespace, 'does not match event.namespace'));
    }
  } else {
    if (regardingNamespace === '' && namespace !== 'default' && namespace !== 'kube-system') {
      errs.push(invalid('involvedObject.namespace', regardingNamespace, 'does not match event.namespace'));
    }
    const controller = asString(object.reportingController);
    if (controller === '') errs.push(required('reportingController'));
    for (const msg of isQualifiedName(controller)) errs.push(invalid('reportingController', controller, msg));
    const instance = asString(object.reportingInstance);
    if (instance === '') errs.push(required('reportingInstance'));
    if (instance.length > reportingInstanceLengthLimit) errs.push(invalid('reportingInstance', '', `can have at most ${reportingInstanceLengthLimit} characters`));
    const action = asString(object.action);
    if (action === '') errs.push(required('action'));
    if (action.length > actionLengthLimit) errs.push(invalid('action', '', `can have at most ${actionLengthLimit} characters`));
    const reason = asString(object.reason);
    if (reason === '') errs.push(required('reason'));
    if (reason.length > reasonLengthLimit) errs.push(invalid('reason', '', `can have at most ${reasonLengthLimit} characters`));
    if (asString(object.note).length > noteLengthLimit) errs.push(invalid('message', '', `can have at most ${noteLengthLimit} characters`));
  }
  for (const msg of isDNS1123Subdomain(namespace)) errs.push(invalid('namespace', namespace, msg));
  return errs;
}

function validateSeries(object: KubeObject): StatusCause[] {
  if (!isObject(object.series)) return [];
  const errs: StatusCause[] = [];
  if ((num(object.series.count) ?? 0) < 2) errs.push(invalid('series.count', '', 'should be at least 2'));
  if (!isSet(object.series.lastObservedTime)) errs.push(required('series.lastObservedTime'));
  return errs;
}

// ValidateEventCreate for events.k8s.io/v1: the legacy rules plus the strict ones.
function validate(object: KubeObject): StatusCause[] {
  const errs = validateLegacy(object);
  errs.push(...validateSeries(object));
  if (!isSet(object.eventTime)) errs.push(required('eventTime'));
  const type = asString(object.type);
  if (type !== 'Normal' && type !== 'Warning') errs.push(invalid('type', '', `has invalid value: ${type}`));
  if (isSet(object.deprecatedFirstTimestamp)) errs.push(invalid('firstTimestamp', '', 'needs to be unset'));
  if (isSet(object.deprecatedLastTimestamp)) errs.push(invalid('lastTimestamp', '', 'needs to be unset'));
  if ((num(object.deprecatedCount) ?? 0) !== 0) errs.push(invalid('count', '', 'needs to be unset'));
  const source = asObject(object.deprecatedSource);
  if (isSet(source.component) || isSet(source.host)) errs.push(invalid('source', '', 'needs to be unset'));
  return errs;
}

// ValidateEventUpdate for events.k8s.io/v1: only the series may change.
function validateUpdate(object: KubeObject, old: KubeObject): StatusCause[] {
  const errs: StatusCause[] = [];
  if (!semanticEqual(object.series, old.series)) errs.push(...validateSeries(object));
  const immutable: [string, string][] = [
    ['regarding', 'involvedObject'],
    ['reason', 'reason'],
    ['note', 'message'],
    ['deprecatedSource', 'source'],
    ['deprecatedFirstTimestamp', 'firstTimestamp'],
    ['deprecatedLastTimestamp', 'lastTimestamp'],
    ['deprecatedCount', 'count'],
    ['type', 'type'],
    ['eventTime', 'eventTime'],
    ['action', 'action'],
    ['related', 'related'],
    ['reportingController', 'reportingController'],
    ['reportingInstance', 'reportingInstance'],
  ];
  for (const [field, path] of immutable) errs.push(...validateImmutableField(object[field], old[field], path));
  return errs;
}

function since(timestamp: unknown, now: number): string | undefined {
  if (typeof timestamp !== 'string' || timestamp === '') return undefined;
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? undefined : humanDuration(now - t);
}

// printEvent on the event as core/v1 sees it: ages fall back from the deprecated timestamps
// to eventTime, a series supplies the last time and count, singletons count 1.
function cells(object: KubeObject, now: number): unknown[] {
  const firstTimestamp = since(object.deprecatedFirstTimestamp, now) ?? since(object.eventTime, now) ?? '<unknown>';
  let lastTimestamp = since(object.deprecatedLastTimestamp, now) ?? firstTimestamp;
  let count = num(object.deprecatedCount) ?? 0;
  if (isObject(object.series)) {
    lastTimestamp = since(object.series.lastObservedTime, now) ?? '<unknown>';
    count = num(object.series.count) ?? 0;
  } else if (count === 0) {
    count = 1;
  }
  const regarding = asObject(object.regarding);
  const kind = asString(regarding.kind).toLowerCase();
  const name = asString(regarding.name);
  const target = name ? `${kind}/${name}` : kind;
  const source = asObject(object.deprecatedSource);
  const component = asString(source.component) || asString(object.reportingController);
  const host = asString(source.host) || asString(object.reportingInstance);
  return [
    lastTimestamp,
    asString(object.type),
    asString(object.reason),
    target,
    asString(regarding.fieldPath),
    host ? `${component}, ${host}` : component,
    asString(object.note).trim(),
    firstTimestamp,
    count,
  ];
}

const regardingField = (key: string) => (object: KubeObject) => asString(asObject(object.regarding)[key]);

export const event: KindDefinition = {
  group: 'events.k8s.io',
  version: 'v1',
  kind: 'Event',
  resource: 'events',
  namespaced: true,
  shortNames: ['ev'],
  schema: eventSchema,
  fields: {
    'regarding.kind': regardingField('kind'),
    'regarding.namespace': regardingField('namespace'),
    'regarding.name': regardingField('name'),
    'regarding.uid': regardingField('uid'),
    'regarding.apiVersion': regardingField('apiVersion'),
    'regarding.resourceVersion': regardingField('resourceVersion'),
    'regarding.fieldPath': regardingField('fieldPath'),
    reason: (object) => asString(object.reason),
    reportingController: (object) => asString(object.reportingController),
    source: (object) => asString(asObject(object.deprecatedSource).component),
    type: (object) => asString(object.type),
  },
  table: {
    columns: [
      { name: 'Last Seen', type: 'string', description: 'The time at which the most recent occurrence of this event was recorded.', priority: 0 },
      { name: 'Type', type: 'string', description: 'Type of this event (Normal, Warning), new types could be added in the future', priority: 0 },
      { name: 'Reason', type: 'string', description: "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.", priority: 0 },
      { name: 'Object', type: 'string', description: 'The object that this event is about.', priority: 0 },
      { name: 'Subobject', type: 'string', description: 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].', priority: 1 },
      { name: 'Source', type: 'string', description: 'The component reporting this event. Should be a short machine understandable string.', priority: 1 },
      { name: 'Message', type: 'string', description: 'A human-readable description of the status of this operation.', priority: 0 },
      { name: 'First Seen', type: 'string', description: 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', priority: 1 },
      { name: 'Count', type: 'string', description: 'The number of times this event has occurred.', priority: 1 },
    ],
    cells,
  },
  strategy: { validate, validateUpdate },
};
