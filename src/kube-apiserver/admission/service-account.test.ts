import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../api/kind.ts';
import { defaultAPITokenMountPath, serviceAccount, type ServiceAccount } from './service-account.ts';

const accounts = (byName: Record<string, ServiceAccount> = {}) => async (name: string) => byName[name];
const named = () => 'kube-api-access-x7k2q';

function pod(spec: Record<string, unknown> = {}, annotations?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', ...(annotations && { annotations }) }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } };
}

const spec = (p: KubeObject) => p.spec as any;
const mount = { name: 'kube-api-access-x7k2q', readOnly: true, mountPath: defaultAPITokenMountPath };

describe('ServiceAccount admission', () => {
  test('adds upstream kube-api-access volume and a read-only mount in every container and init container', async () => {
    const p = pod({ initContainers: [{ name: 'init', image: 'busybox' }], containers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] }], volumes: [{ name: 'data', emptyDir: {} }] });
    await serviceAccount(p, accounts({ default: {} }), named);
    assert.equal(spec(p).serviceAccountName, 'default');
    assert.equal(spec(p).serviceAccount, 'default');
    assert.deepEqual(spec(p).volumes, [
      { name: 'data', emptyDir: {} },
      {
        name: 'kube-api-access-x7k2q',
        projected: {
          defaultMode: 420,
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
          ],
        },
      },
    ]);
    assert.deepEqual(spec(p).initContainers[0].volumeMounts, [mount]);
    assert.deepEqual(spec(p).containers[0].volumeMounts, [mount]);
    assert.deepEqual(spec(p).containers[1].volumeMounts, [{ name: 'data', mountPath: '/data' }, mount]);
  });

  test('the generated name is kube-api-access- and 5 random characters', async () => {
    const p = pod();
    await serviceAccount(p, accounts());
    assert.match(spec(p).volumes[0].name, /^kube-api-access-[a-z0-9]{5}$/);
    assert.equal(spec(p).containers[0].volumeMounts[0].name, spec(p).volumes[0].name);
  });

  test('automountServiceAccountToken: false on the pod, or on its ServiceAccount, opts out; the pod wins', async () => {
    const optedOut = pod({ automountServiceAccountToken: false });
    await serviceAccount(optedOut, accounts({ default: { automountServiceAccountToken: true } }), named);
    assert.equal(spec(optedOut).volumes, undefined);
    assert.equal(spec(optedOut).containers[0].volumeMounts, undefined);

    const bySA = pod({ serviceAccountName: 'robot' });
    await serviceAccount(bySA, accounts({ robot: { automountServiceAccountToken: false } }), named);
    assert.equal(spec(bySA).volumes, undefined);

    const podWins = pod({ serviceAccountName: 'robot', automountServiceAccountToken: true });
    await serviceAccount(podWins, accounts({ robot: { automountServiceAccountToken: false } }), named);
    assert.equal(spec(podWins).volumes[0].name, 'kube-api-access-x7k2q');
  });

  test('a missing ServiceAccount is no reason to refuse the pod: the token is mounted', async () => {
    const p = pod({ serviceAccountName: 'not-yet' });
    await serviceAccount(p, accounts(), named);
    assert.equal(spec(p).serviceAccountName, 'not-yet');
    assert.equal(spec(p).volumes[0].name, 'kube-api-access-x7k2q');
  });

  test('a container with something mounted at the path keeps it; the volume is added only for those that need it', async () => {
    const own = { name: 'mine', mountPath: defaultAPITokenMountPath };
    const all = pod({ containers: [{ name: 'c', image: 'busybox', volumeMounts: [own] }], volumes: [{ name: 'mine', secret: { secretName: 's' } }] });
    await serviceAccount(all, accounts(), named);
    assert.deepEqual(spec(all).volumes, [{ name: 'mine', secret: { secretName: 's' } }]);
    assert.deepEqual(spec(all).containers[0].volumeMounts, [own]);

    const some = pod({ containers: [{ name: 'a', image: 'busybox', volumeMounts: [own] }, { name: 'b', image: 'busybox' }] });
    await serviceAccount(some, accounts(), named);
    assert.deepEqual(spec(some).containers[0].volumeMounts, [own]);
    assert.deepEqual(spec(some).containers[1].volumeMounts, [mount]);
    assert.equal(spec(some).volumes.length, 1);
  });

  test('never twice: admitting the admitted pod again changes nothing; an existing kube-api-access volume is reused', async () => {
    const p = pod();
    await serviceAccount(p, accounts(), named);
    const once = structuredClone(p);
    await serviceAccount(p, accounts(), () => 'kube-api-access-other');
    assert.deepEqual(p, once);

    const existing = pod({ volumes: [{ name: 'kube-api-access-abcde', projected: { sources: [] } }] });
    await serviceAccount(existing, accounts(), named);
    assert.equal(spec(existing).volumes.length, 1);
    assert.deepEqual(spec(existing).containers[0].volumeMounts, [{ name: 'kube-api-access-abcde', readOnly: true, mountPath: defaultAPITokenMountPath }]);
  });

  test('mirror pods get no volume', async () => {
    const p = pod({}, { 'kubernetes.io/config.mirror': 'abc' });
    await serviceAccount(p, accounts(), named);
    assert.equal(spec(p).volumes, undefined);
  });

  test("a pod without imagePullSecrets takes its ServiceAccount's", async () => {
    const p = pod();
    await serviceAccount(p, accounts({ default: { imagePullSecrets: [{ name: 'registry' }] } }), named);
    assert.deepEqual(spec(p).imagePullSecrets, [{ name: 'registry' }]);
    const own = pod({ imagePullSecrets: [{ name: 'mine' }] });
    await serviceAccount(own, accounts({ default: { imagePullSecrets: [{ name: 'registry' }] } }), named);
    assert.deepEqual(spec(own).imagePullSecrets, [{ name: 'mine' }]);
  });
});
