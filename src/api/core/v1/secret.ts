// The Secret kind: base64 data that must decode (a request that does not is a 400, as a
// decoding failure is upstream), stringData folded into data on every write, type Opaque by
// default with the per-type required keys, 1 MiB in total, immutability, and the TYPE/DATA/AGE
// table.

import type { StatusCause } from '../../../machinery/status.ts';
import { badRequest } from '../../../machinery/status.ts';
import type { ColumnDefinition, KindDefinition, KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import { age, ageColumn } from '../../printing.ts';
import { bool, mapOf, str, stringMap } from '../../schema.ts';
import { deepEqual, forbidden, immutable, invalid, key, required, tooLong } from './field-errors.ts';
import type { JSONObject } from './json.ts';
import { isRecord, rec, str as text } from './json.ts';
import { isConfigMapKey, nameIsDNSSubdomain } from './names.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';

export const maxSecretSize = 1024 * 1024;

export const secretSchema = kindSchema('Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.', {
  immutable: bool('Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified).'),
  data: mapOf(str(undefined, { format: 'byte' }), 'Data contains the secret data.'),
  stringData: stringMap('stringData allows specifying non-binary secret data in string form.'),
  type: str('Used to facilitate programmatic handling of secret data.'),
});

export const secretColumns: ColumnDefinition[] = [
  { name: 'Type', type: 'string', priority: 0, description: "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types" },
  { name: 'Data', type: 'string', priority: 0, description: "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4" },
  ageColumn,
];

const alphabet = /[A-Za-z0-9+/]/;

/**
 * Where base64.StdEncoding.DecodeString fails ("illegal base64 data at input byte N"), or
 * undefined when the text decodes.
 */
export function base64ErrorOffset(s: string): number | undefined {
  let si = 0;
  while (si < s.length) {
    let j = 0;
    for (; j < 4; j++) {
      if (si === s.length) {
        if (j === 0) return undefined;
        return si - j;
      }
      const c = s[si++];
      if (alphabet.test(c)) continue;
      if (c === '\n' || c === '\r') {
        j--;
        continue;
      }
      if (c !== '=') return si - 1;
      if (j < 2) return si - 1;
      if (j === 2) {
        while (si < s.length && (s[si] === '\n' || s[si] === '\r')) si++;
        if (si === s.length) return s.length;
        if (s[si] !== '=') return si - 1;
        si++;
      }
      while (si < s.length && (s[si] === '\n' || s[si] === '\r')) si++;
      return si < s.length ? si : undefined;
    }
  }
  return undefined;
}

/** The decoded size of a base64 value (its own length when it does not decode). */
export function decodedLength(value: unknown): number {
  const s = typeof value === 'string' ? value : '';
  if (base64ErrorOffset(s) !== undefined) return s.length;
  return Buffer.from(s, 'base64').length;
}

/** Rejects, as a decoding error, a map of base64 values with one that does not decode. */
export function decodeBase64Field(object: KubeObject, field: string, kind: string): void {
  for (const v of Object.values(rec(object[field]))) {
    const at = typeof v === 'string' ? base64ErrorOffset(v) : 0;
    if (at !== undefined) throw badRequest(`${kind} in version "v1" cannot be handled as a ${kind}: illegal base64 data at input byte ${at}`);
  }
}

/** Conversion from v1: stringData overwrites data keys and is dropped; the type defaults to Opaque. */
export function defaultSecret(secret: KubeObject): void {
  decodeBase64Field(secret, 'data', 'Secret');
  if (isRecord(secret.stringData)) {
    const data: JSONObject = isRecord(secret.data) ? secret.data : {};
    for (const [k, v] of Object.entries(secret.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    secret.data = data;
  }
  delete secret.stringData;
  if (!text(secret.type)) secret.type = 'Opaque';
}

function validateSecret(secret: KubeObject): StatusCause[] {
  const errs = validateObjectMeta(secret, true, nameIsDNSSubdomain);
  const data = rec(secret.data);
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of isConfigMapKey(k)) errs.push(invalid(key('data', k), k, m));
    total += decodedLength(v);
  }
  if (total > maxSecretSize) errs.push(tooLong('data', maxSecretSize));
  const decoded = (k: string) => Buffer.from(text(data[k]), 'base64').toString('utf8');
  const jsonKey = (k: string) => {
    if (!(k in data)) return errs.push(required(key('data', k)));
    try {
      JSON.parse(decoded(k));
    } catch (e) {
      errs.push(invalid(key('data', k), '<secret contents redacted>', (e as Error).message));
    }
  };
  switch (text(secret.type)) {
    case 'kubernetes.io/service-account-token':
      if (!text(rec(secret.metadata?.annotations)['kubernetes.io/service-account.name']))
        errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
      break;
    case 'kubernetes.io/dockercfg':
      jsonKey('.dockercfg');
      break;
    case 'kubernetes.io/dockerconfigjson':
      jsonKey('.dockerconfigjson');
      break;
    case 'kubernetes.io/basic-auth':
      if (!('username' in data) && !('password' in data)) errs.push(required('data[username]'), required('data[password]'));
      break;
    case 'kubernetes.io/ssh-auth':
      if (!text(data['ssh-privatekey'])) errs.push(required('data[ssh-privatekey]'));
      break;
    case 'kubernetes.io/tls':
      if (!('tls.crt' in data)) errs.push(required('data[tls.crt]'));
      if (!('tls.key' in data)) errs.push(required('data[tls.key]'));
      break;
  }
  return errs;
}

function validateSecretUpdate(secret: KubeObject, old: KubeObject): StatusCause[] {
  const errs = validateObjectMetaUpdate(secret, old);
  errs.push(...immutable(secret.type ?? '', old.type ?? '', 'type'));
  if (old.immutable === true) {
    if (secret.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
    if (!deepEqual(secret.data, old.data)) errs.push(forbidden('data', 'field is immutable when `immutable` is set'));
  }
  return errs;
}

export const secret: KindDefinition = {
  group: '',
  version: 'v1',
  kind: 'Secret',
  resource: 'secrets',
  namespaced: true,
  schema: secretSchema,
  fields: { type: (o) => text(o.type) },
  table: { columns: secretColumns, cells: (o, now) => [text(o.type), Object.keys(rec(o.data)).length, age(o, now)] },
  strategy: { defaults: defaultSecret, validate: validateSecret, validateUpdate: validateSecretUpdate },
};
