// A container's environment: env, envFrom, every valueFrom source, service variables and the
// CreateContainerConfigError messages, against an in-memory PodResourceSource.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeEnvironment, type EnvironmentContext } from './environment.ts';
import { ContainerConfigError } from './errors.ts';
import { FakePodResourceSource } from './fake-source.ts';
import type { Container, EnvEntry, Pod, Service, ServicePort } from './types.ts';

function podWith(container: Container, extra: Partial<Pod> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-0',
      namespace: 'shop',
      uid: 'uid-1',
      labels: { app: 'web', tier: 'front' },
      annotations: { 'example.com/owner': 'team-a' },
    },
    spec: { nodeName: 'node-a', serviceAccountName: 'builder', containers: [container] },
    status: { podIPs: [{ ip: '10.0.0.5' }] },
    ...extra,
  };
}

async function envOf(container: Container, opts: { source?: FakePodResourceSource; context?: EnvironmentContext; pod?: Pod } = {}): Promise<EnvEntry[]> {
  const pod = opts.pod ?? podWith(container);
  return makeEnvironment(pod, container, opts.context ?? {}, opts.source ?? new FakePodResourceSource());
}

function asRecord(env: EnvEntry[]): Record<string, string> {
  return Object.fromEntries(env.map((e) => [e.key, e.value]));
}

async function rejectsConfig(p: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ContainerConfigError, `want ContainerConfigError, got ${String(err)}`);
    assert.equal(err.reason, 'CreateContainerConfigError');
    assert.equal(err.message, message);
    return true;
  });
}

describe('makeEnvironment: env values', () => {
  it('keeps declaration order and expands references to earlier variables only', async () => {
    const env = await envOf({
      name: 'c',
      env: [
        { name: 'A', value: 'a' },
        { name: 'B', value: '$(A)-$(C)' },
        { name: 'C', value: 'c' },
        { name: 'D', value: '$$(A) $(A)$(A)' },
        { name: 'E' },
        { name: 'A', value: 'again:$(A)' },
      ],
    });
    assert.deepEqual(env, [
      { key: 'A', value: 'again:a' },
      { key: 'B', value: 'a-$(C)' },
      { key: 'C', value: 'c' },
      { key: 'D', value: '$(A) aa' },
      { key: 'E', value: '' },
    ]);
  });
});

describe('makeEnvironment: envFrom', () => {
  it('takes configMaps and secrets with prefixes; env wins over envFrom and expands against it', async () => {
    const source = new FakePodResourceSource();
    source.setConfigMap('shop', 'settings', { MODE: 'prod', LEVEL: 'debug' });
    source.setSecret('shop', 'creds', { PASSWORD: 's3cr3t', 'user.name': 'admin' });
    const env = asRecord(
      await envOf(
        {
          name: 'c',
          envFrom: [{ configMapRef: { name: 'settings' } }, { prefix: 'DB_', secretRef: { name: 'creds' } }],
          env: [
            { name: 'LEVEL', value: 'info' },
            { name: 'URL', value: 'db://$(DB_user.name):$(DB_PASSWORD)@$(MODE)' },
          ],
        },
        { source },
      ),
    );
    assert.deepEqual(env, { MODE: 'prod', LEVEL: 'info', DB_PASSWORD: 's3cr3t', 'DB_user.name': 'admin', URL: 'db://admin:s3cr3t@prod' });
  });

  it('later envFrom sources override earlier ones', async () => {
    const source = new FakePodResourceSource();
    source.setConfigMap('shop', 'a', { X: 'from-a', Y: 'a' });
    source.setConfigMap('shop', 'b', { X: 'from-b' });
    const env = asRecord(await envOf({ name: 'c', envFrom: [{ configMapRef: { name: 'a' } }, { configMapRef: { name: 'b' } }] }, { source }));
    assert.deepEqual(env, { X: 'from-b', Y: 'a' });
  });

  it('skips keys that are not valid variable names and reports them once, sorted', async () => {
    const source = new FakePodResourceSource();
    source.setConfigMap('shop', 'mixed', { GOOD: '1', '1BAD': '2', '0ALSO': '3', '.': '4' });
    const warnings: [string, string][] = [];
    const env = asRecord(
      await envOf({ name: 'c', envFrom: [{ configMapRef: { name: 'mixed' } }] }, { source, context: { onWarning: (r, m) => warnings.push([r, m]) } }),
    );
    assert.deepEqual(env, { GOOD: '1' });
    assert.deepEqual(warnings, [
      [
        'InvalidEnvironmentVariableNames',
        'Keys [., 0ALSO, 1BAD] from the EnvFrom configMap shop/mixed were skipped since they are considered invalid environment variable names.',
      ],
    ]);
  });

  it('a prefix can make keys valid', async () => {
    const source = new FakePodResourceSource();
    source.setSecret('shop', 's', { '1KEY': 'v' });
    assert.deepEqual(asRecord(await envOf({ name: 'c', envFrom: [{ prefix: 'P_', secretRef: { name: 's' } }] }, { source })), { P_1KEY: 'v' });
  });

  it('skips a missing optional source and fails on a missing required one', async () => {
    const c1: Container = { name: 'c', envFrom: [{ configMapRef: { name: 'nope', optional: true } }, { secretRef: { name: 'nope', optional: true } }] };
    assert.deepEqual(await envOf(c1), []);
    await rejectsConfig(envOf({ name: 'c', envFrom: [{ configMapRef: { name: 'nope' } }] }), 'configmap "nope" not found');
    await rejectsConfig(envOf({ name: 'c', envFrom: [{ secretRef: { name: 'nope' } }] }), 'secret "nope" not found');
  });

  it('an API failure is an error even for optional sources', async () => {
    const source = new FakePodResourceSource();
    source.failWith = new Error('connect ECONNREFUSED 127.0.0.1:6443');
    await rejectsConfig(envOf({ name: 'c', envFrom: [{ configMapRef: { name: 'x', optional: true } }] }, { source }), 'connect ECONNREFUSED 127.0.0.1:6443');
  });
});

describe('makeEnvironment: configMapKeyRef and secretKeyRef', () => {
  const source = new FakePodResourceSource();
  source.setConfigMap('shop', 'cfg', { color: 'blue', constructor: 'real' });
  source.setSecret('shop', 'sec', { token: 'abc\ndef' });

  it('reads keys (secrets decoded)', async () => {
    const env = await envOf(
      {
        name: 'c',
        env: [
          { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'color' } } },
          { name: 'CTOR', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'constructor' } } },
          { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'sec', key: 'token' } } },
        ],
      },
      { source },
    );
    assert.deepEqual(asRecord(env), { COLOR: 'blue', CTOR: 'real', TOKEN: 'abc\ndef' });
  });

  it('leaves out optional variables whose object or key is missing', async () => {
    const env = await envOf(
      {
        name: 'c',
        env: [
          { name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'missing', optional: true } } },
          { name: 'B', valueFrom: { configMapKeyRef: { name: 'gone', key: 'x', optional: true } } },
          { name: 'C', valueFrom: { secretKeyRef: { name: 'sec', key: 'missing', optional: true } } },
          { name: 'D', valueFrom: { secretKeyRef: { name: 'gone', key: 'x', optional: true } } },
          { name: 'E', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'toString', optional: true } } },
        ],
      },
      { source },
    );
    assert.deepEqual(env, []);
  });

  it('fails with upstream messages when a required object or key is missing', async () => {
    const ref = (valueFrom: Container['env']): Promise<EnvEntry[]> => envOf({ name: 'c', env: valueFrom }, { source });
    await rejectsConfig(ref([{ name: 'X', valueFrom: { configMapKeyRef: { name: 'gone', key: 'k' } } }]), 'configmap "gone" not found');
    await rejectsConfig(ref([{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }]), "couldn't find key k in ConfigMap shop/cfg");
    await rejectsConfig(ref([{ name: 'X', valueFrom: { secretKeyRef: { name: 'gone', key: 'k' } } }]), 'secret "gone" not found');
    await rejectsConfig(ref([{ name: 'X', valueFrom: { secretKeyRef: { name: 'sec', key: 'k' } } }]), "couldn't find key k in Secret shop/sec");
  });
});

describe('makeEnvironment: fieldRef', () => {
  const fields = [
    'metadata.name',
    'metadata.namespace',
    'metadata.uid',
    "metadata.labels['app']",
    "metadata.labels['missing']",
    "metadata.annotations['example.com/owner']",
    'spec.nodeName',
    'spec.serviceAccountName',
    'status.hostIP',
    'status.hostIPs',
    'status.podIP',
    'status.podIPs',
  ];
  const container: Container = { name: 'c', env: fields.map((f, i) => ({ name: `F${i}`, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: f } } })) };

  it('resolves every supported field', async () => {
    const env = await envOf(container, { context: { hostIPs: ['192.168.1.10', 'fd00::10'], podIPs: ['fd00::5', '10.0.0.5'] } });
    assert.deepEqual(
      env.map((e) => e.value),
      ['web-0', 'shop', 'uid-1', 'web', '', 'team-a', 'node-a', 'builder', '192.168.1.10', '192.168.1.10,fd00::10', '10.0.0.5', '10.0.0.5,fd00::5'],
    );
  });

  it('orders pod IPs by the node primary family and falls back to status.podIPs', async () => {
    const pod = podWith(container, { status: { podIPs: [{ ip: '10.0.0.5' }, { ip: 'fd00::5' }] } });
    const env = asRecord(await envOf(container, { pod, context: { hostIPs: ['fd00::10'] } }));
    assert.equal(env.F10, 'fd00::5');
    assert.equal(env.F11, 'fd00::5,10.0.0.5');
  });

  it('fails like upstream on unknown versions and paths, and without node IPs', async () => {
    const one = (fieldPath: string, apiVersion = 'v1'): Container => ({ name: 'c', env: [{ name: 'X', valueFrom: { fieldRef: { apiVersion, fieldPath } } }] });
    await rejectsConfig(envOf(one('metadata.name', 'v2')), 'unsupported pod version: v2');
    await rejectsConfig(envOf(one('spec.containers')), 'field label not supported: spec.containers');
    await rejectsConfig(envOf(one("spec.nodeName['x']")), "field label does not support subscript: spec.nodeName['x']");
    await rejectsConfig(envOf(one('spec.restartPolicy')), 'unsupported fieldPath: spec.restartPolicy');
    await rejectsConfig(envOf(one('status.hostIP')), 'host IP unknown; known addresses: []');
    await rejectsConfig(
      envOf(one("metadata.labels['bad key']")),
      "invalid key subscript in metadata.labels['bad key']: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    );
  });

  it('defaults apiVersion to v1', async () => {
    const env = await envOf({ name: 'c', env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] });
    assert.deepEqual(env, [{ key: 'N', value: 'web-0' }]);
  });
});

describe('makeEnvironment: resourceFieldRef', () => {
  const app: Container = {
    name: 'app',
    resources: { limits: { cpu: '250m', memory: '64Mi' }, requests: { cpu: '100m', memory: '32Mi', 'ephemeral-storage': '1Gi' } },
    env: [
      { name: 'LIMIT_CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
      { name: 'LIMIT_CPU_M', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
      { name: 'LIMIT_MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } },
      { name: 'LIMIT_MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'LIMIT_MEM_G', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1G' } } },
      { name: 'LIMIT_EPH', valueFrom: { resourceFieldRef: { resource: 'limits.ephemeral-storage', divisor: '1Gi' } } },
      { name: 'REQ_CPU_M', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
      { name: 'REQ_MEM', valueFrom: { resourceFieldRef: { resource: 'requests.memory', divisor: 0 } } },
      { name: 'REQ_EPH', valueFrom: { resourceFieldRef: { resource: 'requests.ephemeral-storage', divisor: '1Mi' } } },
      { name: 'SIDE_CPU', valueFrom: { resourceFieldRef: { containerName: 'side', resource: 'limits.cpu', divisor: '1m' } } },
      { name: 'SIDE_REQ', valueFrom: { resourceFieldRef: { containerName: 'side', resource: 'requests.cpu' } } },
    ],
  };
  const side: Container = { name: 'side' };
  const pod: Pod = { metadata: { name: 'p', namespace: 'shop', uid: 'u' }, spec: { containers: [app, side] } };
  const context = { nodeAllocatable: { cpu: '4', memory: '8Gi', 'ephemeral-storage': '100Gi' } };

  it('rounds up to whole divisors and defaults unset limits to node allocatable', async () => {
    const env = asRecord(await makeEnvironment(pod, app, context, new FakePodResourceSource()));
    assert.deepEqual(env, {
      LIMIT_CPU: '1',
      LIMIT_CPU_M: '250',
      LIMIT_MEM: String(64 * 1024 * 1024),
      LIMIT_MEM_MI: '64',
      LIMIT_MEM_G: '1',
      LIMIT_EPH: '100',
      REQ_CPU_M: '100',
      REQ_MEM: String(32 * 1024 * 1024),
      REQ_EPH: '1024',
      SIDE_CPU: '4000',
      SIDE_REQ: '0',
    });
  });

  it('fails on unknown containers and resources', async () => {
    const bad = (resource: string, containerName?: string): Container => ({
      name: 'app',
      env: [{ name: 'X', valueFrom: { resourceFieldRef: { resource, ...(containerName ? { containerName } : {}) } } }],
    });
    await rejectsConfig(makeEnvironment(pod, bad('limits.cpu', 'ghost'), context, new FakePodResourceSource()), 'container ghost not found');
    await rejectsConfig(makeEnvironment(pod, bad('limits.gpu'), context, new FakePodResourceSource()), 'unsupported container resource : limits.gpu');
  });
});

describe('makeEnvironment: service variables', () => {
  const svc = (namespace: string, name: string, clusterIP: string, ports: ServicePort[]): Service => ({
    metadata: { namespace, name },
    spec: { clusterIP, ports },
  });
  const services: Service[] = [
    svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]),
    svc('shop', 'redis-primary', '10.96.0.20', [{ port: 6379 }]),
    svc('shop', 'dns', 'fd00::a', [
      { name: 'dns-udp', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
    ]),
    svc('shop', 'headless', 'None', [{ port: 80 }]),
    svc('other', 'elsewhere', '10.96.0.30', [{ port: 80 }]),
  ];

  it('adds master and same-namespace services, docker-links style', async () => {
    const env = asRecord(await envOf({ name: 'c' }, { context: { services } }));
    assert.deepEqual(env, {
      DNS_SERVICE_HOST: 'fd00::a',
      DNS_SERVICE_PORT: '53',
      DNS_SERVICE_PORT_DNS_UDP: '53',
      DNS_SERVICE_PORT_DNS_TCP: '53',
      DNS_PORT: 'udp://[fd00::a]:53',
      DNS_PORT_53_UDP: 'udp://[fd00::a]:53',
      DNS_PORT_53_UDP_PROTO: 'udp',
      DNS_PORT_53_UDP_PORT: '53',
      DNS_PORT_53_UDP_ADDR: 'fd00::a',
      DNS_PORT_53_TCP: 'tcp://[fd00::a]:53',
      DNS_PORT_53_TCP_PROTO: 'tcp',
      DNS_PORT_53_TCP_PORT: '53',
      DNS_PORT_53_TCP_ADDR: 'fd00::a',
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_SERVICE_PORT_HTTPS: '443',
      KUBERNETES_PORT: 'tcp://10.96.0.1:443',
      KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443',
      KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
      KUBERNETES_PORT_443_TCP_PORT: '443',
      KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
      REDIS_PRIMARY_SERVICE_HOST: '10.96.0.20',
      REDIS_PRIMARY_SERVICE_PORT: '6379',
      REDIS_PRIMARY_PORT: 'tcp://10.96.0.20:6379',
      REDIS_PRIMARY_PORT_6379_TCP: 'tcp://10.96.0.20:6379',
      REDIS_PRIMARY_PORT_6379_TCP_PROTO: 'tcp',
      REDIS_PRIMARY_PORT_6379_TCP_PORT: '6379',
      REDIS_PRIMARY_PORT_6379_TCP_ADDR: '10.96.0.20',
    });
  });

  it('with enableServiceLinks false only the master service remains', async () => {
    const container: Container = { name: 'c' };
    const pod = podWith(container);
    const noLinks: Pod = { ...pod, spec: { ...pod.spec, enableServiceLinks: false } };
    const env = await makeEnvironment(noLinks, container, { services }, new FakePodResourceSource());
    assert.deepEqual(
      env.map((e) => e.key).filter((k) => !k.startsWith('KUBERNETES_')),
      [],
    );
    assert.equal(asRecord(env).KUBERNETES_SERVICE_HOST, '10.96.0.1');
  });

  it('service variables can be referenced, are overridden by the container, and come last', async () => {
    const env = await envOf(
      { name: 'c', env: [{ name: 'API', value: 'https://$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)' }, { name: 'REDIS_PRIMARY_SERVICE_HOST', value: 'mine' }] },
      { context: { services } },
    );
    assert.deepEqual(env.slice(0, 2), [
      { key: 'API', value: 'https://10.96.0.1:443' },
      { key: 'REDIS_PRIMARY_SERVICE_HOST', value: 'mine' },
    ]);
    assert.equal(env.filter((e) => e.key === 'REDIS_PRIMARY_SERVICE_HOST').length, 1);
  });

  it('the master service wins over a same-named service in the pod namespace', async () => {
    const env = asRecord(await envOf({ name: 'c' }, { context: { services: [...services, svc('shop', 'kubernetes', '10.96.9.9', [{ port: 1 }])] } }));
    assert.equal(env.KUBERNETES_SERVICE_HOST, '10.96.0.1');
  });

  it('without a service list there are no service variables', async () => {
    assert.deepEqual(await envOf({ name: 'c' }), []);
  });
});
