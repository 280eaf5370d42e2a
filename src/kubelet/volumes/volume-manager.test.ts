// Every supported volume type set up in temp dirs with a fake source and clock: contents, modes,
// optional sources, refresh, token renewal, unsupported types and teardown.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FakeClock } from '../../machinery/fake-clock.ts';
import { FakePodResourceSource } from '../env/fake-source.ts';
import type { Pod } from '../env/types.ts';
import { PodVolumesError, UnsupportedVolumeError, VolumeError } from './errors.ts';
import type { Volume } from './types.ts';
import { createVolumeManager } from './volume-manager.ts';

const root = mkdtempSync(join(tmpdir(), 'k8ts-volume-manager-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function setup(opts: { allocatable?: Record<string, string> } = {}) {
  const podsDir = join(root, `pods-${n++}`);
  const clock = new FakeClock();
  const source = new FakePodResourceSource();
  source.now = () => clock.now();
  const manager = createVolumeManager({ podsDir, source, clock, nodeAllocatable: () => opts.allocatable ?? { cpu: '2', memory: '4Gi' } });
  return { podsDir, clock, source, manager };
}

function pod(volumes: Volume[], extra: { uid?: string; labels?: Record<string, string> } = {}): Pod {
  return {
    metadata: { name: 'web-0', namespace: 'shop', uid: extra.uid ?? 'pod-uid-1', labels: extra.labels ?? { app: 'web' }, annotations: { note: 'a "quoted" value' } },
    spec: {
      serviceAccountName: 'builder',
      containers: [{ name: 'app', resources: { limits: { memory: '128Mi' }, requests: { cpu: '250m' } } }],
      volumes,
    },
  };
}

const read = (path: string): string => readFileSync(path, 'utf8');
const mode = (path: string): number => statSync(path).mode & 0o7777;

async function setUpFails(manager: ReturnType<typeof setup>['manager'], p: Pod): Promise<VolumeError[]> {
  try {
    await manager.setUpPodVolumes(p);
  } catch (err) {
    assert.ok(err instanceof PodVolumesError, String(err));
    return [...err.errors];
  }
  assert.fail('set up should have failed');
}

describe('emptyDir', () => {
  it('is a world-writable directory under the pod, whatever the medium', async () => {
    const { manager, podsDir } = setup();
    const volumes = await manager.setUpPodVolumes(pod([{ name: 'scratch', emptyDir: {} }, { name: 'shm', emptyDir: { medium: 'Memory' } }, { name: 'plain' }]));
    const base = join(podsDir, 'pod-uid-1', 'volumes', 'kubernetes.io~empty-dir');
    assert.deepEqual(volumes.get('scratch'), { hostPath: join(base, 'scratch'), readOnly: false });
    assert.deepEqual(volumes.get('shm'), { hostPath: join(base, 'shm'), readOnly: false });
    assert.deepEqual(volumes.get('plain'), { hostPath: join(base, 'plain'), readOnly: false }, 'no source at all is an emptyDir');
    assert.equal(mode(join(base, 'scratch')), 0o777);
    writeFileSync(join(base, 'scratch', 'kept'), 'x');
    await manager.setUpPodVolumes(pod([{ name: 'scratch', emptyDir: {} }]));
    assert.equal(read(join(base, 'scratch', 'kept')), 'x', 'setting up again keeps the content');
  });
});

describe('hostPath', () => {
  it('is the host path itself, type-checked', async () => {
    const { manager } = setup();
    const hostDir = mkdtempSync(join(root, 'host-'));
    const created = join(hostDir, 'created');
    const volumes = await manager.setUpPodVolumes(
      pod([
        { name: 'h', hostPath: { path: hostDir, type: 'Directory' } },
        { name: 'c', hostPath: { path: created, type: 'DirectoryOrCreate' } },
      ]),
    );
    assert.deepEqual(volumes.get('h'), { hostPath: hostDir, readOnly: false });
    assert.ok(statSync(created).isDirectory());
  });

  it('a failed type check is a FailedMount error naming the volume', async () => {
    const { manager } = setup();
    const missing = join(root, 'no-such-host-dir');
    const errors = await setUpFails(manager, pod([{ name: 'h', hostPath: { path: missing, type: 'Directory' } }]));
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.reason, 'FailedMount');
    assert.equal(errors[0]!.volumeName, 'h');
    assert.equal(errors[0]!.message, `MountVolume.SetUp failed for volume "h" : hostPath ${missing} doesn't exist`);
  });
});

describe('configMap', () => {
  it('projects every key (data and binaryData) with defaultMode, read-only', async () => {
    const { manager, source, podsDir } = setup();
    source.setConfigMap('shop', 'cfg', { 'app.conf': 'port=80' }, { 'logo.bin': Buffer.from([0, 1, 2, 255]).toString('base64') });
    const volumes = await manager.setUpPodVolumes(pod([{ name: 'config', configMap: { name: 'cfg' } }]));
    const dir = join(podsDir, 'pod-uid-1', 'volumes', 'kubernetes.io~configmap', 'config');
    assert.deepEqual(volumes.get('config'), { hostPath: dir, readOnly: true });
    assert.equal(read(join(dir, 'app.conf')), 'port=80');
    assert.deepEqual(readFileSync(join(dir, 'logo.bin')), Buffer.from([0, 1, 2, 255]));
    assert.equal(mode(join(dir, 'app.conf')), 0o644);
    assert.equal(readlinkSync(join(dir, 'app.conf')), '..data/app.conf');
  });

  it('items choose keys, paths and modes; defaultMode applies to the rest', async () => {
    const { manager, source } = setup();
    source.setConfigMap('shop', 'cfg', { a: 'A', b: 'B', c: 'C' });
    const volumes = await manager.setUpPodVolumes(
      pod([
        {
          name: 'config',
          configMap: {
            name: 'cfg',
            defaultMode: 0o440,
            items: [
              { key: 'a', path: 'conf/a.txt', mode: 0o400 },
              { key: 'b', path: 'b.txt' },
            ],
          },
        },
      ]),
    );
    const dir = volumes.get('config')!.hostPath;
    assert.deepEqual(readdirSync(dir).filter((e) => !e.startsWith('..')).sort(), ['b.txt', 'conf']);
    assert.equal(read(join(dir, 'conf/a.txt')), 'A');
    assert.equal(mode(join(dir, 'conf/a.txt')), 0o400);
    assert.equal(mode(join(dir, 'b.txt')), 0o440);
  });

  it('missing objects and keys fail unless optional', async () => {
    const { manager, source } = setup();
    source.setConfigMap('shop', 'cfg', { a: 'A' });
    const errors = await setUpFails(
      manager,
      pod([
        { name: 'gone', configMap: { name: 'nope' } },
        { name: 'nokey', configMap: { name: 'cfg', items: [{ key: 'zzz', path: 'z' }] } },
        { name: 'fine', configMap: { name: 'nope', optional: true } },
        { name: 'fine-key', configMap: { name: 'cfg', optional: true, items: [{ key: 'zzz', path: 'z' }, { key: 'a', path: 'a' }] } },
      ]),
    );
    assert.deepEqual(
      errors.map((e) => e.message),
      ['MountVolume.SetUp failed for volume "gone" : configmap "nope" not found', 'MountVolume.SetUp failed for volume "nokey" : configmap references non-existent config key: zzz'],
    );
    const { manager: m2, source: s2 } = setup();
    s2.setConfigMap('shop', 'cfg', { a: 'A' });
    const volumes = await m2.setUpPodVolumes(
      pod([
        { name: 'fine', configMap: { name: 'nope', optional: true } },
        { name: 'fine-key', configMap: { name: 'cfg', optional: true, items: [{ key: 'zzz', path: 'z' }, { key: 'a', path: 'a' }] } },
      ]),
    );
    assert.deepEqual(readdirSync(volumes.get('fine')!.hostPath).filter((e) => !e.startsWith('..')), []);
    assert.deepEqual(readdirSync(volumes.get('fine-key')!.hostPath).filter((e) => !e.startsWith('..')), ['a']);
  });

  it('refresh shows updates atomically: ..data moves, the old timestamped dir goes, dropped keys vanish', async () => {
    const { manager, source, clock } = setup();
    source.setConfigMap('shop', 'cfg', { a: 'v1', b: 'v1' });
    const p = pod([{ name: 'config', configMap: { name: 'cfg' } }]);
    const dir = (await manager.setUpPodVolumes(p)).get('config')!.hostPath;
    const firstTs = readlinkSync(join(dir, '..data'));
    await manager.refresh(p);
    assert.equal(readlinkSync(join(dir, '..data')), firstTs, 'nothing changed, nothing written');
    clock.advance(61_000);
    source.setConfigMap('shop', 'cfg', { a: 'v2', c: 'new' });
    await manager.refresh(p);
    const secondTs = readlinkSync(join(dir, '..data'));
    assert.notEqual(secondTs, firstTs);
    assert.equal(existsSync(join(dir, firstTs)), false);
    assert.deepEqual(readdirSync(dir).sort(), [secondTs, '..data', 'a', 'c'].sort());
    assert.equal(read(join(dir, 'a')), 'v2');
    assert.equal(read(join(dir, 'c')), 'new');
  });

  it('a failed refresh keeps the last good content', async () => {
    const { manager, source } = setup();
    source.setConfigMap('shop', 'cfg', { a: 'v1' });
    const p = pod([{ name: 'config', configMap: { name: 'cfg' } }]);
    const dir = (await manager.setUpPodVolumes(p)).get('config')!.hostPath;
    source.configMaps.clear();
    await assert.rejects(manager.refresh(p), PodVolumesError);
    assert.equal(read(join(dir, 'a')), 'v1');
  });
});

describe('secret', () => {
  it('decodes values and honours items, modes and optional', async () => {
    const { manager, source, podsDir } = setup();
    source.setSecret('shop', 'creds', { password: 'hunter2', user: 'admin' });
    const volumes = await manager.setUpPodVolumes(
      pod([
        { name: 'all', secret: { secretName: 'creds', defaultMode: 0o400 } },
        { name: 'one', secret: { secretName: 'creds', items: [{ key: 'password', path: 'pw', mode: 0o440 }] } },
        { name: 'maybe', secret: { secretName: 'absent', optional: true } },
      ]),
    );
    const all = volumes.get('all')!;
    assert.equal(all.hostPath, join(podsDir, 'pod-uid-1', 'volumes', 'kubernetes.io~secret', 'all'));
    assert.equal(all.readOnly, true);
    assert.equal(read(join(all.hostPath, 'password')), 'hunter2');
    assert.equal(mode(join(all.hostPath, 'user')), 0o400);
    assert.equal(read(join(volumes.get('one')!.hostPath, 'pw')), 'hunter2');
    assert.equal(mode(join(volumes.get('one')!.hostPath, 'pw')), 0o440);
    assert.ok(volumes.has('maybe'));
  });

  it('missing secrets and keys fail with upstream messages', async () => {
    const { manager, source } = setup();
    source.setSecret('shop', 'creds', { user: 'admin' });
    const errors = await setUpFails(
      manager,
      pod([
        { name: 'a', secret: { secretName: 'absent' } },
        { name: 'b', secret: { secretName: 'creds', items: [{ key: 'password', path: 'pw' }] } },
      ]),
    );
    assert.deepEqual(
      errors.map((e) => e.message),
      ['MountVolume.SetUp failed for volume "a" : secret "absent" not found', 'MountVolume.SetUp failed for volume "b" : references non-existent secret key: password'],
    );
  });
});

describe('downwardAPI', () => {
  it('projects metadata and resources; refresh follows label changes', async () => {
    const { manager, podsDir } = setup();
    const volume: Volume = {
      name: 'info',
      downwardAPI: {
        items: [
          { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
          { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
          { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
          { path: 'app', fieldRef: { fieldPath: "metadata.labels['app']" }, mode: 0o600 },
          { path: 'res/mem_limit_mi', resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } },
          { path: 'res/cpu_limit', resourceFieldRef: { containerName: 'app', resource: 'limits.cpu' } },
          { path: 'res/cpu_request_m', resourceFieldRef: { containerName: 'app', resource: 'requests.cpu', divisor: '1m' } },
        ],
      },
    };
    const p = pod([volume], { labels: { app: 'web', zone: 'b' } });
    const dir = (await manager.setUpPodVolumes(p)).get('info')!.hostPath;
    assert.equal(dir, join(podsDir, 'pod-uid-1', 'volumes', 'kubernetes.io~downward-api', 'info'));
    assert.equal(read(join(dir, 'name')), 'web-0');
    assert.equal(read(join(dir, 'labels')), 'app="web"\nzone="b"');
    assert.equal(read(join(dir, 'annotations')), 'note="a \\"quoted\\" value"');
    assert.equal(read(join(dir, 'app')), 'web');
    assert.equal(mode(join(dir, 'app')), 0o600);
    assert.equal(mode(join(dir, 'name')), 0o644);
    assert.equal(read(join(dir, 'res/mem_limit_mi')), '128');
    assert.equal(read(join(dir, 'res/cpu_limit')), '2', 'unset limit reads as node allocatable');
    assert.equal(read(join(dir, 'res/cpu_request_m')), '250');

    await manager.refresh(pod([volume], { labels: { app: 'api' } }));
    assert.equal(read(join(dir, 'labels')), 'app="api"');
    assert.equal(read(join(dir, 'app')), 'api');
  });

  it('reports unsupported fields', async () => {
    const { manager } = setup();
    const errors = await setUpFails(
      manager,
      pod([
        {
          name: 'info',
          downwardAPI: {
            items: [
              { path: 'node', fieldRef: { fieldPath: 'spec.nodeName' } },
              { path: 'x', resourceFieldRef: { containerName: 'ghost', resource: 'limits.cpu' } },
            ],
          },
        },
      ]),
    );
    assert.deepEqual(
      errors.map((e) => e.message),
      ['MountVolume.SetUp failed for volume "info" : [unsupported fieldPath: spec.nodeName, container ghost not found]'],
    );
  });
});

const kubeAPIAccess = (optionalCA = false): Volume => ({
  name: 'kube-api-access-x7k2q',
  projected: {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }], ...(optionalCA ? { optional: true } : {}) } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  },
});

describe('projected', () => {
  it('assembles the ServiceAccount admission volume: token, ca.crt and namespace', async () => {
    const { manager, source, podsDir } = setup();
    source.setConfigMap('shop', 'kube-root-ca.crt', { 'ca.crt': '-----BEGIN CERTIFICATE-----\n' });
    const volumes = await manager.setUpPodVolumes(pod([kubeAPIAccess()]));
    const dir = volumes.get('kube-api-access-x7k2q')!.hostPath;
    assert.equal(dir, join(podsDir, 'pod-uid-1', 'volumes', 'kubernetes.io~projected', 'kube-api-access-x7k2q'));
    assert.equal(volumes.get('kube-api-access-x7k2q')!.readOnly, true);
    assert.deepEqual(readdirSync(dir).filter((e) => !e.startsWith('..')).sort(), ['ca.crt', 'namespace', 'token']);
    assert.equal(read(join(dir, 'token')), 'token-1-builder-');
    assert.equal(read(join(dir, 'ca.crt')), '-----BEGIN CERTIFICATE-----\n');
    assert.equal(read(join(dir, 'namespace')), 'shop');
    for (const f of ['token', 'ca.crt', 'namespace']) assert.equal(mode(join(dir, f)), 0o644);
    assert.deepEqual(source.tokenRequests, [
      { namespace: 'shop', serviceAccount: 'builder', request: { audiences: [], expirationSeconds: 3607, pod: { name: 'web-0', uid: 'pod-uid-1' } } },
    ]);
  });

  it('without kube-root-ca.crt the volume fails like upstream, unless the source is optional', async () => {
    const { manager } = setup();
    const errors = await setUpFails(manager, pod([kubeAPIAccess()]));
    assert.deepEqual(
      errors.map((e) => e.message),
      ['MountVolume.SetUp failed for volume "kube-api-access-x7k2q" : configmap "kube-root-ca.crt" not found'],
    );
    const volumes = await manager.setUpPodVolumes(pod([kubeAPIAccess(true)]));
    assert.deepEqual(readdirSync(volumes.get('kube-api-access-x7k2q')!.hostPath).filter((e) => !e.startsWith('..')).sort(), ['namespace', 'token']);
  });

  it('merges secrets and configMaps with items and audiences', async () => {
    const { manager, source } = setup();
    source.setSecret('shop', 's', { key: 'secret-value' });
    source.setConfigMap('shop', 'c', { one: '1', two: '2' });
    const volumes = await manager.setUpPodVolumes(
      pod([
        {
          name: 'all',
          projected: {
            defaultMode: 0o440,
            sources: [
              { secret: { name: 's', items: [{ key: 'key', path: 'creds/key', mode: 0o400 }] } },
              { configMap: { name: 'c' } },
              { serviceAccountToken: { audience: 'vault', path: 'vault-token' } },
            ],
          },
        },
      ]),
    );
    const dir = volumes.get('all')!.hostPath;
    assert.equal(read(join(dir, 'creds/key')), 'secret-value');
    assert.equal(mode(join(dir, 'creds/key')), 0o400);
    assert.equal(mode(join(dir, 'one')), 0o440);
    assert.equal(read(join(dir, 'vault-token')), 'token-1-builder-vault');
    assert.deepEqual(source.tokenRequests[0]!.request, { audiences: ['vault'], expirationSeconds: 3600, pod: { name: 'web-0', uid: 'pod-uid-1' } });
  });

  it('reports every failing source at once', async () => {
    const { manager, source } = setup();
    source.setConfigMap('shop', 'c', {});
    const errors = await setUpFails(
      manager,
      pod([{ name: 'p', projected: { sources: [{ secret: { name: 'nope' } }, { configMap: { name: 'c', items: [{ key: 'k', path: 'k' }] } }, { clusterTrustBundle: { path: 'b' } }] } }]),
    );
    assert.deepEqual(
      errors.map((e) => e.message),
      [
        'MountVolume.SetUp failed for volume "p" : [secret "nope" not found, configmap references non-existent config key: k, projected source clusterTrustBundle is not supported by this kubelet]',
      ],
    );
  });
});

describe('service account token refresh', () => {
  it('renews the token after 80% of its lifetime, not before', async () => {
    const { manager, source, clock } = setup();
    source.setConfigMap('shop', 'kube-root-ca.crt', { 'ca.crt': 'ca' });
    const p = pod([kubeAPIAccess()]);
    const dir = (await manager.setUpPodVolumes(p)).get('kube-api-access-x7k2q')!.hostPath;
    assert.equal(read(join(dir, 'token')), 'token-1-builder-');
    clock.advance(2800_000); // 77.6% of 3607s
    await manager.refresh(p);
    assert.equal(source.tokenRequests.length, 1);
    assert.equal(read(join(dir, 'token')), 'token-1-builder-');
    clock.advance(100_000); // 80.4%
    await manager.refresh(p);
    assert.equal(source.tokenRequests.length, 2);
    assert.equal(read(join(dir, 'token')), 'token-2-builder-');
  });

  it('renews a long-lived token after 24 hours', async () => {
    const { manager, source, clock } = setup();
    const p = pod([{ name: 't', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 7 * 24 * 3600 } }] } }]);
    const dir = (await manager.setUpPodVolumes(p)).get('t')!.hostPath;
    clock.advance(24 * 3600_000 - 1000);
    await manager.refresh(p);
    assert.equal(source.tokenRequests.length, 1);
    clock.advance(2000);
    await manager.refresh(p);
    assert.equal(source.tokenRequests.length, 2);
    assert.equal(read(join(dir, 'token')), 'token-2-builder-');
  });

  it('keeps a still-valid token when renewal fails, and fails once it has expired', async () => {
    const { manager, source, clock } = setup();
    const p = pod([{ name: 't', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 600 } }] } }]);
    const dir = (await manager.setUpPodVolumes(p)).get('t')!.hostPath;
    clock.advance(500_000);
    source.failWith = new Error('serviceaccounts "builder" not found');
    await manager.refresh(p);
    assert.equal(read(join(dir, 'token')), 'token-1-builder-');
    clock.advance(100_001);
    await assert.rejects(manager.refresh(p), (err: unknown) => {
      assert.ok(err instanceof PodVolumesError);
      assert.equal(err.errors[0]!.message, 'MountVolume.SetUp failed for volume "t" : failed to fetch token: serviceaccounts "builder" not found');
      return true;
    });
    assert.equal(read(join(dir, 'token')), 'token-1-builder-', 'the file is left as it was');
    source.failWith = undefined;
    await manager.refresh(p);
    assert.equal(read(join(dir, 'token')), 'token-2-builder-');
  });

  it('tokens are per pod and forgotten at teardown', async () => {
    const { manager, source } = setup();
    const vol: Volume = { name: 't', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } };
    await manager.setUpPodVolumes(pod([vol], { uid: 'a' }));
    await manager.setUpPodVolumes(pod([vol], { uid: 'b' }));
    assert.equal(source.tokenRequests.length, 2);
    await manager.tearDownPodVolumes('a');
    await manager.setUpPodVolumes(pod([vol], { uid: 'a' }));
    assert.equal(source.tokenRequests.length, 3);
  });
});

describe('unsupported volume types', () => {
  it('fail clearly while the other volumes are still set up', async () => {
    const { manager, source } = setup();
    source.setConfigMap('shop', 'cfg', { a: '1' });
    const p = pod([
      { name: 'data', persistentVolumeClaim: { claimName: 'pvc-1' } },
      { name: 'share', nfs: { server: 'nfs.local', path: '/export' } },
      { name: 'config', configMap: { name: 'cfg' } },
    ]);
    const errors = await setUpFails(manager, p);
    assert.ok(errors.every((e) => e instanceof UnsupportedVolumeError));
    assert.deepEqual(
      errors.map((e) => e.message),
      [
        'MountVolume.SetUp failed for volume "data" : volume type "persistentVolumeClaim" is not supported by this kubelet',
        'MountVolume.SetUp failed for volume "share" : volume type "nfs" is not supported by this kubelet',
      ],
    );
    await assert.rejects(manager.setUpPodVolumes(p), { message: /^unmounted volumes=\[data share\]: / });
    await manager.refresh(p);
  });
});

describe('tearDownPodVolumes', () => {
  it('removes the pod volumes but never what hostPath volumes or symlinks point at', async () => {
    const { manager, source, podsDir } = setup();
    source.setConfigMap('shop', 'cfg', { a: '1' });
    const hostDir = mkdtempSync(join(root, 'precious-'));
    writeFileSync(join(hostDir, 'data'), 'keep me');
    mkdirSync(join(hostDir, 'sub'));
    writeFileSync(join(hostDir, 'sub', 'more'), 'keep me too');
    const volumes = await manager.setUpPodVolumes(
      pod([
        { name: 'host', hostPath: { path: hostDir } },
        { name: 'scratch', emptyDir: {} },
        { name: 'config', configMap: { name: 'cfg' } },
      ]),
    );
    // A container could leave links to host paths in its writable volumes.
    symlinkSync(hostDir, join(volumes.get('scratch')!.hostPath, 'link-to-host'));
    symlinkSync(join(hostDir, 'data'), join(volumes.get('scratch')!.hostPath, 'link-to-file'));
    await manager.tearDownPodVolumes('pod-uid-1');
    assert.equal(existsSync(manager.podVolumesDir('pod-uid-1')), false);
    assert.equal(existsSync(join(podsDir, 'pod-uid-1')), true, 'the rest of the pod directory is the kubelet business');
    assert.equal(read(join(hostDir, 'data')), 'keep me');
    assert.equal(read(join(hostDir, 'sub', 'more')), 'keep me too');
    await manager.tearDownPodVolumes('pod-uid-1');
    await manager.tearDownPodVolumes('never-existed');
  });

  it('refuses pod UIDs and volume names that could name another directory', async () => {
    const { manager, podsDir } = setup();
    const errors = await setUpFails(manager, pod([{ name: '../../evil', emptyDir: {} }]));
    assert.equal(errors[0]!.message, 'MountVolume.SetUp failed for volume "../../evil" : invalid volume name "../../evil"');
    assert.equal(existsSync(join(podsDir, 'evil')), false);
    await assert.rejects(manager.tearDownPodVolumes('../x'), { message: 'invalid pod UID "../x"' });
    await assert.rejects(manager.tearDownPodVolumes('..'), { message: 'invalid pod UID ".."' });
    await assert.rejects(manager.setUpPodVolumes(pod([], { uid: '' })), { message: 'invalid pod UID ""' });
  });
});
