// The kubelet of `k8ts up`, driven with the real kubectl 1.33 and 1.27, the same user scenarios on each
// container runtime: a Ready node with its lease, the control plane as mirror pods in kube-system, pods
// with their own IPs, configMap volumes and downward-API env, readiness probes that flip, crash loops
// with back-off, Jobs to completion, logs, exec with stdin and exit codes, port-forward and cp,
// graceful deletion with a preStop hook, and static pods with their mirror pods.
// A runtime's test file calls kubeletScenarios inside its describe, with what differs on that runtime.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { kubectlPath, startCluster, type Cluster } from '../support/k8ts-cluster.ts';
import { deployment } from '../support/manifests.ts';
import { until } from '../support/until.ts';

/** What differs between container runtimes in these scenarios. */
export interface KubeletRuntime {
  /** Arguments of `k8ts up` that pick the runtime. */
  upArgs: string[];
  /** The node's status.nodeInfo.containerRuntimeVersion. */
  runtimeVersion: RegExp;
  /** Every pod IP (each pod has its own). */
  podIP: RegExp;
  /**
   * Pods are containers with their own network and UTS namespaces (their own localhost and hostname);
   * false where they are host processes.
   */
  ownNamespaces: boolean;
  /**
   * How a preStop hook leaves its mark in `hostDir`, a directory of the host: the path the hook writes
   * `prestop` to (it must end up as hostDir/prestop), and the mounts the container needs for that.
   */
  preStopMark(hostDir: string): { path: string; volumeMounts?: object[]; volumes?: object[] };
  /** Before the cluster starts. */
  setUp?(): Promise<void>;
  /** After the cluster has stopped (its data dir is gone), with the path that dir had. */
  cleanUp?(dataDir: string): Promise<void>;
}

function fetchText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/** Runs `kubectl port-forward` and resolves with the local port once it listens. */
function portForward(cluster: Cluster, version: string, target: string, remotePort: number): Promise<{ port: number; stop(): Promise<void> }> {
  const child = spawn(kubectlPath(version), ['--kubeconfig', cluster.kubeconfig, 'port-forward', target, `:${remotePort}`], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfig, HOME: cluster.dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (c: Buffer): void => {
      output += c.toString();
      const m = /Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(output);
      if (m) resolve({ port: Number(m[1]), stop });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(() => reject(new Error(`kubectl port-forward exited: ${output}`)));
  });
}

/** Registers the scenarios (with their before and after) in the enclosing describe. */
export function kubeletScenarios(runtime: KubeletRuntime): void {
  let cluster: Cluster;
  // Files the test shares with pods (the preStop mark) and copies in and out.
  let files: string | undefined;

  before(async () => {
    files = mkdtempSync(join(tmpdir(), 'k8ts-kubelet-e2e-files-'));
    await runtime.setUp?.();
    cluster = await startCluster(runtime.upArgs);
  });
  after(async () => {
    const dataDir = cluster?.dataDir;
    try {
      await cluster?.stop();
    } finally {
      if (dataDir) await runtime.cleanUp?.(dataDir);
      if (files) rmSync(files, { recursive: true, force: true });
    }
  });

  test('registers a Ready node that reports its runtime and capacity', async () => {
    const node = await until('a Ready node', async () => {
      const list = await cluster.json(['get', 'nodes']);
      const n = list.items[0];
      return n?.status?.conditions?.find((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True') ? n : undefined;
    });
    assert.match(node.status.nodeInfo.containerRuntimeVersion, runtime.runtimeVersion);
    assert.equal(node.status.capacity.pods, '110');
    assert.ok(node.status.daemonEndpoints.kubeletEndpoint.Port > 0);
    const lease = await cluster.json(['get', 'lease', '-n', 'kube-node-lease', node.metadata.name]);
    assert.equal(lease.spec.holderIdentity, node.metadata.name);
  });

  test('kube-system shows each control-plane component as a Running, Ready mirror pod with its logs', async () => {
    const node = (await cluster.json(['get', 'nodes'])).items[0].metadata.name;
    const components = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy'];
    await until('every control-plane pod Ready', async () => {
      const pods = (await cluster.json(['get', 'pods', '-n', 'kube-system'])).items as { metadata: { name: string }; status?: { phase?: string; conditions?: { type: string; status: string }[] } }[];
      return components.every((c) => {
        const p = pods.find((x) => x.metadata.name === `${c}-${node}`);
        return p?.status?.phase === 'Running' && p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True');
      });
    });
    const table = await cluster.ok(['get', 'pods', '--namespace=kube-system']);
    for (const c of components) assert.match(table, new RegExp(`^${c}-${node}\\s+1/1\\s+Running`, 'm'));
    assert.match(await cluster.ok(['logs', '-n', 'kube-system', `kube-scheduler-${node}`]), /kube-scheduler: /);
  });

  test('a Deployment of busybox httpd serves a configMap-mounted file at each pod IP', async () => {
    await cluster.ok(['create', 'configmap', 'www', '--from-literal=index.html=hello from a configMap']);
    await cluster.ok(
      ['apply', '-f', '-'],
      deployment('web', 2, {
        containers: [
          {
            name: 'httpd',
            image: 'busybox',
            command: ['httpd', '-f', '-p', '$(POD_IP):8080', '-h', '/www'],
            env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
            volumeMounts: [{ name: 'www', mountPath: '/www' }],
            readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
          },
        ],
        volumes: [{ name: 'www', configMap: { name: 'www' } }],
      }),
    );
    await cluster.ok(['rollout', 'status', 'deployment/web', '--timeout=90s']);
    const pods = (await cluster.json(['get', 'pods', '-l', 'app=web'])).items;
    assert.equal(pods.length, 2);
    const ips = pods.map((p: { status: { podIP: string } }) => p.status.podIP);
    assert.notEqual(ips[0], ips[1], 'each pod has its own address');
    for (const ip of ips) {
      assert.match(ip, runtime.podIP);
      assert.equal(await fetchText(`http://${ip}:8080/`), 'hello from a configMap');
    }
  });

  test('readiness follows the probe both ways', async () => {
    await cluster.ok(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'flip' },
        spec: {
          containers: [
            {
              name: 'c',
              image: 'busybox',
              command: ['sh', '-c', 'sleep 3600'],
              readinessProbe: { exec: { command: ['cat', '/data/ready'] }, periodSeconds: 1, failureThreshold: 1 },
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
        },
      }),
    );
    const ready = async () => (await cluster.json(['get', 'pod', 'flip'])).status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.status;
    await until('flip running, not ready', async () => (await cluster.json(['get', 'pod', 'flip'])).status?.phase === 'Running' && (await ready()) === 'False');
    await cluster.ok(['exec', 'flip', '--', 'touch', '/data/ready']);
    await until('flip ready', async () => (await ready()) === 'True');
    await cluster.ok(['exec', 'flip', '--', 'rm', '/data/ready']);
    await until('flip not ready again', async () => (await ready()) === 'False');
  });

  test('a crashing container goes to CrashLoopBackOff with restarts counted and previous logs kept', async () => {
    await cluster.ok(['run', 'crash', '--image=busybox', '--', 'sh', '-c', 'echo crashing; exit 3']);
    const status = await until(
      'CrashLoopBackOff',
      async () => {
        const s = (await cluster.json(['get', 'pod', 'crash'])).status?.containerStatuses?.[0];
        return s?.state?.waiting?.reason === 'CrashLoopBackOff' && s.restartCount >= 1 ? s : undefined;
      },
      60_000,
    );
    assert.equal(status.lastState.terminated.exitCode, 3);
    assert.equal(status.lastState.terminated.reason, 'Error');
    assert.match(status.imageID, /sha256:[0-9a-f]{64}/);
    assert.match(await cluster.ok(['get', 'pod', 'crash']), /CrashLoopBackOff/);
    assert.equal((await cluster.ok(['logs', 'crash', '--previous'])).trim(), 'crashing');
    const events = await cluster.ok(['get', 'events', '--field-selector', 'involvedObject.name=crash,reason=BackOff']);
    assert.match(events, /Back-off restarting failed container crash/);
  });

  test('a Job runs to completion', async () => {
    await cluster.ok(['create', 'job', 'once', '--image=busybox', '--', 'sh', '-c', 'echo job done']);
    await cluster.ok(['wait', '--for=condition=Complete', 'job/once', '--timeout=60s']);
    const pod = (await cluster.json(['get', 'pods', '-l', 'job-name=once'])).items[0];
    assert.equal(pod.status.phase, 'Succeeded');
    assert.equal(pod.status.containerStatuses[0].state.terminated.reason, 'Completed');
    assert.equal((await cluster.ok(['logs', 'job/once'])).trim(), 'job done');
  });

  for (const version of ['1.33', '1.27']) {
    test(`logs and exec through the API server with kubectl ${version}`, async () => {
      const name = `talk-${version.replace('.', '')}`;
      await cluster.ok(['run', name, '--image=busybox', '--', 'sh', '-c', 'echo out; echo err >&2; sleep 3600']);
      await cluster.ok(['wait', '--for=condition=Ready', `pod/${name}`, '--timeout=60s']);
      const logs = await cluster.kubectl(['logs', name], { version });
      assert.equal(logs.code, 0, logs.stderr);
      assert.deepEqual(logs.stdout.trim().split('\n').sort(), ['err', 'out']);
      const tail = await cluster.kubectl(['logs', name, '--tail=1', '--timestamps'], { version });
      assert.match(tail.stdout, /^\d{4}-\d\d-\d\dT[\d:.]+Z (out|err)\n$/);
      const exec = await cluster.kubectl(['exec', '-i', name, '--', 'sh', '-c', 'cat; echo to-stderr >&2; exit 7'], { version, input: 'from stdin\n' });
      assert.equal(exec.code, 7, exec.stderr);
      assert.equal(exec.stdout, 'from stdin\n');
      assert.match(exec.stderr, /to-stderr/);
      if (runtime.ownNamespaces) {
        const host = await cluster.kubectl(['exec', name, '--', 'hostname'], { version });
        assert.equal(host.stdout.trim(), name, 'the command ran in the pod, not on the host');
      }
      const missing = await cluster.kubectl(['logs', name, '-c', 'nope'], { version });
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /container nope is not valid for pod/);
    });
  }

  for (const version of ['1.33', '1.27']) {
    test(`port-forward and cp with kubectl ${version}`, async () => {
      const name = `files-${version.replace('.', '')}`;
      const httpd = runtime.ownNamespaces
        ? // On the pod's own localhost: only port-forward (into the pod's network namespace) reaches it.
          { command: ['httpd', '-f', '-p', '127.0.0.1:8080', '-h', '/www'] }
        : // A host process: on the pod's own loopback address, where port-forward dials it.
          { command: ['httpd', '-f', '-p', '$(POD_IP):8080', '-h', '/www'], env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] };
      await cluster.ok(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name },
          spec: {
            containers: [{ name: 'httpd', image: 'busybox', ...httpd, volumeMounts: [{ name: 'www', mountPath: '/www' }] }],
            volumes: [{ name: 'www', emptyDir: {} }],
          },
        }),
      );
      await cluster.ok(['wait', '--for=condition=Ready', `pod/${name}`, '--timeout=60s']);
      const local = join(files!, `cp-${name}.txt`);
      const payload = `copied with ${version}\n`.repeat(20_000);
      writeFileSync(local, payload);
      const cpIn = await cluster.kubectl(['cp', local, `${name}:/www/index.html`], { version });
      assert.equal(cpIn.code, 0, cpIn.stderr);
      const back = join(files!, `back-${name}.txt`);
      const cpOut = await cluster.kubectl(['cp', `${name}:/www/index.html`, back], { version });
      assert.equal(cpOut.code, 0, cpOut.stderr);
      assert.equal(readFileSync(back, 'utf8'), payload);

      const pf = await portForward(cluster, version, `pod/${name}`, 8080);
      try {
        assert.equal(await until('the forwarded answer', () => fetchText(`http://127.0.0.1:${pf.port}/`).catch(() => undefined), 15_000), payload);
      } finally {
        await pf.stop();
      }
    });
  }

  test('kubectl logs -f streams new lines', async () => {
    await cluster.ok(['run', 'ticker', '--image=busybox', '--', 'sh', '-c', 'for i in 1 2 3; do echo tick $i; sleep 0.3; done; sleep 3600']);
    await cluster.ok(['wait', '--for=condition=Ready', 'pod/ticker', '--timeout=60s']);
    const follow = await cluster.kubectl(['logs', '-f', 'ticker', '--request-timeout=3s']);
    assert.match(follow.stdout, /tick 1\ntick 2\ntick 3\n/);
  });

  test('delete runs the preStop hook, stops the container gracefully, then removes the pod', async () => {
    const mark = runtime.preStopMark(files!);
    await cluster.ok(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'graceful' },
        spec: {
          terminationGracePeriodSeconds: 10,
          containers: [
            {
              name: 'c',
              image: 'busybox',
              command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'],
              lifecycle: { preStop: { exec: { command: ['sh', '-c', `echo prestop > ${mark.path}`] } } },
              ...(mark.volumeMounts && { volumeMounts: mark.volumeMounts }),
            },
          ],
          ...(mark.volumes && { volumes: mark.volumes }),
        },
      }),
    );
    await cluster.ok(['wait', '--for=condition=Ready', 'pod/graceful', '--timeout=60s']);
    const started = Date.now();
    await cluster.ok(['delete', 'pod', 'graceful', '--timeout=30s']);
    assert.ok(Date.now() - started < 9000, 'the container ended on SIGTERM, before the grace period');
    assert.equal(readFileSync(join(files!, 'prestop'), 'utf8').trim(), 'prestop');
    const events = await cluster.ok(['get', 'events', '--field-selector', 'involvedObject.name=graceful,reason=Killing']);
    assert.match(events, /Stopping container c/);
  });

  test('a static pod runs from a manifest and shows as a mirror pod', async () => {
    const manifests = join(cluster.dataDir, 'manifests');
    mkdirSync(manifests, { recursive: true });
    writeFileSync(
      join(manifests, 'static-web.yaml'),
      ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: static-web', '  namespace: kube-system', 'spec:', '  containers:', '  - name: c', '    image: busybox', '    command: ["sh", "-c", "echo static; sleep 3600"]', ''].join('\n'),
    );
    const node = (await cluster.json(['get', 'nodes'])).items[0].metadata.name;
    const mirror = await until(
      'the mirror pod Running',
      async () => {
        const p = await cluster.json(['get', 'pod', '-n', 'kube-system', `static-web-${node}`]).catch(() => undefined);
        return p?.status?.phase === 'Running' ? p : undefined;
      },
      60_000,
    );
    assert.ok(mirror.metadata.annotations['kubernetes.io/config.mirror']);
    assert.equal(mirror.metadata.ownerReferences[0].kind, 'Node');
    assert.equal((await cluster.ok(['logs', '-n', 'kube-system', `static-web-${node}`])).trim(), 'static');
    // Deleting a mirror pod does not stop the static pod: the kubelet creates the mirror again.
    await cluster.ok(['delete', 'pod', '-n', 'kube-system', `static-web-${node}`, '--wait=false']);
    await until(
      'the mirror pod back',
      async () => {
        const p = await cluster.json(['get', 'pod', '-n', 'kube-system', `static-web-${node}`]).catch(() => undefined);
        return p && p.metadata.uid !== mirror.metadata.uid && !p.metadata.deletionTimestamp ? p : undefined;
      },
      60_000,
    );
  });
}
