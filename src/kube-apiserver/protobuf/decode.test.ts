import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeKubernetesProtobuf,
  decodeMessage,
  goDuration,
  isProtobufContentType,
  NoProtobufDecodingError,
  ProtobufError,
} from './decode.ts';
import { envelope, Writer } from './wire-writer.ts';

type Meta = { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };

/** ObjectMeta as Go's marshaller lays it out: every non-pointer field, zero or not, and an empty Time. */
function objectMeta(w: Writer, m: Meta): void {
  w.string(1, m.name ?? '').string(2, '').string(3, m.namespace ?? '').string(4, '').string(5, '').string(6, '');
  w.int(7, 0).message(8, () => {});
  for (const [k, v] of Object.entries(m.labels ?? {})) w.entry(11, k, v);
  for (const [k, v] of Object.entries(m.annotations ?? {})) w.entry(12, k, v);
}

const intOrString = (v: number | string) => (w: Writer) =>
  typeof v === 'number' ? w.int(1, 0).int(2, v).string(3, '') : w.int(1, 1).int(2, 0).string(3, v);
const quantity = (s: string) => (w: Writer) => w.string(1, s);
const labelSelector = (labels: Record<string, string>) => (w: Writer) => {
  for (const [k, v] of Object.entries(labels)) w.entry(1, k, v);
};

/** A Container with the non-pointer fields Go writes even when zero (resources, stdin, tty, ...). */
function container(w: Writer, name: string, image: string, extra: (w: Writer) => void = () => {}, resources = (_: Writer) => {}): void {
  w.string(1, name).string(2, image).string(5, '');
  extra(w);
  w.message(8, resources).string(13, '').string(14, '').bool(16, false).bool(17, false).bool(18, false).string(20, '');
}

function decode(apiVersion: string, kind: string, build: (w: Writer) => void) {
  const w = new Writer();
  build(w);
  return decodeKubernetesProtobuf(envelope(apiVersion, kind, w.finish()));
}

describe('decodeKubernetesProtobuf', () => {
  it('decodes a Deployment as `kubectl create deployment web --image=nginx --replicas=0` sends it', () => {
    const got = decode('apps/v1', 'Deployment', (w) => {
      w.message(1, (m) => objectMeta(m, { name: 'web', labels: { app: 'web' } }));
      w.message(2, (spec) => {
        spec.int(1, 0); // replicas: a pointer, so an explicit 0 is kept
        spec.message(2, labelSelector({ app: 'web' }));
        spec.message(3, (t) => {
          t.message(1, (m) => objectMeta(m, { labels: { app: 'web' } }));
          t.message(2, (ps) => ps.message(2, (c) => container(c, 'nginx', 'nginx')).string(3, '').string(6, ''));
        });
        spec.message(4, (s) => s.string(1, ''));
        spec.int(5, 0).bool(7, false);
      });
      w.message(3, (s) => s.int(1, 0).int(2, 0).int(3, 0).int(4, 0).int(5, 0).int(7, 0));
    });
    assert.equal(got.apiVersion, 'apps/v1');
    assert.equal(got.kind, 'Deployment');
    assert.deepEqual(got.object, {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx', resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    });
  });

  it('decodes a full PodSpec: env, resources, probes, lifecycle, volumes, scheduling, security', () => {
    const got = decode('v1', 'Pod', (w) => {
      w.message(1, (m) => objectMeta(m, { name: 'p', namespace: 'ns', annotations: { note: 'x' } }));
      w.message(2, (ps) => {
        ps.message(1, (v) => v.string(1, 'data').message(2, (s) => s.message(2, (e) => e.string(1, 'Memory').message(2, quantity('1Gi')))));
        ps.message(1, (v) => v.string(1, 'cfg').message(2, (s) => s.message(19, (c) => c.message(1, (r) => r.string(1, 'settings')).int(3, 420))));
        ps.message(1, (v) => v.string(1, 'sec').message(2, (s) => s.message(6, (c) => c.string(1, 'creds').bool(4, false))));
        ps.message(2, (c) =>
          container(c, 'app', 'busybox', (c) => {
            c.string(3, 'sh').string(3, '-c').string(4, 'sleep 1');
            c.message(6, (p) => p.string(1, 'http').int(2, 0).int(3, 8080).string(4, 'TCP').string(5, ''));
            c.message(7, (e) => e.string(1, 'MODE').string(2, 'fast'));
            c.message(7, (e) => e.string(1, 'POD').string(2, '').message(3, (s) => s.message(1, (f) => f.string(1, 'v1').string(2, 'metadata.name'))));
            c.message(7, (e) => e.string(1, 'PW').string(2, '').message(3, (s) => s.message(4, (k) => k.message(1, (r) => r.string(1, 'creds')).string(2, 'pw').bool(3, true))));
            c.message(9, (m) => m.string(1, 'data').bool(2, true).string(3, '/data').string(4, '').string(6, ''));
            c.message(10, (p) => p.message(1, (h) => h.message(2, (g) => g.string(1, '/healthz').message(2, intOrString('http')).string(3, '').string(4, 'HTTP'))).int(2, 5).int(3, 1).int(4, 10).int(5, 1).int(6, 3));
            c.message(11, (p) => p.message(1, (h) => h.message(3, (t) => t.message(1, intOrString(8080)).string(2, ''))));
            c.message(22, (p) => p.message(1, (h) => h.message(1, (e) => e.string(1, 'cat').string(1, '/tmp/ready'))).int(7, 0));
            c.message(12, (l) => l.message(2, (h) => h.message(4, (s) => s.int(1, 5))));
            c.message(15, (s) => s.message(1, (cap) => cap.string(2, 'ALL')).bool(5, true).bool(7, false).int(4, -1));
          }, (r) => r.entry(1, 'cpu', quantity('500m')).entry(2, 'memory', quantity('64Mi'))),
        );
        ps.string(3, 'Always').int(4, 0).string(6, 'ClusterFirst').entry(7, 'disk', 'ssd');
        ps.string(8, '').string(9, '').string(10, '').bool(11, false).bool(12, false).bool(13, false);
        ps.message(14, (s) => s.int(5, 2000).int(4, 1).int(4, 2));
        ps.message(15, (r) => r.string(1, 'regcred'));
        ps.message(18, (a) =>
          a.message(1, (n) => n.message(1, (sel) => sel.message(1, (t) => t.message(1, (r) => r.string(1, 'zone').string(2, 'In').string(3, 'a').string(3, 'b'))))),
        );
        ps.message(22, (t) => t.string(1, 'k').string(2, 'Exists').string(3, '').string(4, 'NoExecute').int(5, 30));
        ps.message(33, (t) => t.int(1, 1).string(2, 'zone').string(3, 'DoNotSchedule').message(4, labelSelector({ app: 'p' })));
        ps.int(25, 0);
      });
    });
    assert.deepEqual(got.object, {
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name: 'p', namespace: 'ns', annotations: { note: 'x' } },
      spec: {
        volumes: [
          { name: 'data', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } },
          { name: 'cfg', configMap: { name: 'settings', defaultMode: 420 } },
          { name: 'sec', secret: { secretName: 'creds', optional: false } },
        ],
        containers: [
          {
            name: 'app',
            image: 'busybox',
            command: ['sh', '-c'],
            args: ['sleep 1'],
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
            env: [
              { name: 'MODE', value: 'fast' },
              { name: 'POD', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
              { name: 'PW', valueFrom: { secretKeyRef: { name: 'creds', key: 'pw', optional: true } } },
            ],
            resources: { limits: { cpu: '500m' }, requests: { memory: '64Mi' } },
            volumeMounts: [{ name: 'data', readOnly: true, mountPath: '/data' }],
            livenessProbe: {
              httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' },
              initialDelaySeconds: 5,
              timeoutSeconds: 1,
              periodSeconds: 10,
              successThreshold: 1,
              failureThreshold: 3,
            },
            readinessProbe: { tcpSocket: { port: 8080 } },
            startupProbe: { exec: { command: ['cat', '/tmp/ready'] }, terminationGracePeriodSeconds: 0 },
            lifecycle: { preStop: { sleep: { seconds: 5 } } },
            securityContext: { capabilities: { drop: ['ALL'] }, runAsNonRoot: true, allowPrivilegeEscalation: false, runAsUser: -1 },
          },
        ],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 0,
        dnsPolicy: 'ClusterFirst',
        nodeSelector: { disk: 'ssd' },
        securityContext: { fsGroup: 2000, supplementalGroups: [1, 2] },
        imagePullSecrets: [{ name: 'regcred' }],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }],
            },
          },
        },
        tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }],
        topologySpreadConstraints: [
          { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'p' } } },
        ],
        priority: 0,
      },
    });
  });

  it('decodes a Secret: binary data as base64, stringData as text, and keeps an explicit immutable=false', () => {
    const got = decode('v1', 'Secret', (w) => {
      w.message(1, (m) => objectMeta(m, { name: 's' }));
      w.entry(2, 'key.bin', Uint8Array.from([0, 1, 0xfe, 0xff]));
      w.entry(2, 'empty', new Uint8Array(0));
      w.entry(4, 'user', 'admin');
      w.string(3, 'Opaque');
      w.bool(5, false);
    });
    assert.deepEqual(got.object, {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 's' },
      data: { 'key.bin': 'AAH+/w==', empty: '' },
      stringData: { user: 'admin' },
      type: 'Opaque',
      immutable: false,
    });
  });

  it('decodes a NodePort Service with a named targetPort', () => {
    const got = decode('v1', 'Service', (w) => {
      w.message(1, (m) => objectMeta(m, { name: 'web', labels: { app: 'web' } }));
      w.message(2, (s) => {
        s.message(1, (p) => p.string(1, '80-http').string(2, 'TCP').int(3, 80).message(4, intOrString('http')).int(5, 30080));
        s.message(1, (p) => p.string(1, 'metrics').string(2, 'TCP').int(3, 9100).message(4, intOrString(9100)).int(5, 0));
        s.entry(2, 'app', 'web');
        s.string(3, '').string(4, 'NodePort').string(7, '').string(8, '').string(10, '').string(11, '').int(12, 0).bool(13, false);
      });
      w.message(3, (s) => s.message(1, () => {}));
    });
    assert.deepEqual(got.object, {
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        ports: [
          { name: '80-http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 30080 },
          { name: 'metrics', protocol: 'TCP', port: 9100, targetPort: 9100 },
        ],
        selector: { app: 'web' },
        type: 'NodePort',
      },
      status: { loadBalancer: {} },
    });
  });

  it('decodes a SelfSubjectAccessReview', () => {
    const got = decode('authorization.k8s.io/v1', 'SelfSubjectAccessReview', (w) => {
      w.message(1, (m) => objectMeta(m, {}));
      w.message(2, (s) =>
        s.message(1, (r) => r.string(1, 'prod').string(2, 'create').string(3, 'apps').string(4, '').string(5, 'deployments').string(6, 'scale').string(7, '')),
      );
      w.message(3, (s) => s.bool(1, false).bool(4, false).string(2, '').string(3, ''));
    });
    assert.deepEqual(got.object, {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: {},
      spec: { resourceAttributes: { namespace: 'prod', verb: 'create', group: 'apps', resource: 'deployments', subresource: 'scale' } },
      status: { allowed: false },
    });
  });

  it('decodes a Job with completions, parallelism and a pod failure policy', () => {
    const got = decode('batch/v1', 'Job', (w) => {
      w.message(1, (m) => objectMeta(m, { name: 'pi' }));
      w.message(2, (s) => {
        s.int(1, 2).int(2, 5).int(7, 4).string(9, 'Indexed');
        s.message(6, (t) => {
          t.message(1, (m) => objectMeta(m, {}));
          t.message(2, (ps) => ps.message(2, (c) => container(c, 'pi', 'perl')).string(3, 'Never'));
        });
        s.message(11, (p) => {
          p.message(1, (r) => r.string(1, 'FailJob').message(2, (c) => c.string(1, 'pi').string(2, 'In').int(3, 42).int(3, -1)));
          p.message(1, (r) => r.string(1, 'Ignore').message(3, (c) => c.string(1, 'DisruptionTarget').string(2, 'True')));
        });
      });
      w.message(3, () => {});
    });
    assert.deepEqual(got.object, {
      kind: 'Job',
      apiVersion: 'batch/v1',
      metadata: { name: 'pi' },
      spec: {
        parallelism: 2,
        completions: 5,
        backoffLimit: 4,
        completionMode: 'Indexed',
        template: { metadata: {}, spec: { containers: [{ name: 'pi', image: 'perl', resources: {} }], restartPolicy: 'Never' } },
        podFailurePolicy: {
          rules: [
            { action: 'FailJob', onExitCodes: { containerName: 'pi', operator: 'In', values: [42, -1] } },
            { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
          ],
        },
      },
      status: {},
    });
  });

  it('accepts packed repeated integers', () => {
    const got = decode('batch/v1', 'Job', (w) =>
      w.message(2, (s) => s.message(11, (p) => p.message(1, (r) => r.string(1, 'Count').message(2, (c) => c.string(2, 'NotIn').packed(3, [1, 2, 300]))))),
    );
    const spec = got.object['spec'] as { podFailurePolicy: { rules: { onExitCodes: unknown }[] } };
    assert.deepEqual(spec.podFailurePolicy.rules[0]!.onExitCodes, { operator: 'NotIn', values: [1, 2, 300] });
  });

  it('decodes a TokenRequest, and writes null for a nil list or pointer that JSON keeps', () => {
    const got = decode('authentication.k8s.io/v1', 'TokenRequest', (w) => {
      w.message(1, (m) => objectMeta(m, {}));
      w.message(2, (s) => s.int(4, 3600));
      w.message(3, (s) => s.string(1, '').message(2, () => {}));
    });
    assert.deepEqual(got.object['spec'], { expirationSeconds: 3600, audiences: null, boundObjectRef: null });
    assert.deepEqual(got.object['status'], { token: '', expirationTimestamp: null });
  });

  it('decodes times: Time to whole seconds, MicroTime to microseconds, zero to null', () => {
    const got = decode('events.k8s.io/v1', 'Event', (w) => {
      w.message(1, (m) => {
        m.string(1, 'e');
        m.message(8, (t) => t.int(1, 1704164645).int(2, 987654321));
        m.message(9, (t) => t.int(1, 0));
      });
      w.message(2, (t) => t.int(1, 1704164645).int(2, 123456789));
      w.message(3, (s) => s.int(1, 2).message(2, (t) => t.int(1, -1).int(2, 500_000)));
      w.string(4, 'kubelet');
    });
    assert.deepEqual(got.object['metadata'], {
      name: 'e',
      creationTimestamp: '2024-01-02T03:04:05Z',
      deletionTimestamp: '1970-01-01T00:00:00Z',
    });
    assert.equal(got.object['eventTime'], '2024-01-02T03:04:05.123456Z');
    assert.deepEqual(got.object['series'], { count: 2, lastObservedTime: '1969-12-31T23:59:59.000500Z' });
  });

  it('decodes Go named slices (ExtraValue) and maps of messages', () => {
    const got = decode('authorization.k8s.io/v1', 'SubjectAccessReview', (w) =>
      w.message(2, (s) => {
        s.string(3, 'alice');
        s.entry(5, 'scopes', (v) => v.string(1, 'a').string(1, 'b'));
        s.entry(5, 'none', () => {});
      }),
    );
    assert.deepEqual(got.object['spec'], { user: 'alice', extra: { scopes: ['a', 'b'], none: [] } });
  });

  it('decodes IntOrString, Quantity and Duration forms', () => {
    assert.equal(decodeMessage('intstr.IntOrString', new Writer().int(1, 0).int(2, -3).finish()), -3);
    assert.equal(decodeMessage('intstr.IntOrString', new Writer().int(1, 1).string(3, '25%').finish()), '25%');
    assert.equal(decodeMessage('intstr.IntOrString', new Uint8Array(0)), 0);
    assert.equal(decodeMessage('resource.Quantity', new Writer().string(1, '100m').finish()), '100m');
    assert.equal(decodeMessage('meta.Duration', new Writer().int(1, 3_600_000_000_000).finish()), '1h0m0s');
    assert.equal(goDuration(0n), '0s');
    assert.equal(goDuration(1500n), '1.5µs');
    assert.equal(goDuration(20_000_000n), '20ms');
    assert.equal(goDuration(90_500_000_000n), '1m30.5s');
    assert.equal(goDuration(-(3_723_000_000_001n)), '-1h2m3.000000001s');
    assert.equal(goDuration(999n), '999ns');
  });

  it('decodes FieldsV1 and RawExtension as embedded JSON, and nested protobuf in a RawExtension', () => {
    const got = decode('apps/v1', 'ControllerRevision', (w) => {
      w.message(1, (m) =>
        m.string(1, 'rev').message(17, (e) => e.string(1, 'kubectl').string(2, 'Update').string(3, 'apps/v1').string(6, 'FieldsV1').message(7, (f) => f.string(1, '{"f:spec":{}}'))),
      );
      w.message(2, (r) => r.string(1, '{"spec":{"x":1}}'));
      w.int(3, 7);
    });
    assert.deepEqual(got.object['metadata'], {
      name: 'rev',
      managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }],
    });
    assert.deepEqual(got.object['data'], { spec: { x: 1 } });
    assert.equal(got.object['revision'], 7);

    const inner = envelope('v1', 'ConfigMap', new Writer().message(1, (m) => m.string(1, 'cm')).finish());
    const nested = decode('apps/v1', 'ControllerRevision', (w) => w.message(2, (r) => r.bytes(1, inner)));
    assert.deepEqual(nested.object['data'], { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cm' } });
    assert.throws(() => decode('apps/v1', 'ControllerRevision', (w) => w.message(2, (r) => r.string(1, 'not json'))), ProtobufError);

    let deep = envelope('v1', 'ConfigMap', new Uint8Array(0));
    for (let i = 0; i < 20; i++) deep = envelope('apps/v1', 'ControllerRevision', new Writer().message(2, (r) => r.bytes(1, deep)).finish());
    assert.throws(() => decodeKubernetesProtobuf(deep), /nested too deeply/);
  });

  it('merges a message field that occurs more than once, as protobuf parsers must', () => {
    const got = decode('v1', 'Pod', (w) => {
      w.message(1, (m) => m.string(1, 'p').entry(11, 'a', '1'));
      w.message(1, (m) => m.string(3, 'ns').entry(11, 'b', '2').string(14, 'f'));
      w.message(1, (m) => m.string(1, 'q').string(14, 'g').message(8, (t) => t.int(1, 60)));
    });
    assert.deepEqual(got.object['metadata'], {
      name: 'q',
      namespace: 'ns',
      labels: { a: '1', b: '2' },
      finalizers: ['f', 'g'],
      creationTimestamp: '1970-01-01T00:01:00Z',
    });
  });

  it('skips unknown fields of every wire type inside known messages', () => {
    const got = decode('v1', 'ConfigMap', (w) => {
      w.message(1, (m) => m.string(1, 'cm').string(99, 'future').int(100, 5).fixed32(101, 1).fixed64(102, 2n).group(103, (g) => g.int(1, 1)));
      w.entry(2, 'a', 'b');
      w.message(50, (x) => x.string(1, 'unknown message'));
    });
    assert.deepEqual(got.object, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cm' }, data: { a: 'b' } });
  });

  it('keeps a map key like __proto__ as plain data', () => {
    const got = decode('v1', 'ConfigMap', (w) => w.entry(2, '__proto__', 'x'));
    const data = got.object['data'] as Record<string, unknown>;
    assert.deepEqual(Object.keys(data), ['__proto__']);
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
    assert.equal(JSON.stringify(data), '{"__proto__":"x"}');
  });

  it('decodes DeleteOptions sent in any group version', () => {
    const w = new Writer().int(1, 0).string(4, 'Foreground').string(5, 'All').finish();
    const got = decodeKubernetesProtobuf(envelope('apps/v1', 'DeleteOptions', w));
    assert.deepEqual(got.object, { kind: 'DeleteOptions', apiVersion: 'apps/v1', gracePeriodSeconds: 0, propagationPolicy: 'Foreground', dryRun: ['All'] });
  });

  it('rejects a body without the k8s prefix, an unknown kind, and malformed messages', () => {
    assert.throws(() => decodeKubernetesProtobuf(new TextEncoder().encode('{"kind":"ConfigMap"}')), /does not start with the Kubernetes prefix/);
    assert.throws(() => decodeKubernetesProtobuf(new Uint8Array(0)), ProtobufError);
    assert.throws(
      () => decodeKubernetesProtobuf(envelope('example.com/v1', 'Widget', new Uint8Array(0))),
      (e: unknown) => e instanceof NoProtobufDecodingError && e.message === 'no protobuf decoding for example.com/v1/Widget',
    );
    assert.throws(() => decodeKubernetesProtobuf(envelope('v1', '', new Uint8Array(0))), /no kind/);
    // metadata sent as a varint instead of a message
    assert.throws(() => decode('v1', 'ConfigMap', (w) => w.int(1, 3)), /core.ConfigMap.metadata: wire type 0, expected 2/);
    // truncated raw object
    const truncated = envelope('v1', 'ConfigMap', Uint8Array.from([0x0a, 0x05, 0x0a]));
    assert.throws(() => decodeKubernetesProtobuf(truncated), ProtobufError);
  });

  it('recognises the protobuf content type with or without parameters', () => {
    assert.ok(isProtobufContentType('application/vnd.kubernetes.protobuf'));
    assert.ok(isProtobufContentType('application/vnd.kubernetes.protobuf; charset=utf-8'));
    assert.ok(!isProtobufContentType('application/json'));
    assert.ok(!isProtobufContentType(undefined));
  });
});
