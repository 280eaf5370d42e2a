import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Schema } from '../../api/schema.ts';
import { freeform, int32, intOrString, list, listMap, mapOf, obj, quantity, set, str, stringMap } from '../../api/schema.ts';
import { kindSchema } from '../../api/meta.ts';
import { createStrategicMergePatch, strategicMergePatch } from './strategic-merge-patch.ts';
import { PatchError } from './patch-error.ts';
import { int, object, pick, sample, seeded, type Random } from './random-json.ts';

// The schema of upstream's strategicpatch test type MergeItem (patch_test.go), unrolled to a
// fixed depth because builders make plain (non-recursive) objects.
function mergeItem(depth: number): Schema {
  const fields: Record<string, Schema> = { name: str(), value: str(), other: str() };
  if (depth > 0) {
    const item = mergeItem(depth - 1);
    Object.assign(fields, {
      mergingList: listMap(item, ['name']),
      nonMergingList: list(item),
      mergingIntList: { ...list(int32()), 'x-kubernetes-patch-strategy': 'merge' },
      nonMergingIntList: list(int32()),
      simpleMap: stringMap(),
      replacingItem: { ...freeform(), 'x-kubernetes-patch-strategy': 'replace' },
      retainKeysMap: obj({ name: str(), value: str(), simpleMap: stringMap() }, { 'x-kubernetes-patch-strategy': 'retainKeys' }),
      retainKeysMergingList: listMap(item, ['name'], undefined, { 'x-kubernetes-patch-strategy': 'merge,retainKeys' }),
    });
  }
  return obj(fields);
}
const mergeItemSchema = mergeItem(3);

// A pod and a deployment, reduced to the fields whose patch behaviour the cases pin.
const containerPort = obj({ containerPort: int32(), protocol: str(), name: str() });
const envVar = obj({ name: str(), value: str() });
const container = obj({
  name: str(),
  image: str(),
  args: list(str()),
  ports: listMap(containerPort, ['containerPort']),
  env: listMap(envVar, ['name']),
  resources: obj({ limits: mapOf(quantity()), requests: mapOf(quantity()) }),
});
const volume = obj({ name: str(), emptyDir: obj({ medium: str() }), hostPath: obj({ path: str() }), configMap: obj({ name: str() }) });
const metadata = obj({
  name: str(),
  labels: stringMap(),
  annotations: stringMap(),
  finalizers: { ...set(str()), 'x-kubernetes-patch-strategy': 'merge' },
  ownerReferences: listMap(obj({ uid: str(), name: str(), kind: str() }), ['uid']),
});
const podSpec = obj({
  containers: listMap(container, ['name']),
  initContainers: listMap(container, ['name']),
  volumes: listMap(volume, ['name'], undefined, { 'x-kubernetes-patch-strategy': 'merge,retainKeys' }),
  nodeSelector: stringMap(),
  tolerations: list(obj({ key: str(), operator: str(), effect: str() })),
});
const podSchema = obj({ apiVersion: str(), kind: str(), metadata, spec: podSpec });
const deploymentSchema = obj({
  metadata,
  spec: obj({
    replicas: int32(),
    strategy: obj(
      { type: str(), rollingUpdate: obj({ maxSurge: intOrString(), maxUnavailable: intOrString() }) },
      { 'x-kubernetes-patch-strategy': 'retainKeys' },
    ),
    template: obj({ metadata, spec: podSpec }),
  }),
});
const customResourceSchema = obj({ metadata, spec: freeform(), status: freeform() });

interface Case {
  name: string;
  schema?: Schema;
  original: unknown;
  patch: unknown;
  want?: unknown;
  error?: string | RegExp;
}

const upstream: Case[] = [
  // customStrategicMergePatchTestCaseData
  { name: 'unique scalars when merging lists', original: { mergingIntList: [1, 2] }, patch: { mergingIntList: [2, 3] }, want: { mergingIntList: [1, 2, 3] } },
  {
    name: 'delete map from nested map',
    original: { simpleMap: { key1: '1', key2: '1' } },
    patch: { simpleMap: { $patch: 'delete' } },
    want: { simpleMap: {} },
  },
  {
    name: 'delete all items from merging list',
    original: { mergingList: [{ name: '1' }, { name: '2' }] },
    patch: { mergingList: [{ $patch: 'replace' }] },
    want: { mergingList: [] },
  },
  { name: 'merge empty merging lists', original: { mergingList: [] }, patch: { mergingList: [] }, want: { mergingList: [] } },
  { name: 'delete all keys from map', original: { name: '1', value: '1' }, patch: { $patch: 'replace' }, want: {} },
  { name: 'add key and delete all keys from map', original: { name: '1', value: '1' }, patch: { other: 'a', $patch: 'replace' }, want: { other: 'a' } },
  {
    name: 'delete all duplicate entries in a merging list',
    original: { mergingList: [{ name: '1' }, { name: '1' }, { name: '2', value: 'a' }, { name: '3' }, { name: '3' }] },
    patch: {
      mergingList: [
        { name: '1', $patch: 'delete' },
        { name: '3', $patch: 'delete' },
      ],
    },
    want: { mergingList: [{ name: '2', value: 'a' }] },
  },
  {
    name: 'retainKeys map can add a field when no retainKeys directive present',
    original: { retainKeysMap: { name: 'foo' } },
    patch: { retainKeysMap: { value: 'bar' } },
    want: { retainKeysMap: { name: 'foo', value: 'bar' } },
  },
  {
    name: 'retainKeys map can delete a field when no retainKeys directive present',
    original: { retainKeysMap: { name: 'foo', value: 'a' } },
    patch: { retainKeysMap: { value: null } },
    want: { retainKeysMap: { name: 'foo' } },
  },
  {
    name: 'retainKeys map merge an empty map',
    original: { retainKeysMap: { name: 'foo', value: 'a' } },
    patch: { retainKeysMap: {} },
    want: { retainKeysMap: { name: 'foo', value: 'a' } },
  },
  {
    name: 'retainKeys list can change a field when no retainKeys directive present',
    original: { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo', value: 'a' }] },
    patch: { retainKeysMergingList: [{ name: 'foo', value: 'b' }] },
    want: { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo', value: 'b' }] },
  },
  {
    name: 'preserve the order from the patch in a merging list',
    original: { mergingList: [{ name: '1' }, { name: '2', value: 'b' }, { name: '3' }] },
    patch: {
      mergingList: [
        { name: '3', value: 'c' },
        { name: '1', value: 'a' },
        { name: '2', other: 'x' },
      ],
    },
    want: {
      mergingList: [
        { name: '3', value: 'c' },
        { name: '1', value: 'a' },
        { name: '2', value: 'b', other: 'x' },
      ],
    },
  },
  {
    name: 'preserve the order from the patch in a merging list 2',
    original: { mergingList: [{ name: '1' }, { name: '2', value: 'b' }, { name: '3' }] },
    patch: {
      mergingList: [
        { name: '3', value: 'c' },
        { name: '1', value: 'a' },
      ],
    },
    want: {
      mergingList: [
        { name: '2', value: 'b' },
        { name: '3', value: 'c' },
        { name: '1', value: 'a' },
      ],
    },
  },
  { name: 'preserve the order from the patch in a merging int list', original: { mergingIntList: [1, 2, 3] }, patch: { mergingIntList: [3, 1, 2] }, want: { mergingIntList: [3, 1, 2] } },
  { name: 'preserve the order from the patch in a merging int list 2', original: { mergingIntList: [1, 2, 3] }, patch: { mergingIntList: [3, 1] }, want: { mergingIntList: [2, 3, 1] } },
  // customStrategicMergePatchRawTestCases
  {
    name: '$setElementOrder contains item that is not present in the list to be merged',
    original: { mergingList: [{ name: '1' }, { name: '3' }] },
    patch: {
      '$setElementOrder/mergingList': [{ name: '3' }, { name: '2' }, { name: '1' }],
      mergingList: [
        { name: '3', value: '3' },
        { name: '1', value: '1' },
      ],
    },
    want: {
      mergingList: [
        { name: '3', value: '3' },
        { name: '1', value: '1' },
      ],
    },
  },
  {
    name: '$setElementOrder contains item that is not present in the int list to be merged',
    original: { mergingIntList: [1, 3] },
    patch: { '$setElementOrder/mergingIntList': [3, 2, 1] },
    want: { mergingIntList: [3, 1] },
  },
  {
    name: 'should check if order in $setElementOrder and patch list match',
    original: { mergingList: [{ name: '1' }, { name: '3' }, { name: '2' }] },
    patch: {
      '$setElementOrder/mergingList': [{ name: '1' }, { name: '2' }, { name: '3' }],
      mergingList: [
        { name: '3', value: '3' },
        { name: '1', value: '1' },
      ],
    },
    error: /doesn't match/,
  },
  {
    name: 'should check if order in $setElementOrder and int patch list match',
    original: { mergingIntList: [1, 3, 2] },
    patch: { '$setElementOrder/mergingIntList': [1, 2, 3], mergingIntList: [3, 1] },
    error: /doesn't match/,
  },
  {
    name: 'missing merge key should error out',
    original: { mergingList: [{ name: '1', value: 'a' }] },
    patch: { mergingList: [{ value: 'b' }] },
    error: 'map: map[value:b] does not contain declared merge key: name',
  },
  {
    name: '$deleteFromPrimitiveList of nonexistent item in primitive list should not add the item to the list',
    original: { mergingIntList: [1, 2] },
    patch: { '$deleteFromPrimitiveList/mergingIntList': [3] },
    want: { mergingIntList: [1, 2] },
  },
  {
    name: '$deleteFromPrimitiveList on empty primitive list should not add the item to the list',
    original: { mergingIntList: null },
    patch: { '$deleteFromPrimitiveList/mergingIntList': [3] },
    want: { mergingIntList: null },
  },
  {
    name: '$deleteFromPrimitiveList on nonexistent primitive list should not add the primitive list',
    original: { foo: ['bar'] },
    patch: { '$deleteFromPrimitiveList/mergingIntList': [3] },
    want: { foo: ['bar'] },
  },
  {
    name: '$deleteFromPrimitiveList should delete item from a list with merge patch strategy',
    original: { mergingIntList: [1, 2, 3] },
    patch: { '$deleteFromPrimitiveList/mergingIntList': [2] },
    want: { mergingIntList: [1, 3] },
  },
  {
    name: '$deleteFromPrimitiveList should delete item from a list without merge patch strategy',
    original: { nonMergingIntList: [1, 2, 3] },
    patch: { '$deleteFromPrimitiveList/nonMergingIntList': [2] },
    want: { nonMergingIntList: [1, 3] },
  },
  // strategicMergePatchRawTestCases (three-way results against "current")
  {
    name: 'delete items in lists of scalars',
    original: { mergingIntList: [1, 2, 3, 4] },
    patch: { '$setElementOrder/mergingIntList': [1, 2], '$deleteFromPrimitiveList/mergingIntList': [3] },
    want: { mergingIntList: [1, 2, 4] },
  },
  {
    name: 'delete all duplicate items in lists of scalars',
    original: { mergingIntList: [1, 2, 3, 3, 4] },
    patch: { '$setElementOrder/mergingIntList': [1, 2], '$deleteFromPrimitiveList/mergingIntList': [3] },
    want: { mergingIntList: [1, 2, 4] },
  },
  {
    name: 'add and delete items in lists of scalars',
    original: { mergingIntList: [1, 2, 3] },
    patch: { '$setElementOrder/mergingIntList': [1, 2, 4], '$deleteFromPrimitiveList/mergingIntList': [3], mergingIntList: [4] },
    want: { mergingIntList: [1, 2, 4] },
  },
  {
    name: 'merge lists of maps',
    original: { mergingList: [{ name: '1', other: 'a' }, { name: '2', value: '2', other: 'b' }] },
    patch: {
      '$setElementOrder/mergingList': [{ name: '4' }, { name: '1' }, { name: '2' }, { name: '3' }],
      mergingList: [
        { name: '4', value: '4' },
        { name: '3', value: '3' },
      ],
    },
    want: {
      mergingList: [
        { name: '4', value: '4' },
        { name: '1', other: 'a' },
        { name: '2', value: '2', other: 'b' },
        { name: '3', value: '3' },
      ],
    },
  },
  {
    name: 'merge lists of maps with conflict',
    original: { mergingList: [{ name: '1', other: 'a' }, { name: '2', value: '3', other: 'b' }] },
    patch: {
      '$setElementOrder/mergingList': [{ name: '1' }, { name: '2' }, { name: '3' }],
      mergingList: [
        { name: '2', value: '2' },
        { name: '3', value: '3' },
      ],
    },
    want: {
      mergingList: [
        { name: '1', other: 'a' },
        { name: '2', value: '2', other: 'b' },
        { name: '3', value: '3' },
      ],
    },
  },
  {
    name: 'defined null values do not appear in the result',
    original: { name: '2' },
    patch: { name: '1', value: '1', other: null },
    want: { name: '1', value: '1' },
  },
  {
    name: 'merge lists of scalars: a new item goes ahead of items the patch does not mention',
    original: { mergingIntList: [1, 2, 4] },
    patch: { mergingIntList: [3] },
    want: { mergingIntList: [3, 1, 2, 4] },
  },
  {
    name: 'replace list of scalars',
    original: { nonMergingIntList: [1, 4] },
    patch: { nonMergingIntList: [2, 3] },
    want: { nonMergingIntList: [2, 3] },
  },
  {
    name: 'replacingItem with replace strategy is not merged',
    original: { replacingItem: { a: 1, b: { c: 1 } } },
    patch: { replacingItem: { b: { d: 2 } } },
    want: { replacingItem: { b: { d: 2 } } },
  },
  {
    name: 'nested merging lists merge at every level',
    original: { mergingList: [{ name: '1', mergingList: [{ name: 'a', value: 'x' }, { name: 'b' }] }] },
    patch: { mergingList: [{ name: '1', mergingList: [{ name: 'a', value: null, other: 'y' }, { name: 'c' }] }] },
    want: { mergingList: [{ name: '1', mergingList: [{ name: 'a', other: 'y' }, { name: 'c' }, { name: 'b' }] }] },
  },
  {
    name: 'merge lists of maps inside a non-merging list are replaced',
    original: { nonMergingList: [{ name: '1', mergingList: [{ name: 'a' }] }] },
    patch: { nonMergingList: [{ name: '1', mergingList: [{ name: 'b' }] }] },
    want: { nonMergingList: [{ name: '1', mergingList: [{ name: 'b' }] }] },
  },
  {
    name: '$retainKeys clears fields of a retainKeys map',
    original: { retainKeysMap: { name: 'foo', value: 'a', simpleMap: { x: 'y' } } },
    patch: { retainKeysMap: { $retainKeys: ['name', 'value'], value: 'b' } },
    want: { retainKeysMap: { name: 'foo', value: 'b' } },
  },
  {
    name: '$retainKeys rejects a patched field it does not list',
    original: { retainKeysMap: { name: 'foo' } },
    patch: { retainKeysMap: { $retainKeys: ['name'], value: 'b' } },
    error: 'invalid patch format of retainKeys',
  },
  {
    name: '$retainKeys must be a list',
    original: { retainKeysMap: { name: 'foo' } },
    patch: { retainKeysMap: { $retainKeys: 'name' } },
    error: 'invalid patch format of retainKeys',
  },
  {
    name: 'unknown $patch on a map',
    original: { simpleMap: { a: '1' } },
    patch: { simpleMap: { $patch: 'frobnicate', a: '2' } },
    error: 'unknown patch type: frobnicate in map: map[$patch:frobnicate a:2]',
  },
  {
    name: 'unknown $patch in a list',
    original: { mergingList: [{ name: '1' }] },
    patch: { mergingList: [{ name: '1', $patch: 'frobnicate' }] },
    error: 'unknown patch type: frobnicate in map: map[$patch:frobnicate name:1]',
  },
  {
    name: '$patch: merge in a list is not supported',
    original: { mergingList: [{ name: '1' }] },
    patch: { mergingList: [{ $patch: 'merge' }] },
    error: 'merging lists cannot yet be specified in the patch',
  },
  {
    name: '$patch: delete in a list needs the merge key',
    original: { mergingList: [{ name: '1' }] },
    patch: { mergingList: [{ $patch: 'delete' }] },
    error: 'map: map[$patch:delete] does not contain declared merge key: name',
  },
  {
    name: 'lists of lists are not supported',
    original: { mergingIntList: [[1]] },
    patch: { mergingIntList: [[2]] },
    error: 'lists of lists are not supported',
  },
  {
    name: 'mixed element types',
    original: { mergingIntList: [1] },
    patch: { mergingIntList: ['a'] },
    error: 'list element types are not identical: [[1] [a]]',
  },
  { name: 'bad $deleteFromPrimitiveList key', original: {}, patch: { $deleteFromPrimitiveListx: [1] }, error: 'invalid patch format of primitive list' },
  { name: 'the patch must be an object', original: {}, patch: [1], error: 'json: cannot unmarshal array into Go value of type map[string]interface {}' },
].map((c) => ({ ...c, schema: mergeItemSchema }));

const kubernetes: Case[] = [
  {
    name: 'containers merge by name; a new one goes ahead of live ones the patch does not mention',
    schema: podSchema,
    original: { spec: { containers: [{ name: 'web', image: 'nginx:1' }, { name: 'log', image: 'fluentd' }] } },
    patch: { spec: { containers: [{ name: 'web', image: 'nginx:2' }, { name: 'sidecar', image: 'envoy' }] } },
    want: {
      spec: {
        containers: [
          { name: 'web', image: 'nginx:2' },
          { name: 'sidecar', image: 'envoy' },
          { name: 'log', image: 'fluentd' },
        ],
      },
    },
  },
  {
    name: 'env merges by name inside a container',
    schema: podSchema,
    original: {
      spec: {
        containers: [
          {
            name: 'web',
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
          },
        ],
      },
    },
    patch: {
      spec: {
        containers: [
          {
            name: 'web',
            env: [
              { name: 'B', value: '3' },
              { name: 'C', value: '4' },
            ],
          },
        ],
      },
    },
    want: {
      spec: {
        containers: [
          {
            name: 'web',
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '3' },
              { name: 'C', value: '4' },
            ],
          },
        ],
      },
    },
  },
  {
    name: 'ports merge by containerPort',
    schema: podSchema,
    original: { spec: { containers: [{ name: 'web', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }] }] } },
    patch: { spec: { containers: [{ name: 'web', ports: [{ containerPort: 443, name: 'https' }, { containerPort: 8080 }] }] } },
    want: {
      spec: {
        containers: [
          {
            name: 'web',
            ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443, name: 'https' }, { containerPort: 8080 }],
          },
        ],
      },
    },
  },
  {
    name: 'a container is deleted with $patch: delete',
    schema: podSchema,
    original: { spec: { containers: [{ name: 'web', image: 'nginx' }, { name: 'log', image: 'fluentd' }] } },
    patch: { spec: { containers: [{ name: 'log', $patch: 'delete' }] } },
    want: { spec: { containers: [{ name: 'web', image: 'nginx' }] } },
  },
  {
    name: 'deleting a container that is not there is a no-op',
    schema: podSchema,
    original: { spec: { containers: [{ name: 'web' }] } },
    patch: { spec: { containers: [{ name: 'log', $patch: 'delete' }] } },
    want: { spec: { containers: [{ name: 'web' }] } },
  },
  {
    name: '$setElementOrder orders the patched containers; a live-only one keeps its place before b',
    schema: podSchema,
    original: { spec: { containers: [{ name: 'a', image: '1' }, { name: 'x' }, { name: 'b', image: '2' }] } },
    patch: { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }], containers: [{ name: 'a', image: '3' }] } },
    want: { spec: { containers: [{ name: 'x' }, { name: 'b', image: '2' }, { name: 'a', image: '3' }] } },
  },
  {
    name: '$patch: replace on a list of containers',
    schema: podSchema,
    original: { spec: { containers: [{ name: 'a', image: '1' }, { name: 'b' }] } },
    patch: { spec: { containers: [{ name: 'c', image: '2', args: null }, { $patch: 'replace' }] } },
    want: { spec: { containers: [{ name: 'c', image: '2' }] } },
  },
  {
    name: '$retainKeys on a volume switches its source',
    schema: podSchema,
    original: { spec: { volumes: [{ name: 'data', emptyDir: { medium: 'Memory' } }, { name: 'conf', configMap: { name: 'c' } }] } },
    patch: { spec: { volumes: [{ name: 'data', $retainKeys: ['hostPath', 'name'], hostPath: { path: '/srv' } }] } },
    want: { spec: { volumes: [{ name: 'data', hostPath: { path: '/srv' } }, { name: 'conf', configMap: { name: 'c' } }] } },
  },
  {
    name: 'a new volume sent with $retainKeys carries no directive',
    schema: podSchema,
    original: { spec: { volumes: [] } },
    patch: { spec: { volumes: [{ name: 'data', $retainKeys: ['hostPath', 'name'], hostPath: { path: '/srv' } }] } },
    want: { spec: { volumes: [{ name: 'data', hostPath: { path: '/srv' } }] } },
  },
  {
    name: '$retainKeys on a deployment strategy drops rollingUpdate',
    schema: deploymentSchema,
    original: { spec: { replicas: 2, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } } } },
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
    want: { spec: { replicas: 2, strategy: { type: 'Recreate' } } },
  },
  {
    name: '$deleteFromPrimitiveList/finalizers',
    schema: podSchema,
    original: { metadata: { finalizers: ['a.io/x', 'b.io/y', 'c.io/z'] } },
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b.io/y'] } },
    want: { metadata: { finalizers: ['a.io/x', 'c.io/z'] } },
  },
  {
    name: 'finalizers merge as a set',
    schema: podSchema,
    original: { metadata: { finalizers: ['a', 'b'] } },
    patch: { metadata: { finalizers: ['b', 'c'] } },
    want: { metadata: { finalizers: ['a', 'b', 'c'] } },
  },
  {
    name: 'finalizers: a new one goes ahead of live ones the patch does not mention',
    schema: podSchema,
    original: { metadata: { finalizers: ['a', 'b'] } },
    patch: { metadata: { finalizers: ['c'] } },
    want: { metadata: { finalizers: ['c', 'a', 'b'] } },
  },
  {
    name: 'finalizers: patch order wins over the live order',
    schema: podSchema,
    original: { metadata: { finalizers: ['a', 'b'] } },
    patch: { metadata: { finalizers: ['c', 'a'] } },
    want: { metadata: { finalizers: ['c', 'a', 'b'] } },
  },
  {
    name: '$patch: replace on a map replaces it',
    schema: podSchema,
    original: { spec: { nodeSelector: { zone: 'a', disk: 'ssd' } } },
    patch: { spec: { nodeSelector: { $patch: 'replace', arch: 'arm64' } } },
    want: { spec: { nodeSelector: { arch: 'arm64' } } },
  },
  {
    name: '$patch: replace on a missing map adds it',
    schema: podSchema,
    original: { spec: {} },
    patch: { spec: { nodeSelector: { $patch: 'replace', arch: 'arm64' } } },
    want: { spec: { nodeSelector: { arch: 'arm64' } } },
  },
  {
    name: '$patch: delete on a missing map adds nothing',
    schema: podSchema,
    original: { spec: {} },
    patch: { spec: { nodeSelector: { $patch: 'delete' } } },
    want: { spec: {} },
  },
  {
    name: 'null deletes a label',
    schema: podSchema,
    original: { metadata: { name: 'p', labels: { app: 'web', tier: 'fe' } } },
    patch: { metadata: { labels: { tier: null, missing: null } } },
    want: { metadata: { name: 'p', labels: { app: 'web' } } },
  },
  {
    name: 'tolerations (no strategy) are replaced',
    schema: podSchema,
    original: { spec: { tolerations: [{ key: 'a', operator: 'Exists' }] } },
    patch: { spec: { tolerations: [{ key: 'b', operator: 'Exists', effect: null }] } },
    want: { spec: { tolerations: [{ key: 'b', operator: 'Exists' }] } },
  },
  {
    name: 'args (atomic list of scalars) are replaced',
    schema: podSchema,
    original: { spec: { containers: [{ name: 'a', args: ['x', 'y'] }] } },
    patch: { spec: { containers: [{ name: 'a', args: ['z'] }] } },
    want: { spec: { containers: [{ name: 'a', args: ['z'] }] } },
  },
  {
    name: 'a new container loses null fields',
    schema: podSchema,
    original: { spec: { containers: [{ name: 'a' }] } },
    patch: { spec: { containers: [{ name: 'b', image: null, resources: { limits: { cpu: '1', memory: null } } }] } },
    want: { spec: { containers: [{ name: 'b', resources: { limits: { cpu: '1' } } }, { name: 'a' }] } },
  },
  {
    name: 'a new field loses null members',
    schema: podSchema,
    original: {},
    patch: { metadata: { labels: { a: '1', b: null } } },
    want: { metadata: { labels: { a: '1' } } },
  },
  {
    name: 'ownerReferences merge by uid',
    schema: podSchema,
    original: { metadata: { ownerReferences: [{ uid: '1', name: 'rs-a', kind: 'ReplicaSet' }] } },
    patch: { metadata: { ownerReferences: [{ uid: '2', name: 'rs-b', kind: 'ReplicaSet' }] } },
    want: {
      metadata: {
        ownerReferences: [
          { uid: '2', name: 'rs-b', kind: 'ReplicaSet' },
          { uid: '1', name: 'rs-a', kind: 'ReplicaSet' },
        ],
      },
    },
  },
  {
    name: 'a field of another type is replaced',
    schema: podSchema,
    original: { spec: { containers: 'oops' } },
    patch: { spec: { containers: [{ name: 'a' }] } },
    want: { spec: { containers: [{ name: 'a' }] } },
  },
  {
    name: 'map values found through additionalProperties',
    schema: obj({ byZone: mapOf(listMap(obj({ name: str(), n: int32() }), ['name'])) }),
    original: { byZone: { a: [{ name: 'x', n: 1 }] } },
    patch: { byZone: { a: [{ name: 'y', n: 2 }] } },
    want: { byZone: { a: [{ name: 'y', n: 2 }, { name: 'x', n: 1 }] } },
  },
  {
    name: 'custom resource: preserve-unknown-fields subtree merges like a merge patch',
    schema: customResourceSchema,
    original: { metadata: { finalizers: ['a'] }, spec: { items: [{ name: 'a', v: 1 }], nested: { x: 1, y: 2 } } },
    patch: { metadata: { finalizers: ['b'] }, spec: { items: [{ name: 'b' }], nested: { y: null, z: 3 } } },
    want: { metadata: { finalizers: ['b', 'a'] }, spec: { items: [{ name: 'b' }], nested: { x: 1, z: 3 } } },
  },
  {
    name: 'no schema at all: a JSON merge patch',
    original: { a: [1, 2], b: { c: 1, d: 2 }, e: 'x' },
    patch: { a: [3], b: { c: null }, e: { f: 1 } },
    want: { a: [3], b: { d: 2 }, e: { f: 1 } },
  },
  {
    name: 'no schema: $deleteFromPrimitiveList still deletes',
    original: { a: ['x', 'y'] },
    patch: { '$deleteFromPrimitiveList/a': ['x'] },
    want: { a: ['y'] },
  },
  {
    name: 'no schema: $setElementOrder is ignored and the list is replaced',
    original: { a: [{ name: 'x' }] },
    patch: { '$setElementOrder/a': [{ name: 'y' }], a: [{ name: 'y' }] },
    want: { a: [{ name: 'y' }] },
  },
  { name: 'a null original is an empty object', schema: podSchema, original: null, patch: { kind: 'Pod' }, want: { kind: 'Pod' } },
  {
    name: '__proto__ is an ordinary member',
    original: {},
    patch: JSON.parse('{"__proto__":{"x":1}}'),
    want: JSON.parse('{"__proto__":{"x":1}}'),
  },
];

for (const c of [...upstream, ...kubernetes]) {
  test(`strategic merge patch: ${c.name}`, () => {
    const original = structuredClone(c.original);
    const patch = structuredClone(c.patch);
    if (c.error !== undefined) {
      assert.throws(
        () => strategicMergePatch(c.original, c.patch, c.schema),
        (err: unknown) => {
          assert.ok(err instanceof PatchError, `not a PatchError: ${String(err)}`);
          if (typeof c.error === 'string') assert.equal(err.message, c.error);
          else assert.match(err.message, c.error!);
          return true;
        },
      );
    } else {
      assert.deepEqual(strategicMergePatch(c.original, c.patch, c.schema), c.want);
    }
    assert.deepEqual(c.original, original, 'original was changed');
    assert.deepEqual(c.patch, patch, 'patch was changed');
  });
}

// Two-way patches as upstream's CreateTwoWayMergePatch makes them (createStrategicMergePatchTestCaseData).
const diffs: { name: string; schema: Schema; original: unknown; modified: unknown; want: unknown }[] = [
  { name: 'nil patch', schema: mergeItemSchema, original: { name: '1' }, modified: { name: '1' }, want: {} },
  { name: 'add field and delete field', schema: mergeItemSchema, original: { name: '1' }, modified: { value: '1' }, want: { value: '1', name: null } },
  {
    name: 'merge lists of maps',
    schema: mergeItemSchema,
    original: { mergingList: [{ name: '1' }, { name: '2', value: '2' }] },
    modified: { mergingList: [{ name: '4', value: '4' }, { name: '1' }, { name: '2', value: '2' }, { name: '3', value: '3' }] },
    want: {
      mergingList: [
        { name: '4', value: '4' },
        { name: '3', value: '3' },
      ],
      '$setElementOrder/mergingList': [{ name: '4' }, { name: '1' }, { name: '2' }, { name: '3' }],
    },
  },
  {
    name: 'delete and change maps in a merging list',
    schema: mergeItemSchema,
    original: { mergingList: [{ name: '1', value: 'a' }, { name: '2' }] },
    modified: { mergingList: [{ name: '1', value: 'b' }] },
    want: {
      mergingList: [
        { name: '1', value: 'b' },
        { name: '2', $patch: 'delete' },
      ],
      '$setElementOrder/mergingList': [{ name: '1' }],
    },
  },
  {
    name: 'delete items in lists of scalars',
    schema: mergeItemSchema,
    original: { mergingIntList: [1, 2, 3] },
    modified: { mergingIntList: [1, 2] },
    want: { '$deleteFromPrimitiveList/mergingIntList': [3], '$setElementOrder/mergingIntList': [1, 2] },
  },
  {
    name: 'replace list of scalars',
    schema: mergeItemSchema,
    original: { nonMergingIntList: [1, 2] },
    modified: { nonMergingIntList: [2, 3] },
    want: { nonMergingIntList: [2, 3] },
  },
  {
    name: 'retainKeys map with no change should not be present',
    schema: mergeItemSchema,
    original: { name: 'a', retainKeysMap: { name: 'foo' } },
    modified: { name: 'a', value: 'b', retainKeysMap: { name: 'foo' } },
    want: { value: 'b' },
  },
  {
    name: 'retainKeys strategy switch',
    schema: deploymentSchema,
    original: { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } },
    modified: { spec: { strategy: { type: 'Recreate' } } },
    want: { spec: { strategy: { type: 'Recreate', rollingUpdate: null, $retainKeys: ['type'] } } },
  },
];

for (const c of diffs) {
  test(`createStrategicMergePatch: ${c.name}`, () => {
    const patch = createStrategicMergePatch(c.original, c.modified, c.schema);
    assert.deepEqual(patch, c.want);
    assert.deepEqual(strategicMergePatch(c.original, patch, c.schema), c.modified);
  });
}

test('createStrategicMergePatch: the patch shares nothing with modified', () => {
  const modified = { spec: { containers: [{ name: 'a', args: ['x'] }] } };
  const patch = createStrategicMergePatch({}, modified, podSchema) as typeof modified;
  patch.spec.containers[0]!.args.push('y');
  assert.deepEqual(modified.spec.containers[0]!.args, ['x']);
});

test('strategic merge patch: the shared ObjectMeta schema merges finalizers and ownerReferences', () => {
  const schema = kindSchema('A test kind.', { spec: freeform() });
  const live = {
    metadata: { name: 'x', labels: { a: '1' }, finalizers: ['f/a'], ownerReferences: [{ apiVersion: 'v1', kind: 'K', name: 'o', uid: 'u1' }] },
    spec: { list: [1, 2] },
  };
  const patch = {
    metadata: { labels: { a: null, b: '2' }, finalizers: ['f/a', 'f/b'], ownerReferences: [{ uid: 'u1', name: 'renamed' }] },
    spec: { list: [3] },
  };
  assert.deepEqual(strategicMergePatch(live, patch, schema), {
    metadata: {
      name: 'x',
      labels: { b: '2' },
      finalizers: ['f/a', 'f/b'],
      ownerReferences: [{ apiVersion: 'v1', kind: 'K', name: 'renamed', uid: 'u1' }],
    },
    spec: { list: [3] },
  });
});

// ---- property tests ----

function maybe<T>(random: Random, make: () => T, p = 0.6): T | undefined {
  return random() < p ? make() : undefined;
}

function compact(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

function randomContainer(random: Random, name: string): Record<string, unknown> {
  return compact({
    name,
    image: maybe(random, () => pick(random, ['nginx:1', 'nginx:2', 'envoy'])),
    args: maybe(random, () => sample(random, ['-v', '--x', 'y', 'z'], int(random, 4)), 0.3),
    ports: maybe(random, () =>
      sample(random, [80, 443, 8080, 9090], int(random, 4)).map((containerPort) =>
        compact({ containerPort, protocol: maybe(random, () => pick(random, ['TCP', 'UDP'])), name: maybe(random, () => pick(random, ['http', 'm'])) }),
      ),
    ),
    env: maybe(random, () => sample(random, ['A', 'B', 'C', 'D'], int(random, 4)).map((n) => compact({ name: n, value: maybe(random, () => pick(random, ['1', '2'])) }))),
    resources: maybe(random, () => ({ limits: compact({ cpu: maybe(random, () => pick(random, ['1', '500m'])), memory: maybe(random, () => '1Gi') }) }), 0.3),
    extra: maybe(random, () => object(random, 2), 0.2),
  });
}

function randomPod(random: Random): Record<string, unknown> {
  return compact({
    kind: 'Pod',
    metadata: compact({
      name: pick(random, ['p', 'q']),
      labels: maybe(random, () => Object.fromEntries(sample(random, ['app', 'tier', 'x/y'], int(random, 4)).map((k) => [k, pick(random, ['a', 'b'])]))),
      finalizers: maybe(random, () => sample(random, ['f/a', 'f/b', 'f/c', 'f/d'], int(random, 5))),
      ownerReferences: maybe(random, () => sample(random, ['u1', 'u2', 'u3'], int(random, 3)).map((uid) => ({ uid, name: pick(random, ['a', 'b']) }))),
    }),
    spec: compact({
      containers: maybe(random, () => sample(random, ['web', 'log', 'proxy', 'init'], int(random, 5)).map((n) => randomContainer(random, n)), 0.9),
      volumes: maybe(random, () =>
        sample(random, ['data', 'conf', 'tmp'], int(random, 4)).map((name) =>
          pick(random, [{ name, emptyDir: {} }, { name, hostPath: { path: pick(random, ['/a', '/b']) } }, { name, configMap: { name: 'c' } }]),
        ),
      ),
      nodeSelector: maybe(random, () => Object.fromEntries(sample(random, ['zone', 'disk'], int(random, 3)).map((k) => [k, pick(random, ['a', 'b'])]))),
      tolerations: maybe(random, () => sample(random, ['a', 'b', 'c'], int(random, 3)).map((key) => ({ key, operator: 'Exists' })), 0.3),
      extra: maybe(random, () => object(random, 3), 0.3),
    }),
  });
}

/** A variant of a pod: some parts kept, some regenerated, merge lists shuffled and trimmed. */
function varyPod(random: Random, pod: Record<string, unknown>): Record<string, unknown> {
  const other = randomPod(random);
  const mix = (a: unknown, b: unknown): unknown => {
    if (random() < 0.3) return b;
    if (Array.isArray(a) && random() < 0.4) return sample(random, a, a.length - int(random, 2));
    if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
      const out: Record<string, unknown> = {};
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
        const v = mix((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]);
        if (v !== undefined) out[key] = v;
      }
      return out;
    }
    return random() < 0.5 ? a : b;
  };
  return mix(pod, other) as Record<string, unknown>;
}

test('createStrategicMergePatch: property: applying the diff of a pod gives the modified pod', () => {
  for (let seed = 1; seed <= 3000; seed++) {
    const random = seeded(seed);
    const a = randomPod(random);
    const b = random() < 0.5 ? varyPod(random, a) : randomPod(random);
    const aBefore = structuredClone(a);
    const bBefore = structuredClone(b);
    const patch = createStrategicMergePatch(a, b, podSchema);
    const got = strategicMergePatch(a, JSON.parse(JSON.stringify(patch)), podSchema);
    assert.deepEqual(got, b, `seed ${seed}: a=${JSON.stringify(a)} b=${JSON.stringify(b)} patch=${JSON.stringify(patch)}`);
    assert.deepEqual(a, aBefore);
    assert.deepEqual(b, bBefore);
    assert.deepEqual(strategicMergePatch(a, createStrategicMergePatch(a, a, podSchema), podSchema), a);
  }
});

test('createStrategicMergePatch: property: without a schema it round-trips like a merge patch', () => {
  for (let seed = 1; seed <= 2000; seed++) {
    const random = seeded(seed);
    const a = object(random, 4, { nullInArrays: true });
    const b = object(random, 4, { nullInArrays: true });
    const patch = createStrategicMergePatch(a, b, undefined);
    assert.deepEqual(strategicMergePatch(a, patch, undefined), b, `seed ${seed}: a=${JSON.stringify(a)} b=${JSON.stringify(b)}`);
  }
});
