import assert from 'node:assert/strict';
import { test } from 'node:test';
import { event } from './event.ts';
import { create } from './strategy-harness.ts';

const now = Date.parse('2024-01-01T00:10:00Z');

const ev = {
  metadata: { name: 'web.17a', namespace: 'default' },
  involvedObject: { kind: 'Pod', namespace: 'default', name: 'web', uid: 'u1', apiVersion: 'v1', fieldPath: 'spec.containers{nginx}' },
  reason: 'Pulled',
  message: 'Successfully pulled image "nginx"\n',
  source: { component: 'kubelet', host: 'node-1' },
  firstTimestamp: '2024-01-01T00:00:00Z',
  lastTimestamp: '2024-01-01T00:08:00Z',
  count: 2,
  type: 'Normal',
};

test('event table: LAST SEEN, TYPE, REASON, OBJECT, then the wide columns and the name', () => {
  assert.deepEqual(event.table!.cells(ev, now), ['2m', 'Normal', 'Pulled', 'pod/web', 'spec.containers{nginx}', 'kubelet, node-1', 'Successfully pulled image "nginx"', '10m', 2, 'web.17a']);
  const names = event.table!.columns.map((c) => `${c.name}${c.priority ? '*' : ''}`);
  assert.deepEqual(names, ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject*', 'Source*', 'Message', 'First Seen*', 'Count*', 'Name*']);
  const series = { ...ev, firstTimestamp: undefined, lastTimestamp: undefined, count: undefined, eventTime: '2024-01-01T00:01:00Z', series: { count: 5, lastObservedTime: '2024-01-01T00:09:30Z' } };
  assert.deepEqual(event.table!.cells(series, now).slice(0, 1), ['30s']);
  assert.deepEqual(event.table!.cells(series, now).slice(7, 9), ['9m', 5]);
});

test('event field selectors', () => {
  const f = event.fields!;
  assert.equal(f['involvedObject.kind'](ev), 'Pod');
  assert.equal(f['involvedObject.name'](ev), 'web');
  assert.equal(f['involvedObject.fieldPath'](ev), 'spec.containers{nginx}');
  assert.equal(f.reason(ev), 'Pulled');
  assert.equal(f.source(ev), 'kubelet');
  assert.equal(f.type(ev), 'Normal');
});

test("an event's namespace must match its involved object's", () => {
  assert.deepEqual(create(event, ev).errors, []);
  assert.deepEqual(create(event, { ...ev, involvedObject: { ...ev.involvedObject, namespace: 'other' } }).errors, [
    'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
  ]);
});
