// The cri runtime against the machine's containerd: busybox pods on the CNI bridge, served over HTTP from
// the host, CRI log files, exit codes, stop timeouts, exec (sync and streamed), attach, port-forward,
// adoption by a second runtime after close(), and removal that leaves neither CRI objects nor cgroups.
// Skipped (with the reason) where containerd does not answer and we are not root to set it up.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { until } from '../../../../test/support/until.ts';
import { parseLogLine } from '../cri-log.ts';
import { NotFoundError, type ContainerConfig, type ContainerRuntime, type ContainerStatus, type PodSandboxConfig } from '../runtime.ts';
import { cgroupMounts } from './cgroups.ts';
import { createCriClient } from './client.ts';
import { criAvailable, createCriRuntime, defaultEndpoint, TimeoutError } from './runtime.ts';
import { criSkipReason, ensureCri } from './testing.ts';

const endpoint = process.env.K8TS_CRI_ENDPOINT ?? defaultEndpoint;
const skip = await criSkipReason(endpoint);
/** Every sandbox of this run carries it, so the clean-up finds exactly ours. */
const testLabel = 'k8ts.io/cri-runtime-test';
const runId = `${process.pid}-${Date.now().toString(36)}`;

function fetchText(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
}

describe('cri runtime (containerd)', { skip }, () => {
  let runtime: ContainerRuntime;
  let work: string;
  let pods = 0;
  const latencies: number[] = [];

  function sandboxConfig(name: string): PodSandboxConfig {
    const n = pods++;
    const uid = `k8ts-cri-${runId}-${n}`;
    const logDirectory = join(work, 'logs', `default_${name}_${uid}`);
    mkdirSync(logDirectory, { recursive: true });
    return {
      metadata: { name, namespace: 'default', uid, attempt: 0 },
      hostname: name,
      logDirectory,
      portMappings: [],
      labels: { [testLabel]: runId, 'io.kubernetes.pod.uid': uid, 'io.kubernetes.pod.name': name, 'io.kubernetes.pod.namespace': 'default' },
      annotations: { 'k8ts.io/note': name },
      hostNetwork: false,
    };
  }

  function containerConfig(name: string, command: string[], extra: Partial<ContainerConfig> = {}): ContainerConfig {
    return {
      metadata: { name, attempt: 0 },
      image: 'busybox',
      command,
      args: [],
      envs: [],
      mounts: [],
      labels: { 'io.kubernetes.container.name': name },
      annotations: {},
      logPath: `${name}/0.log`,
      stdin: false,
      stdinOnce: false,
      tty: false,
      ...extra,
    };
  }

  /** Creates a pod with one container and starts it; records create → running latency. */
  async function runPod(name: string, command: string[], extra: Partial<ContainerConfig> = {}) {
    const sandbox = sandboxConfig(name);
    const started = performance.now();
    const sandboxId = await runtime.runPodSandbox(sandbox);
    await runtime.pullImage('busybox');
    const config = containerConfig('c', command, extra);
    const id = await runtime.createContainer(sandboxId, config, sandbox);
    await runtime.startContainer(id);
    return { sandbox, sandboxId, id, config, started };
  }

  async function waitExited(id: string): Promise<ContainerStatus> {
    return until(`container ${id} exited`, async () => {
      const s = await runtime.containerStatus(id);
      return s.state === 'exited' ? s : undefined;
    });
  }

  before(async () => {
    await ensureCri(endpoint);
    work = mkdtempSync(join(tmpdir(), 'k8ts-cri-'));
    runtime = createCriRuntime({ endpoint });
    // Pods of an earlier run of this file that was killed before its clean-up (its process is gone).
    for (const s of await runtime.listPodSandbox()) {
      const pid = Number(s.labels[testLabel]?.split('-')[0]);
      if (pid > 0 && !processAlive(pid)) await runtime.removePodSandbox(s.id).catch(() => undefined);
    }
  });

  after(async () => {
    if (runtime) {
      // Whatever a failed test left behind.
      const cleaner = createCriRuntime({ endpoint });
      for (const s of await cleaner.listPodSandbox()) {
        if (s.labels[testLabel] === runId) await cleaner.removePodSandbox(s.id).catch(() => undefined);
      }
      await cleaner.close();
      await runtime.close();
    }
    if (work) rmSync(work, { recursive: true, force: true });
    if (latencies.length > 0) {
      const sorted = [...latencies].sort((a, b) => a - b);
      console.log(`# pod create → container running: ${latencies.map((l) => l.toFixed(0)).join(', ')} ms (median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms)`);
    }
  });

  it('answers Version and reports images without pulling them', async () => {
    const v = await runtime.version();
    assert.equal(v.runtimeName, 'containerd');
    assert.equal(v.runtimeApiVersion, 'v1');
    assert.equal(await criAvailable(endpoint), true);
    assert.equal(await criAvailable('unix:///nonexistent/cri.sock', 500), false);
    const image = await runtime.pullImage('busybox');
    assert.equal(image.image, 'docker.io/library/busybox:latest');
    assert.match(image.imageRef, /^sha256:[0-9a-f]{64}$/);
    assert.ok(image.sizeBytes > 0);
    assert.equal(await runtime.imageStatus('localhost/k8ts-absent:1'), undefined);
    await assert.rejects(runtime.pullImage('localhost:1/k8ts-absent:1'), /image "localhost:1\/k8ts-absent:1" is not on this node and pulling it failed/);
  });

  it('runs busybox httpd pods that serve a mounted directory at their pod IPs', async () => {
    const www = join(work, 'www');
    mkdirSync(www);
    writeFileSync(join(www, 'index.html'), 'hello from a hostPath mount\n');
    const started: { sandboxId: string; id: string; started: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const pod = await runPod(`web-${i}`, ['httpd', '-f', '-p', '8080', '-h', '/www'], {
        mounts: [{ containerPath: '/www', hostPath: www, readonly: true }],
        envs: [{ key: 'GREETING', value: `hi from ${i}` }],
      });
      const status = await runtime.containerStatus(pod.id);
      assert.equal(status.state, 'running');
      latencies.push(performance.now() - pod.started);
      started.push(pod);
    }
    const ips = new Set<string>();
    for (const [i, pod] of started.entries()) {
      const sandbox = await runtime.podSandboxStatus(pod.sandboxId);
      assert.equal(sandbox.state, 'ready');
      assert.match(sandbox.ip, /^10\.244\.0\.\d+$/);
      assert.equal(sandbox.annotations['k8ts.io/note'], `web-${i}`);
      ips.add(sandbox.ip);
      const res = await until('httpd answering', () => fetchText(`http://${sandbox.ip}:8080/`).catch(() => undefined), 10_000);
      assert.deepEqual(res, { status: 200, body: 'hello from a hostPath mount\n' });
      const env = await runtime.execSync(pod.id, ['sh', '-c', 'echo $GREETING'], 10);
      assert.equal(env.stdout.toString(), `hi from ${i}\n`);
    }
    assert.equal(ips.size, 3, 'each pod has its own IP');

    const listed = await runtime.listContainers({ state: 'running' });
    for (const pod of started) {
      const c = listed.find((x) => x.id === pod.id);
      assert.ok(c, 'listed as running');
      assert.equal(c.podSandboxId, pod.sandboxId);
      assert.equal(c.image, 'docker.io/library/busybox:latest');
      assert.ok(c.startedAt >= c.createdAt && c.createdAt > Date.now() - 120_000);
    }
    const sandboxes = (await runtime.listPodSandbox()).filter((s) => s.labels[testLabel] === runId);
    assert.ok(started.every((p) => sandboxes.some((s) => s.id === p.sandboxId && s.ip !== '')));
    for (const pod of started) await runtime.removePodSandbox(pod.sandboxId);
  });

  it('writes container output to the CRI log file and reports exit codes and reasons', async () => {
    const failing = await runPod('logs', ['sh', '-c', 'echo out; echo err >&2; exit 3']);
    const status = await waitExited(failing.id);
    assert.equal(status.exitCode, 3);
    assert.equal(status.reason, 'Error');
    assert.ok(status.finishedAt >= status.startedAt && status.startedAt > 0);
    assert.equal(status.logPath, join(failing.sandbox.logDirectory, 'c/0.log'));
    const lines = readFileSync(status.logPath, 'utf8').trim().split('\n').map((l) => parseLogLine(l)!);
    assert.deepEqual(lines.map((l) => [l.stream, l.tag, l.content.toString()]).sort(), [['stderr', 'F', 'err'], ['stdout', 'F', 'out']]);
    assert.match(lines[0].timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);

    const ok = await runPod('done', ['true']);
    const done = await waitExited(ok.id);
    assert.equal(done.exitCode, 0);
    assert.equal(done.reason, 'Completed');
    assert.deepEqual((await runtime.listContainers({ podSandboxId: ok.sandboxId, state: 'exited' })).map((c) => c.id), [ok.id]);
    await runtime.removePodSandbox(failing.sandboxId);
    await runtime.removePodSandbox(ok.sandboxId);
  });

  it('stops a container with SIGTERM, and with SIGKILL after the timeout when it ignores SIGTERM', async () => {
    const graceful = await runPod('graceful', ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done']);
    let t = performance.now();
    await runtime.stopContainer(graceful.id, 10);
    assert.ok(performance.now() - t < 5000, 'stopped well before the timeout');
    const stopped = await runtime.containerStatus(graceful.id);
    assert.equal(stopped.state, 'exited');
    assert.equal(stopped.exitCode, 0);
    // Stopping an exited container is not an error.
    await runtime.stopContainer(graceful.id, 10);

    // busybox httpd as PID 1 ignores SIGTERM.
    const stubborn = await runPod('stubborn', ['httpd', '-f', '-p', '8080']);
    t = performance.now();
    await runtime.stopContainer(stubborn.id, 1);
    const elapsed = performance.now() - t;
    assert.ok(elapsed >= 900 && elapsed < 10_000, `stopped after ${elapsed} ms`);
    assert.equal((await runtime.containerStatus(stubborn.id)).exitCode, 137);
    await runtime.removeContainer(stubborn.id);
    await assert.rejects(runtime.containerStatus(stubborn.id), NotFoundError);
    await runtime.removePodSandbox(graceful.sandboxId);
    await runtime.removePodSandbox(stubborn.sandboxId);
  });

  it('runs commands in a container: execSync with a timeout, exec with stdin and a tty, attach', async () => {
    const pod = await runPod('exec', ['sh', '-c', 'read line; echo "got $line"; sleep 3600'], { stdin: true, stdinOnce: true });

    const sync = await runtime.execSync(pod.id, ['sh', '-c', 'echo hi; echo oops >&2; exit 2'], 10);
    assert.deepEqual([sync.stdout.toString(), sync.stderr.toString(), sync.exitCode], ['hi\n', 'oops\n', 2]);
    const t = performance.now();
    await assert.rejects(runtime.execSync(pod.id, ['sleep', '30'], 1), (err: Error) => err instanceof TimeoutError && /timed out after 1s/.test(err.message));
    assert.ok(performance.now() - t < 10_000);

    const out = collect();
    const err = collect();
    const code = await runtime.exec(pod.id, ['sh', '-c', 'cat; echo to-stderr >&2; exit 7'], { stdin: Readable.from([Buffer.from('from stdin\n')]), stdout: out.stream, stderr: err.stream, tty: false });
    assert.equal(code, 7);
    assert.equal(out.text(), 'from stdin\n');
    assert.equal(err.text(), 'to-stderr\n');

    const term = collect();
    assert.equal(await runtime.exec(pod.id, ['sh', '-c', 'tty; echo $TERM'], { stdout: term.stream, tty: true }), 0);
    assert.match(term.text(), /^\/dev\/pts\/\d+\r?\nxterm\r?\n$/);

    // The container waits for a line on its stdin: attach sends it and sees the answer.
    const attached = collect();
    const stdin = new PassThrough();
    const attachedErr = new PassThrough();
    const attaching = runtime.attach(pod.id, { stdin, stdout: attached.stream, stderr: attachedErr, tty: false });
    stdin.end('hello\n');
    await until('the attached output', async () => attached.text().includes('got hello'), 10_000);
    // The caller going away (its output streams closed) ends the attach; the container keeps running.
    attached.stream.destroy();
    attachedErr.destroy();
    await attaching;
    assert.equal((await runtime.containerStatus(pod.id)).state, 'running');
    await runtime.removePodSandbox(pod.sandboxId);
  });

  it('forwards a port into the pod network, framed with the port little-endian first', async () => {
    const pod = await runPod('forward', ['httpd', '-f', '-p', '127.0.0.1:8080', '-h', '/www']);
    // httpd listens on the pod's loopback only: port-forward reaches it, the host does not.
    const conn = await until('a forwarded connection answering', async () => {
      const c = await runtime.portForward(pod.sandboxId, 8080);
      let body = '';
      c.on('data', (d: Buffer) => (body += d.toString()));
      c.write('GET /index.html HTTP/1.0\r\n\r\n');
      await new Promise<void>((resolve) => {
        c.once('close', () => resolve());
        c.once('error', () => resolve());
      });
      return body.startsWith('HTTP/1.') ? body : undefined;
    }, 10_000);
    assert.match(conn, /^HTTP\/1\.[01] 200 OK/);
    assert.match(conn, /hello from a CRI pod\n$/);

    const refused = await runtime.portForward(pod.sandboxId, 9);
    refused.resume();
    const error = await new Promise<Error>((resolve) => refused.once('error', resolve));
    assert.match(error.message, /connection refused/);
    assert.doesNotMatch(error.message, /^error forwarding port/);

    // What the client strips: the first message on each channel starts with the port, little-endian.
    const client = createCriClient(endpoint);
    try {
      const { url } = await client.call('PortForward', { pod_sandbox_id: pod.sandboxId, port: [8080] }, 10_000);
      const ws = new WebSocket(`${url.replace(/^http/, 'ws')}?port=8080`, ['v4.channel.k8s.io']);
      const first = await new Promise<Buffer[]>((resolve, reject) => {
        const got: Buffer[] = [];
        ws.on('message', (m: Buffer) => {
          got.push(m);
          if (got.length === 2) resolve(got);
        });
        ws.once('error', reject);
      });
      ws.terminate();
      assert.deepEqual(first.map((m) => [...m]).sort(), [[0, 8080 & 0xff, 8080 >> 8], [1, 8080 & 0xff, 8080 >> 8]]);
    } finally {
      client.close();
    }
    await runtime.removePodSandbox(pod.sandboxId);
  });

  it('rejects calls on unknown ids with NotFoundError', async () => {
    const missing = 'f'.repeat(64);
    await assert.rejects(runtime.containerStatus(missing), NotFoundError);
    await assert.rejects(runtime.removeContainer(missing), NotFoundError);
    await assert.rejects(runtime.stopContainer(missing, 1), NotFoundError);
    await assert.rejects(runtime.execSync(missing, ['true'], 1), NotFoundError);
    await assert.rejects(runtime.podSandboxStatus(missing), NotFoundError);
    await assert.rejects(runtime.removePodSandbox(missing), NotFoundError);
    await assert.rejects(runtime.stopPodSandbox(missing), NotFoundError);
  });

  it('leaves pods running on close; a new runtime adopts them and removal leaves nothing behind', async () => {
    // QoS parents made before this test (by an earlier kubelet on this machine) are not this run's to remove.
    const qosBefore = new Set(cgroupMounts().map((m) => join(m, 'kubepods', 'besteffort')).filter((dir) => existsSync(dir)));
    // A pod of the long-lived runtime holds the QoS parent cgroups, which that runtime then owns.
    const keeper = await runPod('keeper', ['sleep', '3600']);
    const first = createCriRuntime({ endpoint });
    const sandbox = sandboxConfig('adopted');
    const sandboxId = await first.runPodSandbox(sandbox);
    const id = await first.createContainer(sandboxId, containerConfig('c', ['sleep', '3600']), sandbox);
    await first.startContainer(id);
    await first.close();
    await assert.rejects(first.listPodSandbox(), /closed/);

    const second = createCriRuntime({ endpoint });
    try {
      const found = (await second.listPodSandbox()).find((s) => s.metadata.uid === sandbox.metadata.uid);
      assert.equal(found?.state, 'ready');
      const containers = await second.listContainers({ podSandboxId: sandboxId });
      assert.deepEqual(containers.map((c) => [c.id, c.state, c.labels['io.kubernetes.container.name']]), [[id, 'running', 'c']]);

      const podCgroups = cgroupMounts().map((m) => join(m, 'kubepods', 'besteffort', `pod${sandbox.metadata.uid}`));
      assert.ok(podCgroups.some((dir) => existsSync(dir)), 'runc made the pod cgroup');
      await second.stopPodSandbox(sandboxId);
      assert.equal((await second.containerStatus(id)).state, 'exited');
      await second.removePodSandbox(sandboxId);
      assert.deepEqual(podCgroups.filter((dir) => existsSync(dir)), [], 'no pod cgroup left');
      await assert.rejects(second.containerStatus(id), NotFoundError);
    } finally {
      await second.close();
    }
    await runtime.removePodSandbox(keeper.sandboxId);

    // Nothing of this run is left in containerd or in the cgroup hierarchies.
    const client = createCriClient(endpoint);
    try {
      const { items } = await client.call('ListPodSandbox', { filter: { label_selector: { [testLabel]: runId } } }, 10_000);
      assert.deepEqual(items, []);
      const { containers } = await client.call('ListContainers', {}, 10_000);
      assert.deepEqual(containers.filter((c) => c.pod_sandbox_id === sandboxId || c.pod_sandbox_id === keeper.sandboxId), []);
    } finally {
      client.close();
    }
    for (const m of cgroupMounts()) {
      const qos = join(m, 'kubepods', 'besteffort');
      if (!existsSync(qos)) continue;
      // The parents stay only while pods of another kubelet on this machine use them.
      const pods = readdirSync(qos, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
      if (!qosBefore.has(qos)) assert.ok(pods.length > 0, `${qos} is empty but still there`);
      assert.deepEqual(pods.filter((p) => p.startsWith(`podk8ts-cri-${runId}-`)), []);
    }
  });
});
