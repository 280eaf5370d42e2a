import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exponentialBuckets, Registry } from './metrics.ts';

test('counters, gauges and histograms render in the Prometheus text format', () => {
  const r = new Registry();
  const attempts = r.counter('scheduler_schedule_attempts_total', 'Number of attempts.', ['result', 'profile']);
  const pending = r.gauge('scheduler_pending_pods', 'Pending pods.', ['queue']);
  const latency = r.histogram('latency_seconds', 'Latency.', ['result'], [0.1, 1]);
  attempts.inc({ result: 'scheduled', profile: 'default-scheduler' });
  attempts.inc({ result: 'scheduled', profile: 'default-scheduler' }, 2);
  pending.set({ queue: 'active' }, 4);
  pending.dec({ queue: 'active' });
  latency.observe({ result: 'scheduled' }, 0.05);
  latency.observe({ result: 'scheduled' }, 0.5);
  latency.observe({ result: 'scheduled' }, 5);
  assert.equal(
    r.render(),
    [
      '# HELP scheduler_schedule_attempts_total Number of attempts.',
      '# TYPE scheduler_schedule_attempts_total counter',
      'scheduler_schedule_attempts_total{result="scheduled",profile="default-scheduler"} 3',
      '# HELP scheduler_pending_pods Pending pods.',
      '# TYPE scheduler_pending_pods gauge',
      'scheduler_pending_pods{queue="active"} 3',
      '# HELP latency_seconds Latency.',
      '# TYPE latency_seconds histogram',
      'latency_seconds_bucket{result="scheduled",le="0.1"} 1',
      'latency_seconds_bucket{result="scheduled",le="1"} 2',
      'latency_seconds_bucket{result="scheduled",le="+Inf"} 3',
      'latency_seconds_sum{result="scheduled"} 5.55',
      'latency_seconds_count{result="scheduled"} 3',
      '',
    ].join('\n'),
  );
});

test('label values are escaped and unknown labels or duplicate names are refused', () => {
  const r = new Registry();
  const c = r.counter('c_total', 'help', ['v']);
  c.inc({ v: 'a"b\\c\nd' });
  assert.match(r.render(), /c_total\{v="a\\"b\\\\c\\nd"\} 1/);
  assert.throws(() => c.inc({ w: 'x' }), /unknown label w/);
  assert.throws(() => r.gauge('c_total', 'again'), /already registered/);
  assert.throws(() => c.inc({}, -1), /only go up/);
});

test('unlabelled series print without braces', () => {
  const r = new Registry();
  r.gauge('up', 'Up.').set({}, 1);
  assert.match(r.render(), /^up 1$/m);
});

test('exponentialBuckets', () => {
  assert.deepEqual(exponentialBuckets(0.001, 2, 4), [0.001, 0.002, 0.004, 0.008]);
});
