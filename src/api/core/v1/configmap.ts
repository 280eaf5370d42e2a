// The ConfigMap kind: data and base64 binaryData with valid, non-overlapping keys and at most
// 1 MiB in total, immutability once `immutable: true`, and the DATA/AGE table.

import type { StatusCause } from '../../../machinery/status.ts';
import type { ColumnDefinition, KindDefinition, KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import { age, ageColumn } from '../../printing.ts';
import { bool, mapOf, str, stringMap } from '../../schema.ts';
import { deepEqual, forbidden, invalid, key, tooLong } from './field-errors.ts';
import { isRecord, rec } from './json.ts';
import { isConfigMapKey, nameIsDNSSubdomain } from './names.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';
import { decodeBase64Field, decodedLength } from './secret.ts';

export const maxConfigMapSize = 1024 * 1024;

export const configMapSchema = kindSchema('ConfigMap holds configuration data for pods to consume.', {
  immutable: bool('Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified).'),
  data: stringMap('Data contains the configuration data.'),
  binaryData: mapOf(str(undefined, { format: 'byte' }), 'BinaryData contains the binary data.'),
});

export const configMapColumns: ColumnDefinition[] = [
  { name: 'Data', type: 'string', priority: 0, description: "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process." },
  ageColumn,
];

function validateConfigMap(cm: KubeObject): StatusCause[] {
  const errs = validateObjectMeta(cm, true, nameIsDNSSubdomain);
  const data = rec(cm.data);
  const binary = rec(cm.binaryData);
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(key('data', k), k, m));
    if (k in binary) errs.push(invalid(key('data', k), k, 'duplicate of key present in binaryData'));
    total += Buffer.byteLength(String(v));
  }
  for (const [k, v] of Object.entries(binary)) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(key('binaryData', k), k, m));
    total += decodedLength(v);
  }
  if (total > maxConfigMapSize) errs.push(tooLong('', maxConfigMapSize));
  return errs;
}

function validateConfigMapUpdate(cm: KubeObject, old: KubeObject): StatusCause[] {
  const errs = validateObjectMetaUpdate(cm, old);
  if (old.immutable === true) {
    if (cm.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
    if (!deepEqual(cm.data, old.data)) errs.push(forbidden('data', 'field is immutable when `immutable` is set'));
    if (!deepEqual(cm.binaryData, old.binaryData)) errs.push(forbidden('binaryData', 'field is immutable when `immutable` is set'));
  }
  return errs;
}

export const configMap: KindDefinition = {
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  resource: 'configmaps',
  namespaced: true,
  shortNames: ['cm'],
  schema: configMapSchema,
  table: {
    columns: configMapColumns,
    cells: (o, now) => [Object.keys(rec(o.data)).length + Object.keys(rec(o.binaryData)).length, age(o, now)],
  },
  strategy: {
    defaults: (o) => {
      if (isRecord(o.binaryData)) decodeBase64Field(o, 'binaryData', 'ConfigMap');
    },
    validate: validateConfigMap,
    validateUpdate: validateConfigMapUpdate,
  },
};
