import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from './logging.ts';

test('log lines carry time, level, component and quoted fields', () => {
  const lines: string[] = [];
  const log = createLogger('kube-scheduler', { sink: (l) => lines.push(l), now: () => Date.UTC(2025, 0, 1) });
  log.info('Successfully bound pod to node', { pod: 'default/a', node: 'n1', took: 3 });
  log.warn('odd', { message: 'has spaces', empty: '' });
  log.debug('hidden');
  log.child('queue').error('boom', { err: new Error('bad thing') });
  assert.deepEqual(lines, [
    '2025-01-01T00:00:00.000Z INFO kube-scheduler: Successfully bound pod to node pod=default/a node=n1 took=3',
    '2025-01-01T00:00:00.000Z WARN kube-scheduler: odd message="has spaces" empty=""',
    '2025-01-01T00:00:00.000Z ERROR kube-scheduler/queue: boom err="bad thing"',
  ]);
});
