import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Registry } from '../../component-base/metrics.ts';
import { FakeClock } from '../../machinery/fake-clock.ts';
import type { ExecSyncResult } from '../runtime/runtime.ts';
import { NotFoundError } from '../runtime/runtime.ts';
import type { Container, Pod, Probe } from '../types.ts';
import { createProbeManager } from './manager.ts';
import type { ProbeManagerOptions, ProbeUpdate } from './manager.ts';
import { registerProberMetrics } from './metrics.ts';

const uid = 'uid-1';

function podWith(container: Partial<Container>, extra: Partial<Pod['spec']> = {}): Pod {
  return {
    metadata: { uid, name: 'web', namespace: 'default' },
    spec: { terminationGracePeriodSeconds: 30, containers: [{ name: 'app', ...container }], ...extra },
  };
}

const exec = (cmd: string, rest: Partial<Probe> = {}): Probe => ({ exec: { command: [cmd] }, ...rest });

/**
 * A manager on a fake clock whose exec probes answer from `exits` (by command); time moves in
 * half-second steps so that every due probe runs and finishes before the next step.
 */
function harness(opts: Partial<ProbeManagerOptions> = {}) {
  const clock = new FakeClock();
  const exits: Record<string, number | 'hang' | 'gone'> = {};
  const calls: { cmd: string; id: string; at: number }[] = [];
  const hung: ((r: ExecSyncResult) => void)[] = [];
  const updates: ProbeUpdate[] = [];
  const runtime = {
    execSync: (id: string, cmd: string[]) => {
      calls.push({ cmd: cmd[0], id, at: clock.now() });
      const exit = exits[cmd[0]] ?? 0;
      if (exit === 'hang') return new Promise<ExecSyncResult>((r) => hung.push(r));
      if (exit === 'gone') return Promise.reject(new NotFoundError('container', id));
      return Promise.resolve({ stdout: Buffer.from(`${cmd[0]} says ${exit}`), stderr: Buffer.alloc(0), exitCode: exit });
    },
  };
  const manager = createProbeManager({ runtime, clock, random: () => 0, onResult: (u) => updates.push(u), ...opts });
  const start = clock.now();
  return {
    clock,
    exits,
    calls,
    hung,
    updates,
    manager,
    start,
    /** Seconds since the harness started. */
    at: () => (clock.now() - start) / 1000,
    count: (cmd: string) => calls.filter((c) => c.cmd === cmd).length,
    async run(seconds: number) {
      for (let t = 0; t < seconds * 1000; t += 500) {
        clock.advance(500);
        await settle();
      }
    },
    /** Runs what is due now (a timer of 0 ms fires only when a fake clock moves). */
    async settle() {
      clock.advance(0);
      await settle();
    },
    started(containerId: string, startedAt = clock.now(), name = 'app') {
      manager.updateContainer(uid, name, { containerId, startedAt, running: true });
    },
  };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
}

test('liveness: the result turns to failure exactly on the failureThreshold-th failure, then the worker holds', async () => {
  const h = harness();
  h.manager.addPod(podWith({ livenessProbe: exec('live', { periodSeconds: 10, failureThreshold: 3, terminationGracePeriodSeconds: 5 }) }));
  h.exits.live = 1;
  h.started('c1');
  await h.settle();
  assert.equal(h.count('live'), 1);
  assert.deepEqual(h.updates[0], {
    podUID: uid,
    podName: 'web',
    namespace: 'default',
    containerName: 'app',
    containerId: 'c1',
    probeType: 'liveness',
    outcome: 'failure',
    message: 'live says 1',
    result: 'success',
    changed: false,
    event: { type: 'Warning', reason: 'Unhealthy', message: 'Liveness probe failed: live says 1' },
  });
  await h.run(10);
  assert.equal(h.count('live'), 2);
  assert.equal(h.manager.result(uid, 'app', 'liveness'), 'success');
  assert.equal(h.manager.probeKill(uid, 'app'), undefined);
  await h.run(10);
  assert.equal(h.count('live'), 3);
  assert.deepEqual(
    h.updates.map((u) => [u.result, u.changed]),
    [['success', false], ['success', false], ['failure', true]],
  );
  assert.deepEqual(h.manager.probeKill(uid, 'app'), { reason: 'LivenessProbe', message: 'Container app failed liveness probe', gracePeriodSeconds: 5 });
  // Held until the container is replaced: no probes while the kubelet kills it.
  await h.run(60);
  assert.equal(h.count('live'), 3);
  assert.equal(h.clock.pendingTimers, 0);

  h.exits.live = 0;
  h.started('c2');
  assert.equal(h.manager.result(uid, 'app', 'liveness'), 'success');
  assert.equal(h.manager.probeKill(uid, 'app'), undefined);
  await h.settle();
  assert.deepEqual(h.calls.at(-1), { cmd: 'live', id: 'c2', at: h.clock.now() });
  assert.deepEqual(h.updates.at(-1)?.changed, false);
  await h.manager.close();
});

test('readiness: not ready until successThreshold successes in a row, and back after failureThreshold failures', async () => {
  const h = harness();
  h.manager.addPod(podWith({ readinessProbe: exec('ready', { periodSeconds: 5, successThreshold: 2, failureThreshold: 2 }) }));
  h.started('c1');
  assert.equal(h.manager.isStarted(uid, 'app'), true);
  assert.equal(h.manager.isReady(uid, 'app'), false);
  await h.settle();
  assert.equal(h.count('ready'), 1);
  assert.equal(h.manager.isReady(uid, 'app'), false);
  await h.run(5);
  assert.equal(h.manager.isReady(uid, 'app'), true);
  assert.deepEqual(h.updates.map((u) => u.changed), [false, true]);

  h.exits.ready = 1;
  await h.run(5);
  assert.equal(h.manager.isReady(uid, 'app'), true);
  await h.run(5);
  assert.equal(h.manager.isReady(uid, 'app'), false);
  assert.deepEqual(h.updates.map((u) => [u.outcome, u.changed]), [['success', false], ['success', true], ['failure', false], ['failure', true]]);
  assert.equal(h.updates.at(-1)?.event?.message, 'Readiness probe failed: ready says 1');
  // A readiness failure never asks for a kill, and readiness keeps probing.
  assert.equal(h.manager.probeKill(uid, 'app'), undefined);
  await h.run(5);
  assert.equal(h.count('ready'), 5);
  await h.manager.close();
});

test('initialDelaySeconds counts from the container start; then every periodSeconds', async () => {
  const h = harness();
  h.manager.addPod(podWith({ livenessProbe: exec('live', { initialDelaySeconds: 15, periodSeconds: 10 }) }));
  await h.run(5);
  h.started('c1', h.clock.now() - 5000);
  await h.run(9.5);
  assert.equal(h.count('live'), 0);
  await h.run(0.5);
  assert.deepEqual(h.calls.map((c) => (c.at - h.start) / 1000), [15]);
  await h.run(30);
  assert.deepEqual(h.calls.map((c) => (c.at - h.start) / 1000), [15, 25, 35, 45]);
  await h.manager.close();
});

test('startup gates liveness and readiness, stops once it succeeds, and readiness runs at once after', async () => {
  const h = harness();
  h.manager.addPod(
    podWith({
      startupProbe: exec('start', { periodSeconds: 1, failureThreshold: 30 }),
      livenessProbe: exec('live', { periodSeconds: 10 }),
      readinessProbe: exec('ready', { periodSeconds: 10 }),
    }),
  );
  h.exits.start = 1;
  h.started('c1');
  await h.run(2);
  assert.equal(h.count('start'), 3);
  assert.equal(h.count('live') + h.count('ready'), 0);
  assert.equal(h.manager.isStarted(uid, 'app'), false);
  assert.equal(h.manager.isReady(uid, 'app'), false);
  assert.equal(h.manager.result(uid, 'app', 'startup'), 'unknown');

  h.exits.start = 0;
  await h.run(1);
  assert.equal(h.manager.isStarted(uid, 'app'), true);
  assert.equal(h.count('ready'), 1);
  assert.equal(h.manager.isReady(uid, 'app'), true);
  const startup = h.updates.filter((u) => u.probeType === 'startup');
  assert.deepEqual(startup.at(-1)?.result, 'success');
  assert.deepEqual(startup.at(-1)?.changed, true);

  await h.run(30);
  assert.equal(h.count('start'), 4);
  // Liveness keeps its own period: its first probe is on its 10 s grid after startup succeeded.
  assert.deepEqual(h.calls.filter((c) => c.cmd === 'live').map((c) => (c.at - h.start) / 1000), [10, 20, 30]);

  // A restarted container starts over with the startup probe.
  h.exits.start = 1;
  h.started('c2');
  assert.equal(h.manager.isStarted(uid, 'app'), false);
  assert.equal(h.manager.isReady(uid, 'app'), false);
  const before = h.count('live') + h.count('ready');
  await h.run(5);
  assert.equal(h.count('live') + h.count('ready'), before);
  await h.manager.close();
});

test('a startup probe that keeps failing asks for a kill with its own grace period', async () => {
  const h = harness();
  h.manager.addPod(podWith({ startupProbe: exec('start', { periodSeconds: 2, failureThreshold: 2, terminationGracePeriodSeconds: 7 }) }));
  h.exits.start = 1;
  h.started('c1');
  await h.run(2);
  assert.deepEqual(h.manager.probeKill(uid, 'app'), { reason: 'StartupProbe', message: 'Container app failed startup probe', gracePeriodSeconds: 7 });
  assert.equal(h.manager.isStarted(uid, 'app'), false);
  await h.manager.close();
});

test('containers that are not running are not probed', async () => {
  const h = harness();
  h.manager.addPod(podWith({ livenessProbe: exec('live', { periodSeconds: 1 }), readinessProbe: exec('ready', { periodSeconds: 1 }) }));
  h.manager.updateContainer(uid, 'app', { containerId: 'c1', startedAt: 0, running: false });
  await h.run(30);
  assert.equal(h.calls.length, 0);
  assert.equal(h.clock.pendingTimers, 0);

  h.started('c1');
  await h.run(2);
  assert.equal(h.count('live'), 3);
  assert.equal(h.manager.isReady(uid, 'app'), true);

  h.manager.updateContainer(uid, 'app', { containerId: 'c1', startedAt: h.start, running: false });
  assert.equal(h.manager.isReady(uid, 'app'), false);
  assert.equal(h.manager.isStarted(uid, 'app'), false);
  await h.run(30);
  assert.equal(h.count('live'), 3);
  assert.equal(h.clock.pendingTimers, 0);
  await h.manager.close();
});

test('removePod and close stop every timer and cancel probes in flight', async () => {
  const h = harness();
  h.manager.addPod(podWith({ livenessProbe: exec('live', { periodSeconds: 1 }), readinessProbe: exec('ready', { periodSeconds: 1 }) }));
  h.started('c1');
  await h.run(3);
  assert.ok(h.clock.pendingTimers > 0);
  h.manager.removePod(uid);
  assert.equal(h.clock.pendingTimers, 0);
  const seen = h.calls.length;
  await h.run(10);
  assert.equal(h.calls.length, seen);
  assert.equal(h.manager.isReady(uid, 'app'), false);

  h.exits.live = 'hang';
  h.manager.addPod(podWith({ livenessProbe: exec('live', { periodSeconds: 1, timeoutSeconds: 30 }) }));
  h.started('c2');
  await h.settle();
  assert.equal(h.hung.length, 1);
  const updates = h.updates.length;
  await h.manager.close();
  assert.equal(h.clock.pendingTimers, 0);
  assert.equal(h.updates.length, updates);
});

test('a probe that cannot be run is retried 3 times, reported as errored, and does not count', async () => {
  const h = harness();
  h.manager.addPod(podWith({ livenessProbe: exec('live', { periodSeconds: 10, failureThreshold: 1 }) }));
  h.exits.live = 'gone';
  h.started('c1');
  await h.settle();
  assert.equal(h.count('live'), 3);
  assert.equal(h.updates.length, 1);
  assert.deepEqual(h.updates[0].event, {
    type: 'Warning',
    reason: 'Unhealthy',
    message: 'Liveness probe errored and resulted in unknown state: container "c1" not found',
  });
  assert.equal(h.updates[0].outcome, 'error');
  assert.equal(h.manager.result(uid, 'app', 'liveness'), 'success');
  assert.equal(h.manager.probeKill(uid, 'app'), undefined);
  await h.manager.close();
});

test('a probe still running at its next period runs again as soon as it ends', async () => {
  const h = harness();
  h.manager.addPod(podWith({ readinessProbe: exec('ready', { periodSeconds: 1, timeoutSeconds: 10 }) }));
  h.exits.ready = 'hang';
  h.started('c1');
  await h.run(3);
  assert.equal(h.count('ready'), 1);
  h.exits.ready = 0;
  h.hung[0]({ stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: 0 });
  await h.settle();
  assert.equal(h.count('ready'), 2);
  assert.deepEqual(h.calls.map((c) => (c.at - h.start) / 1000), [0, 3]);
  await h.manager.close();
});

test('a deleted pod stops liveness and startup probing quietly; readiness goes on', async () => {
  const h = harness();
  const pod = podWith({ livenessProbe: exec('live', { periodSeconds: 1, failureThreshold: 1 }), readinessProbe: exec('ready', { periodSeconds: 1 }) });
  h.manager.addPod(pod);
  h.started('c1');
  await h.run(1);
  h.exits.live = 1;
  h.manager.addPod({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date(h.clock.now()).toISOString() } });
  const live = h.count('live');
  await h.run(5);
  assert.equal(h.count('live'), live);
  assert.equal(h.manager.result(uid, 'app', 'liveness'), 'success');
  assert.equal(h.manager.probeKill(uid, 'app'), undefined);
  assert.ok(h.count('ready') >= 6);
  await h.manager.close();
});

test('stopLivenessAndStartup leaves the container started and readiness probing', async () => {
  const h = harness();
  h.manager.addPod(podWith({ startupProbe: exec('start', { periodSeconds: 1 }), readinessProbe: exec('ready', { periodSeconds: 1 }) }));
  h.exits.start = 1;
  h.started('c1');
  await h.run(1);
  assert.equal(h.count('ready'), 0);
  h.manager.stopLivenessAndStartup(uid);
  assert.equal(h.manager.isStarted(uid, 'app'), true);
  await h.run(2);
  assert.equal(h.count('start'), 2);
  assert.ok(h.count('ready') >= 2);
  await h.manager.close();
});

test('a restarted kubelet spreads the first probes of running containers over a period', async () => {
  const h = harness({ random: () => 0.5 });
  h.manager.addPod(podWith({ livenessProbe: exec('live', { periodSeconds: 10 }) }));
  h.started('c1', h.clock.now() - 3_600_000);
  await h.run(4.5);
  assert.equal(h.count('live'), 0);
  await h.run(0.5);
  assert.deepEqual(h.calls.map((c) => (c.at - h.start) / 1000), [5]);
  await h.manager.close();
});

test('sidecar init containers are probed; plain init containers are not', async () => {
  const h = harness();
  h.manager.addPod(
    podWith(
      { readinessProbe: exec('app') },
      {
        initContainers: [
          { name: 'setup', readinessProbe: exec('setup') },
          { name: 'proxy', restartPolicy: 'Always', readinessProbe: exec('proxy') },
        ],
      },
    ),
  );
  for (const name of ['setup', 'proxy', 'app']) h.started(`id-${name}`, h.clock.now(), name);
  await h.settle();
  assert.deepEqual(h.calls.map((c) => c.cmd).sort(), ['app', 'proxy']);
  assert.equal(h.manager.isReady(uid, 'proxy'), true);
  await h.manager.close();
});

test('probes are counted in prober_probe_total by type and result', async () => {
  const registry = new Registry();
  const h = harness({ metrics: registerProberMetrics(registry) });
  h.manager.addPod(podWith({ livenessProbe: exec('live', { periodSeconds: 1, failureThreshold: 5 }) }));
  h.started('c1');
  await h.run(1);
  h.exits.live = 1;
  await h.run(2);
  const text = registry.render();
  const series = (result: string) => `prober_probe_total{probe_type="Liveness",result="${result}",container="app",pod="web",namespace="default",pod_uid="${uid}"}`;
  assert.ok(text.includes(`${series('successful')} 2`), text);
  assert.ok(text.includes(`${series('failed')} 2`), text);
  assert.ok(text.includes('prober_probe_duration_seconds_count{probe_type="Liveness",container="app",pod="web",namespace="default"} 4'), text);
  await h.manager.close();
});

test('httpGet readiness against a real server: the pod IP comes from the lookup and failures read as upstream', async (t) => {
  let code = 500;
  const server = http.createServer((_req, res) => {
    res.statusCode = code;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => server.close(r)));
  const port = (server.address() as AddressInfo).port;
  const h = harness({ podIP: (podUID) => (podUID === uid ? '127.0.0.1' : undefined) });
  h.manager.addPod(podWith({ ports: [{ name: 'http', containerPort: port }], readinessProbe: { httpGet: { port: 'http', path: '/healthz' }, periodSeconds: 1 } }));
  h.started('c1');
  h.clock.advance(0);
  const next = async (n: number) => {
    for (const end = Date.now() + 5000; h.updates.length < n; ) {
      assert.ok(Date.now() < end, 'no probe result');
      await new Promise((r) => setTimeout(r, 5));
    }
    return h.updates[n - 1];
  };
  assert.equal((await next(1)).event?.message, 'Readiness probe failed: HTTP probe failed with statuscode: 500');
  code = 200;
  h.clock.advance(1000);
  const ok = await next(2);
  assert.deepEqual([ok.outcome, ok.result, ok.changed, ok.event], ['success', 'success', true, undefined]);
  assert.equal(h.manager.isReady(uid, 'app'), true);
  await h.manager.close();
});
