import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '../../../machinery/fake-clock.ts';
import type { ContainerEvent } from '../events.ts';
import { NotFoundError, type ContainerConfig, type PodSandboxConfig } from '../runtime.ts';
import { IPAllocator } from '../ip-allocator.ts';
import { createFakeRuntime } from './runtime.ts';

let work: string;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'fake-runtime-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

function sandboxConfig(n: number, extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig {
  return {
    metadata: { name: `pod-${n}`, namespace: 'default', uid: `uid-${n}`, attempt: 0 },
    hostname: `pod-${n}`,
    logDirectory: join(work, 'logs', `pod-${n}`),
    portMappings: [],
    labels: {},
    annotations: {},
    hostNetwork: false,
    ...extra,
  };
}

function containerConfig(name: string): ContainerConfig {
  return {
    metadata: { name, attempt: 0 },
    image: 'nginx:1.27',
    command: ['nginx'],
    args: [],
    envs: [],
    mounts: [],
    labels: {},
    annotations: {},
    logPath: `${name}/0.log`,
    stdin: false,
    stdinOnce: false,
    tty: false,
  };
}

describe('IPAllocator', () => {
  it('hands out addresses in order after the gateway, wraps around and reuses released ones', () => {
    const ips = new IPAllocator('10.1.2.0/29');
    assert.equal(ips.gateway, '10.1.2.1');
    const got = [ips.allocate(), ips.allocate(), ips.allocate(), ips.allocate(), ips.allocate()];
    assert.deepEqual(got, ['10.1.2.2', '10.1.2.3', '10.1.2.4', '10.1.2.5', '10.1.2.6']);
    assert.throws(() => ips.allocate(), /no IP addresses available in range set 10\.1\.2\.0\/29/);
    ips.release('10.1.2.4');
    assert.equal(ips.allocate(), '10.1.2.4');
    assert.equal(ips.allocated, 5);
  });

  it('normalizes the CIDR and rejects bad ones', () => {
    assert.equal(new IPAllocator('10.88.7.9/16').cidr, '10.88.0.0/16');
    for (const bad of ['10.0.0.0', '10.0.0.0/31', '300.0.0.0/8', 'fd00::/64']) assert.throws(() => new IPAllocator(bad), /invalid pod CIDR/);
  });
});

describe('fake runtime', () => {
  it('runs the lifecycle of sandboxes and containers without running anything', async () => {
    const clock = new FakeClock();
    const rt = createFakeRuntime({ clock, podCIDR: '10.88.0.0/16' });
    const events: ContainerEvent[] = [];
    rt.onEvent((e) => events.push(e));
    assert.equal((await rt.version()).runtimeName, 'fake');
    assert.equal((await rt.pullImage('nginx:1.27')).image, 'docker.io/library/nginx:1.27');

    const sandbox = sandboxConfig(1);
    const sid = await rt.runPodSandbox(sandbox);
    const status = await rt.podSandboxStatus(sid);
    assert.deepEqual([status.state, status.ip, status.createdAt], ['ready', '10.88.0.2', clock.now()]);
    const cid = await rt.createContainer(sid, containerConfig('web'), sandbox);
    assert.equal((await rt.containerStatus(cid)).state, 'created');
    await assert.rejects(rt.createContainer(sid, containerConfig('web'), sandbox), /is reserved for/);
    clock.advance(1000);
    await rt.startContainer(cid);
    const running = await rt.containerStatus(cid);
    assert.deepEqual([running.state, running.startedAt, running.image], ['running', clock.now(), 'docker.io/library/nginx:1.27']);
    assert.ok(existsSync(running.logPath));
    assert.equal(readFileSync(running.logPath, 'utf8'), '');

    assert.deepEqual(await rt.execSync(cid, ['cat', '/etc/hostname'], 1), { exitCode: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) });
    assert.equal(await rt.exec(cid, ['sh'], { tty: false }), 0);
    await assert.rejects(rt.portForward(sid, 80), /not supported by the fake runtime/);

    const attached = rt.attach(cid, { stdin: new PassThrough(), stdout: new PassThrough(), tty: false });
    clock.advance(1000);
    await rt.stopContainer(cid, 30);
    await attached;
    const stopped = await rt.containerStatus(cid);
    assert.deepEqual([stopped.state, stopped.exitCode, stopped.reason, stopped.finishedAt], ['exited', 0, 'Completed', clock.now()]);
    await rt.stopContainer(cid, 30);

    await rt.stopPodSandbox(sid);
    assert.equal((await rt.podSandboxStatus(sid)).state, 'notready');
    await rt.removePodSandbox(sid);
    await assert.rejects(rt.podSandboxStatus(sid), NotFoundError);
    await assert.rejects(rt.containerStatus(cid), NotFoundError);
    assert.deepEqual(events.map((e) => e.type), ['created', 'started', 'stopped', 'deleted']);
    await rt.close();
  });

  it('allocates sandbox IPs from the pod CIDR, releases them on removal, and gives host-network pods the node IP', async () => {
    const rt = createFakeRuntime({ podCIDR: '10.244.1.0/24', nodeIP: '192.168.1.10', writeLogs: false });
    const a = await rt.runPodSandbox(sandboxConfig(1));
    const b = await rt.runPodSandbox(sandboxConfig(2));
    const host = await rt.runPodSandbox(sandboxConfig(3, { hostNetwork: true }));
    assert.deepEqual(await Promise.all([a, b, host].map(async (id) => (await rt.podSandboxStatus(id)).ip)), ['10.244.1.2', '10.244.1.3', '192.168.1.10']);
    await rt.removePodSandbox(a);
    const c = await rt.runPodSandbox(sandboxConfig(4));
    assert.equal((await rt.podSandboxStatus(c)).ip, '10.244.1.4');
    const ips = new Set<string>();
    for (let i = 5; i < 5 + 251; i++) ips.add((await rt.podSandboxStatus(await rt.runPodSandbox(sandboxConfig(i)))).ip);
    assert.ok(ips.has('10.244.1.2'), 'the released address came round again');
    await assert.rejects(rt.runPodSandbox(sandboxConfig(999)), /no IP addresses available/);
    await rt.close();
  });

  it('lets a test make a container crash on the injected clock, and inject exec results', async () => {
    const clock = new FakeClock();
    const rt = createFakeRuntime({
      clock,
      writeLogs: false,
      containerExits: (config) => (config.metadata.name === 'crasher' ? { exitCode: 2, afterMs: 5000 } : undefined),
      exec: (_config, cmd) => (cmd[0] === 'fail' ? { exitCode: 1, stdout: 'out', stderr: 'probe failed' } : undefined),
    });
    const sandbox = sandboxConfig(1);
    const sid = await rt.runPodSandbox(sandbox);
    const crasher = await rt.createContainer(sid, containerConfig('crasher'), sandbox);
    const steady = await rt.createContainer(sid, containerConfig('steady'), sandbox);
    await rt.startContainer(crasher);
    await rt.startContainer(steady);
    const started = clock.now();
    clock.advance(4999);
    assert.equal((await rt.containerStatus(crasher)).state, 'running');
    const exec = await rt.execSync(crasher, ['fail'], 1);
    assert.deepEqual([exec.exitCode, exec.stdout.toString(), exec.stderr.toString()], [1, 'out', 'probe failed']);
    clock.advance(1);
    const crashed = await rt.containerStatus(crasher);
    assert.deepEqual([crashed.state, crashed.exitCode, crashed.reason, crashed.finishedAt], ['exited', 2, 'Error', started + 5000]);
    assert.deepEqual((await rt.listContainers({ podSandboxId: sid, state: 'running' })).map((c) => c.id), [steady]);
    await assert.rejects(rt.execSync(crasher, ['true'], 1), /not running/);
    assert.equal(clock.pendingTimers, 0);

    // Stopping first cancels the injected exit.
    const again = await rt.createContainer(sid, { ...containerConfig('crasher'), metadata: { name: 'crasher', attempt: 1 } }, sandbox);
    await rt.startContainer(again);
    await rt.stopContainer(again, 0);
    assert.equal(clock.pendingTimers, 0);
    assert.equal((await rt.containerStatus(again)).exitCode, 0);
    await rt.close();
  });

  it('holds 5,000 sandboxes with a container each', async () => {
    const rt = createFakeRuntime({ podCIDR: '10.0.0.0/16', writeLogs: false });
    const n = 5000;
    for (let i = 0; i < n; i++) {
      const sandbox = sandboxConfig(i);
      const sid = await rt.runPodSandbox(sandbox);
      await rt.startContainer(await rt.createContainer(sid, containerConfig('c'), sandbox));
    }
    const sandboxes = await rt.listPodSandbox();
    assert.equal(sandboxes.length, n);
    assert.equal(new Set(sandboxes.map((s) => s.ip)).size, n);
    assert.equal((await rt.listContainers({ state: 'running' })).length, n);
    assert.equal((await rt.listContainers({ podSandboxId: sandboxes[42].id })).length, 1);
    for (const s of sandboxes.slice(0, 1000)) await rt.removePodSandbox(s.id);
    assert.equal((await rt.listContainers()).length, n - 1000);
    await rt.close();
  });

  it('rejects calls on unknown ids with NotFoundError', async () => {
    const rt = createFakeRuntime({ writeLogs: false });
    await assert.rejects(rt.startContainer('nope'), NotFoundError);
    await assert.rejects(rt.stopPodSandbox('nope'), NotFoundError);
    await assert.rejects(rt.portForward('nope', 80), NotFoundError);
    await rt.close();
  });
});
