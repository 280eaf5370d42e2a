import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../kind.ts';
import { pod, podStatusCells } from './pod.ts';
import { create, stored, update } from './strategy-harness.ts';

const nginx: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: {
    containers: [
      {
        name: 'nginx',
        image: 'nginx',
        ports: [{ containerPort: 80 }],
        env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        readinessProbe: { httpGet: { port: 80 } },
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      },
    ],
    volumes: [{ name: 'data', emptyDir: {} }, { name: 'config', configMap: { name: 'cfg' } }],
  },
};

test('a typical pod is valid and gets upstream defaults', () => {
  const { object, errors } = create(pod, nginx);
  assert.deepEqual(errors, []);
  const spec = object.spec as Record<string, any>;
  assert.equal(spec.restartPolicy, 'Always');
  assert.equal(spec.dnsPolicy, 'ClusterFirst');
  assert.equal(spec.schedulerName, 'default-scheduler');
  assert.equal(spec.terminationGracePeriodSeconds, 30);
  assert.deepEqual(spec.securityContext, {});
  assert.equal(spec.enableServiceLinks, true);
  const c = spec.containers[0];
  assert.equal(c.imagePullPolicy, 'Always');
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.deepEqual(c.resources, {});
  assert.equal(c.ports[0].protocol, 'TCP');
  assert.equal(c.env[0].valueFrom.fieldRef.apiVersion, 'v1');
  assert.deepEqual(c.readinessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.equal(spec.volumes[1].configMap.defaultMode, 420);
  assert.deepEqual(object.status, { phase: 'Pending', qosClass: 'BestEffort' });
});

test('image pull policy follows the tag', () => {
  const policy = (image: string) => {
    const { object } = create(pod, { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image }] } });
    return (object.spec as any).containers[0].imagePullPolicy;
  };
  assert.equal(policy('nginx'), 'Always');
  assert.equal(policy('nginx:latest'), 'Always');
  assert.equal(policy('nginx:1.25'), 'IfNotPresent');
  assert.equal(policy('registry:5000/nginx'), 'Always');
  assert.equal(policy('nginx@sha256:abc'), 'IfNotPresent');
});

test('QoS class: Guaranteed when requests equal limits, requests defaulted from limits', () => {
  const { object } = create(pod, {
    metadata: { name: 'p' },
    spec: { containers: [{ name: 'c', image: 'busybox', resources: { limits: { cpu: '500m', memory: '128Mi' } } }] },
  });
  const c = (object.spec as any).containers[0];
  assert.deepEqual(c.resources.requests, { cpu: '500m', memory: '128Mi' });
  assert.deepEqual(c.resizePolicy, [
    { resourceName: 'cpu', restartPolicy: 'NotRequired' },
    { resourceName: 'memory', restartPolicy: 'NotRequired' },
  ]);
  assert.equal((object.status as any).qosClass, 'Guaranteed');
  const burstable = create(pod, { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'b', resources: { requests: { cpu: '0.1' } } }] } });
  assert.equal((burstable.object.status as any).qosClass, 'Burstable');
});

test('invalid pods get upstream messages', () => {
  assert.deepEqual(create(pod, { metadata: { name: 'p' }, spec: { containers: [] } }).errors, ['spec.containers: Required value']);
  const errors = create(pod, {
    metadata: { name: 'Bad_Name' },
    spec: {
      restartPolicy: 'Sometimes',
      containers: [
        { name: 'Web', image: '' },
        { name: 'web2', image: 'x', ports: [{ containerPort: 70000 }] },
        { name: 'web2', image: 'x' },
      ],
    },
  }).errors;
  assert.ok(
    errors.includes(
      `metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ),
    errors.join('\n'),
  );
  assert.ok(
    errors.includes(
      `spec.containers[0].name: Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    ),
    errors.join('\n'),
  );
  assert.ok(errors.includes('spec.containers[0].image: Required value'));
  assert.ok(errors.includes('spec.containers[1].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'));
  assert.ok(errors.includes('spec.containers[2].name: Duplicate value: "web2"'));
  assert.ok(errors.includes('spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'));
});

test('volume mounts must name a volume; probes need a handler', () => {
  const errors = create(pod, {
    metadata: { name: 'p' },
    spec: { containers: [{ name: 'c', image: 'x', volumeMounts: [{ name: 'nope', mountPath: '/x' }], livenessProbe: { periodSeconds: 5 } }] },
  }).errors;
  assert.deepEqual(errors, ['spec.containers[0].volumeMounts[0].name: Not found: "nope"', 'spec.containers[0].livenessProbe: Required value: must specify a handler type']);
});

test('pod updates may change only images, deadlines and tolerations', () => {
  const old = stored(pod, nginx);
  const image = structuredClone(old);
  (image.spec as any).containers[0].image = 'nginx:1.27';
  assert.deepEqual(update(pod, image, old).errors, []);

  const port = structuredClone(old);
  (port.spec as any).containers[0].ports[0].containerPort = 8080;
  const errors = update(pod, port, old).errors;
  assert.equal(errors.length, 1);
  assert.ok(
    errors[0].startsWith(
      'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n',
    ),
    errors[0],
  );

  const added = structuredClone(old);
  (added.spec as any).containers.push({ name: 'sidecar', image: 'busybox' });
  assert.deepEqual(update(pod, added, old).errors.filter((e) => e.startsWith('spec.containers:')), ['spec.containers: Forbidden: pod updates may not add or remove containers']);
});

test('status is kept on spec updates', () => {
  const old = stored(pod, nginx);
  old.status = { phase: 'Running', podIP: '10.0.0.5' };
  const next = structuredClone(old);
  next.status = { phase: 'Failed' };
  assert.deepEqual(update(pod, next, old).object.status, { phase: 'Running', podIP: '10.0.0.5' });
});

const now = Date.parse('2024-01-01T01:00:00Z');

function cells(status: Record<string, unknown>, spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): unknown[] {
  const p = { metadata: { name: 'p', creationTimestamp: '2024-01-01T00:00:00Z', ...metadata }, spec: { containers: [{ name: 'a' }], ...spec }, status };
  return pod.table!.cells(p, now);
}

test('pod table: running, ready, wide columns', () => {
  const row = cells(
    {
      phase: 'Running',
      podIPs: [{ ip: '10.1.0.3' }],
      conditions: [{ type: 'Ready', status: 'True' }, { type: 'example.com/gate', status: 'True' }],
      containerStatuses: [{ name: 'a', ready: true, restartCount: 0, state: { running: {} } }],
    },
    { nodeName: 'node1', readinessGates: [{ conditionType: 'example.com/gate' }] },
  );
  assert.deepEqual(row, ['1/1', 'Running', '0', '60m', '10.1.0.3', 'node1', '<none>', '1/1']);
  assert.equal(pod.table!.columns.length, row.length);
});

test('pod table: CrashLoopBackOff with restarts and the last restart age', () => {
  const row = cells({
    phase: 'Running',
    containerStatuses: [
      {
        name: 'a',
        ready: false,
        restartCount: 3,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2024-01-01T00:58:00Z' } },
      },
    ],
  });
  assert.deepEqual(row.slice(0, 3), ['0/1', 'CrashLoopBackOff', '3 (2m ago)']);
});

test('pod table: init containers, completion, termination and unknown nodes', () => {
  const spec = { initContainers: [{ name: 'init' }] };
  assert.equal(cells({ phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { running: {} } }] }, spec)[1], 'Init:0/1');
  assert.equal(
    cells({ phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { terminated: { exitCode: 1, reason: 'Error' } } }] }, spec)[1],
    'Init:Error',
  );
  assert.equal(cells({ phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { waiting: { reason: 'ImagePullBackOff' } } }] }, spec)[1], 'Init:ImagePullBackOff');
  assert.equal(cells({ phase: 'Succeeded', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] })[1], 'Completed');
  assert.equal(cells({ phase: 'Running', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 137 } } }] })[1], 'ExitCode:137');
  assert.equal(cells({ phase: 'Running' }, {}, { deletionTimestamp: '2024-01-01T00:59:00Z' })[1], 'Terminating');
  assert.equal(cells({ phase: 'Running', reason: 'NodeLost' }, {}, { deletionTimestamp: '2024-01-01T00:59:00Z' })[1], 'Unknown');
  assert.equal(cells({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] })[1], 'SchedulingGated');
});

test('pod table: sidecar init containers count towards READY', () => {
  const status = {
    phase: 'Running',
    conditions: [{ type: 'Initialized', status: 'True' }],
    initContainerStatuses: [{ name: 'proxy', started: true, ready: true, restartCount: 1, state: { running: {} } }],
    containerStatuses: [{ name: 'a', ready: true, restartCount: 0, state: { running: {} } }],
  };
  const { ready, reason, restarts } = podStatusCells({ spec: { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }], containers: [{ name: 'a' }] }, status }, now);
  assert.deepEqual([ready, reason, restarts], ['2/2', 'Running', '1']);
});

test('pod field selectors', () => {
  const p = stored(pod, { ...nginx, spec: { ...(nginx.spec as object), nodeName: 'n1', hostNetwork: true } });
  p.status = { phase: 'Running', podIPs: [{ ip: '10.0.0.9' }] };
  const f = pod.fields!;
  assert.equal(f['spec.nodeName'](p), 'n1');
  assert.equal(f['spec.hostNetwork'](p), 'true');
  assert.equal(f['spec.restartPolicy'](p), 'Always');
  assert.equal(f['spec.schedulerName'](p), 'default-scheduler');
  assert.equal(f['status.phase'](p), 'Running');
  assert.equal(f['status.podIP'](p), '10.0.0.9');
});
