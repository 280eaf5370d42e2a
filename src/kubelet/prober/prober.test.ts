import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { FakeClock } from '../../machinery/fake-clock.ts';
import type { Pod } from '../types.ts';
import { killGracePeriodSeconds } from './kill.ts';
import { createProber, probeEvent, probeFailureMessage } from './prober.ts';

const pod: Pod = { metadata: { uid: 'u', name: 'web', namespace: 'ns' }, spec: { containers: [{ name: 'app' }] } };
const noExec = { execSync: () => Promise.reject(new Error('no exec here')) };

test('prober: tcpSocket dials the pod IP at the named port', async (t) => {
  const server = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => server.close(r)));
  const port = (server.address() as AddressInfo).port;
  const prober = createProber({ runtime: noExec, clock: new FakeClock(), userAgent: 'kube-probe/1.33' });
  const container = { name: 'app', ports: [{ name: 'db', containerPort: port }] };
  assert.deepEqual(await prober.run({ tcpSocket: { port: 'db' } }, { pod, container, containerId: 'c', podIP: '127.0.0.1' }), { result: 'success', output: '' });
});

test('prober: a probe that cannot be run is tried 3 times and returns the error', async () => {
  let calls = 0;
  const runtime = { execSync: () => (calls++, Promise.reject(new Error('runtime is down'))) };
  const prober = createProber({ runtime, clock: new FakeClock(), userAgent: 'kube-probe/1.33' });
  const got = await prober.run({ exec: { command: ['true'] } }, { pod, container: { name: 'app' }, containerId: 'c', podIP: undefined });
  assert.equal(calls, 3);
  assert.equal(got.error?.message, 'runtime is down');
  const none = await prober.run({}, { pod, container: { name: 'app' }, containerId: 'c', podIP: '10.0.0.1' });
  assert.equal(none.error?.message, 'missing probe handler for web_ns(u):app');
  const noIP = await prober.run({ tcpSocket: { port: 80 } }, { pod, container: { name: 'app' }, containerId: 'c', podIP: undefined });
  assert.equal(noIP.error?.message, 'pod has no IP address to probe');
});

test('probe events are worded as upstream', () => {
  assert.equal(probeFailureMessage('liveness', 'HTTP probe failed with statuscode: 500'), 'Liveness probe failed: HTTP probe failed with statuscode: 500');
  assert.deepEqual(probeEvent('readiness', { result: 'failure', output: 'dial tcp 10.0.0.1:80: connect: connection refused' }), {
    type: 'Warning',
    reason: 'Unhealthy',
    message: 'Readiness probe failed: dial tcp 10.0.0.1:80: connect: connection refused',
  });
  assert.deepEqual(probeEvent('startup', { result: 'warning', output: 'Probe terminated redirects, Response body: ' }), {
    type: 'Warning',
    reason: 'ProbeWarning',
    message: 'Startup probe warning: Probe terminated redirects, Response body: ',
  });
  assert.deepEqual(probeEvent('readiness', { result: 'unknown', output: '', error: new Error('strconv.Atoi: parsing "http": invalid syntax') }), {
    type: 'Warning',
    reason: 'Unhealthy',
    message: 'Readiness probe errored and resulted in unknown state: strconv.Atoi: parsing "http": invalid syntax',
  });
  assert.equal(probeEvent('liveness', { result: 'success', output: 'ok' }), undefined);
});

test('killGracePeriodSeconds: deletion grace, then the probe-level value, then the pod value, else 2 s', () => {
  const container = { name: 'app', livenessProbe: { terminationGracePeriodSeconds: 5 } };
  const withGrace = (grace?: number, deletion?: number): Pod => ({
    metadata: { uid: 'u', deletionGracePeriodSeconds: deletion },
    spec: { containers: [container], terminationGracePeriodSeconds: grace },
  });
  assert.equal(killGracePeriodSeconds(withGrace(30), container, 'LivenessProbe'), 5);
  assert.equal(killGracePeriodSeconds(withGrace(30), container, 'StartupProbe'), 30);
  assert.equal(killGracePeriodSeconds(withGrace(30), container), 30);
  assert.equal(killGracePeriodSeconds(withGrace(30, 0), container, 'LivenessProbe'), 0);
  assert.equal(killGracePeriodSeconds(withGrace(undefined), container, 'LivenessProbe'), 2);
});
