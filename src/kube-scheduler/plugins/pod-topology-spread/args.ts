// PodTopologySpreadArgs of the scheduler configuration, as upstream's v1 type: defaultConstraints
// (topologySpreadConstraints without a labelSelector, which is deduced per pod) and
// defaultingType — "System" (the default: upstream's built-in constraints, hostname maxSkew 3
// and zone maxSkew 5, both ScheduleAnyway) or "List" (the given defaultConstraints, possibly
// none). Validation gives upstream's field errors, joined as its aggregate error prints them.

import { aggregateString, fieldDuplicate, fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired, isQualifiedName, type FieldError } from '../../../machinery/validation.ts';
import type { TopologySpreadConstraint } from '../../types.ts';

export const defaultingTypes = ['System', 'List'] as const;
export type DefaultingType = (typeof defaultingTypes)[number];

export interface PodTopologySpreadArgs {
  defaultConstraints: TopologySpreadConstraint[];
  defaultingType: DefaultingType;
}

export const systemDefaultConstraints: readonly TopologySpreadConstraint[] = Object.freeze([
  { topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
  { topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
]);

const whenUnsatisfiableValues = ['DoNotSchedule', 'ScheduleAnyway'];
const knownFields = ['defaultConstraints', 'defaultingType', 'apiVersion', 'kind'];
const constraintFields = ['maxSkew', 'topologyKey', 'whenUnsatisfiable', 'labelSelector', 'minDomains', 'nodeAffinityPolicy', 'nodeTaintsPolicy', 'matchLabelKeys'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Defaults and validates raw args (from a pluginConfig entry; `path` names them in errors).
 * Throws an Error listing every field at fault.
 */
export function podTopologySpreadArgs(raw: unknown, path = 'args'): PodTopologySpreadArgs {
  if (raw !== undefined && raw !== null && !isObj(raw)) throw new Error(`${path}: must be an object`);
  const args: Obj = isObj(raw) ? raw : {};
  for (const k of Object.keys(args)) if (!knownFields.includes(k)) throw new Error(`${path}.${k}: unknown or unsupported field`);
  const errs: FieldError[] = [];
  const list = args.defaultConstraints ?? [];
  if (!Array.isArray(list)) throw new Error(`${path}.defaultConstraints: must be a list`);
  const defaultingType = args.defaultingType ?? 'System';
  if (typeof defaultingType !== 'string' || !(defaultingTypes as readonly string[]).includes(defaultingType)) {
    errs.push(fieldNotSupported(`${path}.defaultingType`, String(defaultingType), defaultingTypes));
  } else if (defaultingType === 'System' && list.length > 0) {
    errs.push(fieldInvalid(`${path}.defaultingType`, defaultingType, 'when .defaultConstraints are not empty'));
  }
  const constraints: TopologySpreadConstraint[] = [];
  list.forEach((c: unknown, i) => {
    const p = `${path}.defaultConstraints[${i}]`;
    if (!isObj(c)) throw new Error(`${p}: must be an object`);
    for (const k of Object.keys(c)) if (!constraintFields.includes(k)) throw new Error(`${p}.${k}: unknown or unsupported field`);
    const maxSkew = typeof c.maxSkew === 'number' ? c.maxSkew : 0;
    if (!(Number.isInteger(maxSkew) && maxSkew > 0)) errs.push(fieldInvalid(`${p}.maxSkew`, maxSkew, 'not in valid range (0, inf)'));
    const topologyKey = typeof c.topologyKey === 'string' ? c.topologyKey : '';
    if (!topologyKey) errs.push(fieldRequired(`${p}.topologyKey`, 'can not be empty'));
    else for (const msg of isQualifiedName(topologyKey)) errs.push(fieldInvalid(`${p}.topologyKey`, topologyKey, msg));
    const whenUnsatisfiable = typeof c.whenUnsatisfiable === 'string' ? c.whenUnsatisfiable : '';
    if (!whenUnsatisfiable) errs.push(fieldRequired(`${p}.whenUnsatisfiable`, 'can not be empty'));
    else if (!whenUnsatisfiableValues.includes(whenUnsatisfiable)) errs.push(fieldNotSupported(`${p}.whenUnsatisfiable`, whenUnsatisfiable, whenUnsatisfiableValues));
    if (c.labelSelector !== undefined && c.labelSelector !== null) errs.push(fieldForbidden(`${p}.labelSelector`, 'constraint must not define a selector, as they deduced for each pod'));
    if (constraints.some((o) => o.topologyKey === topologyKey && o.whenUnsatisfiable === whenUnsatisfiable)) {
      errs.push(fieldDuplicate(`${path}.defaultConstraints[${i}]`, `{${topologyKey}, ${whenUnsatisfiable}}`));
    }
    constraints.push({ ...(c as unknown as TopologySpreadConstraint), maxSkew, topologyKey, whenUnsatisfiable });
  });
  if (errs.length > 0) throw new Error(aggregateString(errs));
  return { defaultConstraints: constraints, defaultingType: defaultingType as DefaultingType };
}
