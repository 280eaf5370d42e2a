// metav1.LabelSelector: its schema (an atomic struct, as upstream marks it) and
// ValidateLabelSelector from k8s.io/apimachinery/pkg/apis/meta/v1/validation, with
// upstream's field paths and messages.

import type { StatusCause } from '../../../machinery/status.ts';
import type { Schema } from '../../schema.ts';
import { list, obj, str, stringMap } from '../../schema.ts';
import { forbidden, invalid, required } from './field.ts';
import { isQualifiedName, isValidLabelValue } from '../../../machinery/validation.ts';
import { arr, isObject, str as asString } from './unstructured.ts';

export const labelSelectorRequirementSchema: Schema = obj(
  {
    key: str('key is the label key that the selector applies to.'),
    operator: str("operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists and DoesNotExist."),
    values: list(
      str(),
      'values is an array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty. This array is replaced during a strategic merge patch.',
      { 'x-kubernetes-list-type': 'atomic' },
    ),
  },
  {
    description: 'A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.',
    required: ['key', 'operator'],
  },
);

export const labelSelectorSchema: Schema = obj(
  {
    matchLabels: stringMap(
      'matchLabels is a map of {key,value} pairs. A single {key,value} in the matchLabels map is equivalent to an element of matchExpressions, whose key field is "key", the operator is "In", and the values array contains only "value". The requirements are ANDed.',
    ),
    matchExpressions: list(labelSelectorRequirementSchema, 'matchExpressions is a list of label selector requirements. The requirements are ANDed.', {
      'x-kubernetes-list-type': 'atomic',
    }),
  },
  {
    description:
      'A label selector is a label query over a set of resources. The result of matchLabels and matchExpressions are ANDed. An empty label selector matches all objects. A null label selector matches no objects.',
    'x-kubernetes-map-type': 'atomic',
  },
);

export interface LabelSelectorValidationOptions {
  /** Tolerate label values that are invalid (kept when an update does not touch an old invalid selector). */
  allowInvalidLabelValueInSelector?: boolean;
}

/** ValidateLabelName: a label key is a qualified name. */
export function validateLabelName(name: string, field: string): StatusCause[] {
  return isQualifiedName(name).map((msg) => invalid(field, name, msg));
}

/** ValidateLabels: every key a qualified name, every value a valid label value. */
export function validateLabels(labels: unknown, field: string): StatusCause[] {
  if (!isObject(labels)) return [];
  const errs: StatusCause[] = [];
  for (const [k, v] of Object.entries(labels)) {
    errs.push(...validateLabelName(k, field));
    const value = asString(v);
    for (const msg of isValidLabelValue(value)) errs.push(invalid(field, value, msg));
  }
  return errs;
}

export function validateLabelSelector(selector: unknown, field: string, opts: LabelSelectorValidationOptions = {}): StatusCause[] {
  if (!isObject(selector)) return [];
  const errs = validateLabels(selector.matchLabels, `${field}.matchLabels`);
  arr(selector.matchExpressions).forEach((expr, i) => {
    errs.push(...validateLabelSelectorRequirement(expr, `${field}.matchExpressions[${i}]`, opts));
  });
  return errs;
}

function validateLabelSelectorRequirement(requirement: unknown, field: string, opts: LabelSelectorValidationOptions): StatusCause[] {
  const r = isObject(requirement) ? requirement : {};
  const errs: StatusCause[] = [];
  const values = arr(r.values);
  const operator = asString(r.operator);
  switch (operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(required(`${field}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(forbidden(`${field}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    default:
      errs.push(invalid(`${field}.operator`, operator, 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(asString(r.key), `${field}.key`));
  if (!opts.allowInvalidLabelValueInSelector) {
    values.forEach((v, i) => {
      const value = asString(v);
      for (const msg of isValidLabelValue(value)) errs.push(invalid(`${field}.values[${i}]`, value, msg));
    });
  }
  return errs;
}
