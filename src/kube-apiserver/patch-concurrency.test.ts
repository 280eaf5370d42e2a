// Patches racing on one object: a patch that names no resourceVersion is applied again to the
// newer object and never fails with 409 (as upstream's GuaranteedUpdate); one that names a stale
// resourceVersion fails with 409 Conflict and changes nothing.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadKubeconfig } from '../client/kubeconfig.ts';
import { RestClient } from '../client/rest-client.ts';
import { isConflict } from '../client/api-errors.ts';
import { createKubeApiServer, type KubeApiServer } from './server.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-patch-race-'));
let apiserver: KubeApiServer;
let client: RestClient;
const cm = { group: '', version: 'v1', resource: 'configmaps', namespace: 'default', name: 'race' };

before(async () => {
  apiserver = createKubeApiServer({ dataDir, storeUrl: 'memory://', port: 0 });
  await apiserver.start();
  client = new RestClient(loadKubeconfig(apiserver.kubeconfigPath));
  await client.create({ ...cm, name: undefined }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'race' }, data: {} });
});

after(async () => {
  client?.close();
  await apiserver?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

for (const type of ['merge', 'strategic', 'json'] as const) {
  test(`${type} patches without a resourceVersion all land when they race`, async () => {
    const keys = Array.from({ length: 24 }, (_, i) => `${type}-${i}`);
    await Promise.all(
      keys.map((k) =>
        client.patch(cm, type === 'json' ? [{ op: 'add', path: `/data/${k}`, value: k }] : { data: { [k]: k } }, { type }),
      ),
    );
    const got = await client.get<{ data: Record<string, string> }>(cm);
    for (const k of keys) assert.equal(got.data[k], k);
  });
}

test('a patch that names a stale resourceVersion fails with 409 and changes nothing', async () => {
  const before = await client.get<{ metadata: { resourceVersion: string } }>(cm);
  await client.patch(cm, { data: { moved: 'on' } }, { type: 'merge' });
  for (const [type, body] of [
    ['merge', { metadata: { resourceVersion: before.metadata.resourceVersion }, data: { stale: 'x' } }],
    ['json', [{ op: 'replace', path: '/metadata/resourceVersion', value: before.metadata.resourceVersion }, { op: 'add', path: '/data/stale', value: 'x' }]],
  ] as const) {
    await assert.rejects(client.patch(cm, body, { type }), (err: unknown) => isConflict(err));
  }
  const got = await client.get<{ data: Record<string, string> }>(cm);
  assert.equal(got.data.stale, undefined);
});
