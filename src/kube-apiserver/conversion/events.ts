// events.k8s.io/v1 Events are core/v1 Events in another shape: upstream stores both in one
// place (/registry/events/), so an event written through either API is read through both.
// These map one shape onto the other, field by field, as upstream's conversions do.

import type { KubeObject } from '../../api/kind.ts';

type Fields = Record<string, unknown>;

/** core/v1 field <-> events.k8s.io/v1 field, for fields that only change name. */
const renamed: [core: string, events: string][] = [
  ['involvedObject', 'regarding'],
  ['message', 'note'],
  ['reportingComponent', 'reportingController'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
];
const same = ['reason', 'type', 'action', 'eventTime', 'series', 'related', 'reportingInstance'];

function move(from: Fields, to: Fields, pairs: [string, string][]): void {
  for (const [a, b] of pairs) if (from[a] !== undefined) to[b] = from[a];
  for (const f of same) if (from[f] !== undefined) to[f] = from[f];
}

/** A core/v1 Event as events.k8s.io/v1 shows it. */
export function coreToEvents(event: KubeObject): KubeObject {
  const out: Fields = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: event.metadata };
  move(event, out, renamed);
  return out as KubeObject;
}

/** An events.k8s.io/v1 Event stored as core/v1. */
export function eventsToCore(event: KubeObject): KubeObject {
  const out: Fields = { apiVersion: 'v1', kind: 'Event', metadata: event.metadata };
  move(event, out, renamed.map(([a, b]) => [b, a]));
  return out as KubeObject;
}
