import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceDefinition } from '@grpc/proto-loader';
import type { ContainerConfig, PodSandboxConfig } from '../runtime.ts';
import { definition, type PbContainerStatus, type PbPodSandbox, type PbPodSandboxStatus } from './client.ts';
import {
  cgroupParentOf,
  containerConfigToCri,
  containerStateFromCri,
  containerStateToCri,
  containerStatusFromCri,
  imageStatusFromCri,
  linuxResources,
  milliCPUToQuota,
  milliCPUToShares,
  nanosToMillis,
  sandboxConfigToCri,
  sandboxStatusFromCri,
} from './convert.ts';

const sandbox: PodSandboxConfig = {
  metadata: { name: 'web', namespace: 'default', uid: 'u-1', attempt: 1 },
  hostname: 'web',
  logDirectory: '/var/log/pods/default_web_u-1',
  portMappings: [
    { protocol: 'TCP', containerPort: 8080, hostPort: 30080 },
    { protocol: 'UDP', containerPort: 53, hostPort: 5353, hostIp: '127.0.0.1' },
  ],
  labels: { app: 'web', 'io.kubernetes.pod.uid': 'u-1' },
  annotations: { note: 'x' },
  hostNetwork: false,
};

const container: ContainerConfig = {
  metadata: { name: 'httpd', attempt: 2 },
  image: 'busybox',
  command: [],
  args: ['httpd', '-f'],
  workingDir: '/www',
  envs: [{ key: 'A', value: '1' }],
  mounts: [{ containerPath: '/www', hostPath: '/var/lib/kubelet/pods/u-1/volumes/www', readonly: true }],
  labels: { 'io.kubernetes.container.name': 'httpd' },
  annotations: { 'io.kubernetes.container.restartCount': '2' },
  logPath: 'httpd/2.log',
  stdin: true,
  stdinOnce: true,
  tty: false,
  resources: { cpuRequestMillis: 250, cpuLimitMillis: 500, memoryLimitBytes: 64 * 1024 * 1024 },
};

describe('cri mapping: configs to requests', () => {
  it('maps a sandbox config, with the best-effort cgroup parent by default', () => {
    assert.deepEqual(sandboxConfigToCri(sandbox), {
      metadata: { name: 'web', uid: 'u-1', namespace: 'default', attempt: 1 },
      hostname: 'web',
      log_directory: '/var/log/pods/default_web_u-1',
      port_mappings: [
        { protocol: 'TCP', container_port: 8080, host_port: 30080 },
        { protocol: 'UDP', container_port: 53, host_port: 5353, host_ip: '127.0.0.1' },
      ],
      labels: { app: 'web', 'io.kubernetes.pod.uid': 'u-1' },
      annotations: { note: 'x' },
      linux: { cgroup_parent: '/kubepods/besteffort/podu-1', security_context: { namespace_options: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
    });
  });

  it('keeps a given cgroup parent, puts host-network pods in the node namespace and passes DNS config', () => {
    const req = sandboxConfigToCri({ ...sandbox, hostNetwork: true, cgroupParent: '/kubepods/burstable/podu-1', dnsConfig: { servers: ['10.0.0.10'], searches: ['svc.cluster.local'], options: ['ndots:5'] } });
    assert.equal(req.linux.cgroup_parent, '/kubepods/burstable/podu-1');
    assert.equal(req.linux.security_context.namespace_options.network, 'NODE');
    assert.deepEqual(req.dns_config, { servers: ['10.0.0.10'], searches: ['svc.cluster.local'], options: ['ndots:5'] });
    assert.equal(cgroupParentOf({ ...sandbox, cgroupParent: '' }), '/kubepods/besteffort/podu-1');
  });

  it('maps a container config; an empty command stays empty so the image entrypoint applies', () => {
    assert.deepEqual(containerConfigToCri(container, sandbox), {
      metadata: { name: 'httpd', attempt: 2 },
      image: { image: 'busybox' },
      command: [],
      args: ['httpd', '-f'],
      working_dir: '/www',
      envs: [{ key: 'A', value: '1' }],
      mounts: [{ container_path: '/www', host_path: '/var/lib/kubelet/pods/u-1/volumes/www', readonly: true }],
      labels: { 'io.kubernetes.container.name': 'httpd' },
      annotations: { 'io.kubernetes.container.restartCount': '2' },
      log_path: 'httpd/2.log',
      stdin: true,
      stdin_once: true,
      tty: false,
      linux: {
        resources: { cpu_period: 100000, cpu_quota: 50000, cpu_shares: 256, memory_limit_in_bytes: 67108864 },
        security_context: { namespace_options: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } },
      },
    });
    const host = containerConfigToCri({ ...container, workingDir: undefined }, { ...sandbox, hostNetwork: true });
    assert.equal(host.working_dir, '');
    assert.equal(host.linux.security_context.namespace_options.network, 'NODE');
  });

  it('computes CPU shares and quota as upstream', () => {
    assert.equal(milliCPUToShares(0), 2);
    assert.equal(milliCPUToShares(1), 2);
    assert.equal(milliCPUToShares(100), 102);
    assert.equal(milliCPUToShares(1000), 1024);
    assert.equal(milliCPUToShares(1_000_000), 262144);
    assert.equal(milliCPUToQuota(0, 100000), 0);
    assert.equal(milliCPUToQuota(1, 100000), 1000);
    assert.equal(milliCPUToQuota(1500, 100000), 150000);
    // Best effort: minimal shares, no quota, no memory limit.
    assert.deepEqual(linuxResources(undefined), { cpu_period: 100000, cpu_quota: 0, cpu_shares: 2, memory_limit_in_bytes: 0 });
    // A limit alone stands for the request too.
    assert.deepEqual(linuxResources({ cpuLimitMillis: 200 }), { cpu_period: 100000, cpu_quota: 20000, cpu_shares: 204, memory_limit_in_bytes: 0 });
  });
});

describe('cri mapping: statuses to the contract', () => {
  it('maps container states both ways', () => {
    for (const [cri, ours] of [['CONTAINER_CREATED', 'created'], ['CONTAINER_RUNNING', 'running'], ['CONTAINER_EXITED', 'exited'], ['CONTAINER_UNKNOWN', 'unknown']] as const) {
      assert.equal(containerStateFromCri(cri), ours);
      assert.equal(containerStateToCri(ours), cri);
    }
    assert.equal(containerStateFromCri('SOMETHING_NEW'), 'unknown');
  });

  it('turns nanoseconds into milliseconds without losing the high digits', () => {
    assert.equal(nanosToMillis('0'), 0);
    assert.equal(nanosToMillis(''), 0);
    assert.equal(nanosToMillis(null), 0);
    assert.equal(nanosToMillis('1795784551246486632'), 1795784551246);
    assert.equal(nanosToMillis(1_500_000), 1);
  });

  it('maps an exited container status', () => {
    const s: PbContainerStatus = {
      id: 'c1',
      metadata: { name: 'httpd', attempt: 3 },
      state: 'CONTAINER_EXITED',
      created_at: '1795784551377265966',
      started_at: '1795784551425760741',
      finished_at: '1795784555523842549',
      exit_code: 137,
      image: { image: 'docker.io/library/busybox:latest' },
      image_ref: 'sha256:8759',
      reason: 'OOMKilled',
      message: 'out of memory',
      labels: { a: 'b' },
      annotations: { c: 'd' },
      log_path: '/var/log/pods/x/httpd/3.log',
    };
    assert.deepEqual(containerStatusFromCri(s, 's1'), {
      id: 'c1',
      podSandboxId: 's1',
      metadata: { name: 'httpd', attempt: 3 },
      state: 'exited',
      createdAt: 1795784551377,
      startedAt: 1795784551425,
      finishedAt: 1795784555523,
      exitCode: 137,
      reason: 'OOMKilled',
      message: 'out of memory',
      image: 'docker.io/library/busybox:latest',
      imageRef: 'sha256:8759',
      logPath: '/var/log/pods/x/httpd/3.log',
      labels: { a: 'b' },
      annotations: { c: 'd' },
    });
    const created = containerStatusFromCri({ ...s, state: 'CONTAINER_CREATED', started_at: '0', finished_at: '0', exit_code: 0, reason: '' }, 's1');
    assert.equal(created.state, 'created');
    assert.equal(created.startedAt, 0);
    assert.equal(created.finishedAt, 0);
  });

  it('maps sandbox statuses, with the IP from PodSandboxStatus and none from a list item alone', () => {
    const status: PbPodSandboxStatus = {
      id: 's1',
      metadata: { name: 'web', uid: 'u-1', namespace: 'default', attempt: 0 },
      state: 'SANDBOX_READY',
      created_at: '1795784551246486632',
      network: { ip: '10.244.0.7', additional_ips: [{ ip: 'fd00::7' }] },
      labels: { app: 'web' },
      annotations: { note: 'x' },
    };
    assert.deepEqual(sandboxStatusFromCri(status), {
      id: 's1',
      metadata: { name: 'web', namespace: 'default', uid: 'u-1', attempt: 0 },
      state: 'ready',
      createdAt: 1795784551246,
      ip: '10.244.0.7',
      additionalIps: ['fd00::7'],
      labels: { app: 'web' },
      annotations: { note: 'x' },
    });
    const item: PbPodSandbox = { id: 's1', metadata: status.metadata, state: 'SANDBOX_NOTREADY', created_at: status.created_at, labels: {}, annotations: {} };
    const listed = sandboxStatusFromCri(item);
    assert.equal(listed.state, 'notready');
    assert.equal(listed.ip, '');
    assert.equal(sandboxStatusFromCri(item, status.network).ip, '10.244.0.7');
  });

  it('maps an image status, naming it by its first tag', () => {
    assert.deepEqual(imageStatusFromCri({ id: 'sha256:abc', repo_tags: ['docker.io/library/busybox:latest'], size: '1032083' }, 'busybox'), {
      image: 'docker.io/library/busybox:latest',
      imageRef: 'sha256:abc',
      sizeBytes: 1032083,
    });
    assert.equal(imageStatusFromCri({ id: 'sha256:abc', repo_tags: [], size: '1' }, 'busybox').image, 'busybox');
  });
});

describe('cri wire format (field numbers of k8s.io/cri-api runtime.v1)', () => {
  const runtimeService = definition['runtime.v1.RuntimeService'] as ServiceDefinition;
  const bytes = (method: string, request: object) => [...runtimeService[method].requestSerialize(request)];

  it('StopContainerRequest: container_id = 1, timeout = 2', () => {
    assert.deepEqual(bytes('StopContainer', { container_id: 'ab', timeout: 30 }), [0x0a, 2, 0x61, 0x62, 0x10, 30]);
  });

  it('RunPodSandboxRequest: config = 1; PodSandboxConfig.linux = 8; cgroup_parent = 1; security_context.namespace_options.network = 1 (NODE = 2)', () => {
    const request = { config: { linux: { cgroup_parent: '/x', security_context: { namespace_options: { network: 'NODE' } } } } };
    assert.deepEqual(bytes('RunPodSandbox', request), [0x0a, 12, 0x42, 10, 0x0a, 2, 0x2f, 0x78, 0x12, 4, 0x0a, 2, 0x08, 2]);
  });

  it('ContainerConfig: log_path = 11, stdin = 12, stdin_once = 13, tty = 14; linux.security_context.namespace_options = 3', () => {
    const request = { config: { log_path: 'l', stdin: true, stdin_once: true, tty: true, linux: { security_context: { namespace_options: { pid: 'CONTAINER' } } } } };
    assert.deepEqual(bytes('CreateContainer', request), [0x12, 17, 0x5a, 1, 0x6c, 0x60, 1, 0x68, 1, 0x70, 1, 0x7a, 6, 0x12, 4, 0x1a, 2, 0x10, 1]);
  });

  it('ExecSyncRequest: container_id = 1, cmd = 2, timeout = 3', () => {
    assert.deepEqual(bytes('ExecSync', { container_id: 'c', cmd: ['a', 'b'], timeout: 5 }), [0x0a, 1, 0x63, 0x12, 1, 0x61, 0x12, 1, 0x62, 0x18, 5]);
  });
});
