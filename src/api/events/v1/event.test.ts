import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../kind.ts';
import { event } from './event.ts';

const now = Date.parse('2024-05-01T12:00:00Z');

function ev(extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'web-0.17c1a2b3', namespace: 'default', creationTimestamp: '2024-05-01T11:50:00Z' },
    eventTime: '2024-05-01T11:50:00.123456Z',
    reportingController: 'default-scheduler',
    reportingInstance: 'default-scheduler-node-1',
    action: 'Binding',
    reason: 'Scheduled',
    regarding: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'u1', apiVersion: 'v1' },
    note: 'Successfully assigned default/web-0 to node-1 ',
    type: 'Normal',
    ...extra,
  };
}

function messages(object: KubeObject): string[] {
  return event.strategy!.validate!(object).map((c) => `${c.field}: ${c.message}`);
}

test('a scheduler event validates', () => {
  assert.deepEqual(messages(ev()), []);
});

test('invalid events give upstream messages (with core field names)', () => {
  assert.deepEqual(messages(ev({ type: 'Info' })), ['type: Invalid value: "": has invalid value: Info']);
  assert.deepEqual(messages(ev({ action: '', deprecatedCount: 3 })), ['action: Required value', 'count: Invalid value: "": needs to be unset']);
  assert.deepEqual(messages(ev({ series: { count: 1 } })), ['series.count: Invalid value: "": should be at least 2', 'series.lastObservedTime: Required value']);
  assert.deepEqual(messages(ev({ regarding: { kind: 'Node', name: 'node-1' }, metadata: { name: 'x', namespace: 'team-a' } })), [
    'involvedObject.namespace: Invalid value: "": does not match event.namespace',
  ]);
  const noTime = ev();
  delete noTime.eventTime;
  assert.deepEqual(messages(noTime), ['eventTime: Required value']);
});

test('only the series may change', () => {
  const old = ev();
  assert.deepEqual(event.strategy!.validateUpdate!(ev({ series: { count: 2, lastObservedTime: '2024-05-01T11:55:00.000000Z' } }), old), []);
  assert.deepEqual(
    event.strategy!.validateUpdate!(ev({ note: 'changed' }), old).map((c) => `${c.field}: ${c.message}`),
    ['message: Invalid value: "changed": field is immutable'],
  );
});

test('table cells as the core printer prints them', () => {
  assert.deepEqual(
    event.table!.columns.map((c) => [c.name, c.priority]),
    [
      ['Last Seen', 0],
      ['Type', 0],
      ['Reason', 0],
      ['Object', 0],
      ['Subobject', 1],
      ['Source', 1],
      ['Message', 0],
      ['First Seen', 1],
      ['Count', 1],
    ],
  );
  // eventTime carries microseconds: 9m59.876s before now.
  assert.deepEqual(event.table!.cells(ev(), now), [
    '9m59s',
    'Normal',
    'Scheduled',
    'pod/web-0',
    '',
    'default-scheduler, default-scheduler-node-1',
    'Successfully assigned default/web-0 to node-1',
    '9m59s',
    1,
  ]);
  const series = ev({ series: { count: 5, lastObservedTime: '2024-05-01T11:59:00.000000Z' } });
  const cells = event.table!.cells(series, now);
  assert.equal(cells[0], '60s');
  assert.equal(cells[8], 5);
});

test('field selectors read the regarding object', () => {
  assert.equal(event.fields!['regarding.name']!(ev()), 'web-0');
  assert.equal(event.fields!['reportingController']!(ev()), 'default-scheduler');
  assert.equal(event.fields!['source']!(ev()), '');
});
