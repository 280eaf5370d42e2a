// The LimitRange kind: per-type min/max/default limits (container defaults filled from max,
// default requests from defaults and min), validated as upstream (standard types, consistent
// quantities), printed with the default NAME/CREATED AT table since upstream has no printer.

import type { StatusCause } from '../../../machinery/status.ts';
import type { KindDefinition, KubeObject } from '../../kind.ts';
import { kindSchema } from '../../meta.ts';
import { creationTimestampDescription } from '../../printing.ts';
import { list, obj, str } from '../../schema.ts';
import { resourceList } from './common.ts';
import { child, duplicate, forbidden, index, invalid, key, required } from './field-errors.ts';
import { ensure, isRecord, rec, records, str as text } from './json.ts';
import { isQualifiedName, nameIsDNSSubdomain } from './names.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';
import { compareQuantities, parseQuantity } from './quantity.ts';

export const limitRangeItem = obj(
  {
    type: str('Type of resource that this limit applies to.'),
    max: resourceList('Max usage constraints on this kind by resource name.'),
    min: resourceList('Min usage constraints on this kind by resource name.'),
    default: resourceList('Default resource requirement limit value by resource name if resource limit is omitted.'),
    defaultRequest: resourceList('DefaultRequest is the default resource requirement request value by resource name if resource request is omitted.'),
    maxLimitRequestRatio: resourceList('MaxLimitRequestRatio if specified, the named resource must have a request and limit that are both non-zero where limit divided by request is less than or equal to the enumerated value.'),
  },
  { required: ['type'] },
);

export const limitRangeSchema = kindSchema('LimitRange sets resource usage limits for each kind of resource in a Namespace.', {
  spec: obj(
    { limits: list(limitRangeItem, 'Limits is the list of LimitRangeItem objects that are enforced.', { 'x-kubernetes-list-type': 'atomic' }) },
    { required: ['limits'], description: 'Spec defines the limits enforced.' },
  ),
});

/** SetDefaults_LimitRangeItem for Container limits. */
function defaultLimitRange(lr: KubeObject): void {
  for (const item of records(rec(lr.spec).limits)) {
    if (item.type !== 'Container') continue;
    const def = ensure(item, 'default');
    const defReq = ensure(item, 'defaultRequest');
    for (const [k, v] of Object.entries(rec(item.max))) if (!(k in def)) def[k] = v;
    for (const [k, v] of Object.entries(def)) if (!(k in defReq)) defReq[k] = v;
    for (const [k, v] of Object.entries(rec(item.min))) if (!(k in defReq)) defReq[k] = v;
  }
}

const standardLimitTypes = ['Pod', 'Container', 'PersistentVolumeClaim'];

function validateLimitRange(lr: KubeObject): StatusCause[] {
  const errs = validateObjectMeta(lr, true, nameIsDNSSubdomain);
  const seen = new Set<string>();
  records(rec(lr.spec).limits).forEach((item, i) => {
    const p = index('spec.limits', i);
    const type = text(item.type);
    const typeErrs = isQualifiedName(type).map((m) => invalid(child(p, 'type'), type, m));
    if (!typeErrs.length && !type.includes('/') && !standardLimitTypes.includes(type))
      typeErrs.push(invalid(child(p, 'type'), type, 'must be a standard limit type or fully qualified'));
    errs.push(...typeErrs);
    if (seen.has(type)) errs.push(duplicate(child(p, 'type'), type));
    seen.add(type);
    if (type === 'Pod') {
      if (Object.keys(rec(item.default)).length) errs.push(forbidden(child(p, 'default'), "may not be specified when `type` is 'Pod'"));
      if (Object.keys(rec(item.defaultRequest)).length) errs.push(forbidden(child(p, 'defaultRequest'), "may not be specified when `type` is 'Pod'"));
    }
    if (type === 'PersistentVolumeClaim' && !('storage' in rec(item.min)) && !('storage' in rec(item.max)))
      errs.push(required(child(p, 'limits'), 'either minimum or maximum storage value is required, but neither was provided'));
    const min = rec(item.min);
    const max = rec(item.max);
    const def = rec(item.default);
    const defReq = rec(item.defaultRequest);
    const keys = new Set([...Object.keys(min), ...Object.keys(max), ...Object.keys(def), ...Object.keys(defReq), ...Object.keys(rec(item.maxLimitRequestRatio))]);
    for (const k of keys) {
      if (k in min && k in max && compareQuantities(min[k], max[k]) > 0)
        errs.push(invalid(key(child(p, 'min'), k), String(min[k]), `min value ${String(min[k])} is greater than max value ${String(max[k])}`));
      if (k in defReq && k in min && compareQuantities(min[k], defReq[k]) > 0)
        errs.push(invalid(key(child(p, 'defaultRequest'), k), String(defReq[k]), `min value ${String(min[k])} is greater than default request value ${String(defReq[k])}`));
      if (k in defReq && k in max && compareQuantities(defReq[k], max[k]) > 0)
        errs.push(invalid(key(child(p, 'defaultRequest'), k), String(defReq[k]), `default request value ${String(defReq[k])} is greater than max value ${String(max[k])}`));
      if (k in defReq && k in def && compareQuantities(defReq[k], def[k]) > 0)
        errs.push(invalid(key(child(p, 'defaultRequest'), k), String(defReq[k]), `default request value ${String(defReq[k])} is greater than default limit value ${String(def[k])}`));
      if (k in def && k in min && compareQuantities(min[k], def[k]) > 0)
        errs.push(invalid(key(child(p, 'default'), k), String(min[k]), `min value ${String(min[k])} is greater than default value ${String(def[k])}`));
      if (k in def && k in max && compareQuantities(def[k], max[k]) > 0)
        errs.push(invalid(key(child(p, 'default'), k), String(max[k]), `default value ${String(def[k])} is greater than max value ${String(max[k])}`));
      const ratio = rec(item.maxLimitRequestRatio)[k];
      if (ratio !== undefined && (parseQuantity(ratio) ?? 0n) < 1_000_000_000n)
        errs.push(invalid(key(child(p, 'maxLimitRequestRatio'), k), String(ratio), `ratio ${String(ratio)} is less than 1`));
    }
    for (const [field, list] of [['max', max], ['min', min], ['default', def], ['defaultRequest', defReq]] as const) {
      if (!isRecord(list)) continue;
      for (const k of Object.keys(list)) for (const m of isQualifiedName(k)) errs.push(invalid(key(child(p, field), k), k, m));
    }
  });
  return errs;
}

export const limitRange: KindDefinition = {
  group: '',
  version: 'v1',
  kind: 'LimitRange',
  resource: 'limitranges',
  namespaced: true,
  shortNames: ['limits'],
  schema: limitRangeSchema,
  table: {
    columns: [{ name: 'Created At', type: 'date', priority: 0, description: creationTimestampDescription }],
    cells: (o) => [o.metadata?.creationTimestamp ?? null],
  },
  strategy: { defaults: defaultLimitRange, validate: validateLimitRange, validateUpdate: (o, old) => validateObjectMetaUpdate(o, old) },
};
