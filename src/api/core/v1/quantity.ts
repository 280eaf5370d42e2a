// Just enough of resource.Quantity for the kinds' own rules (QoS classes, requests <= limits,
// non-negative values): a quantity parsed exactly into nano-units, and comparisons of those.
// Parsing is machinery's resource.Quantity.

import { parseQuantity as parse } from '../../../machinery/quantity.ts';

/** A quantity ("100m", "1Gi", "2e3", or a JSON number) in nano-units, rounded up; undefined if malformed. */
export function parseQuantity(value: unknown): bigint | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  try {
    return parse(typeof value === 'string' ? value.trim() : value).nanos;
  } catch {
    return undefined;
  }
}

export function isQuantity(value: unknown): boolean {
  return parseQuantity(value) !== undefined;
}

/** -1, 0 or 1 (undefined quantities count as zero). */
export function compareQuantities(a: unknown, b: unknown): number {
  const x = parseQuantity(a) ?? 0n;
  const y = parseQuantity(b) ?? 0n;
  return x < y ? -1 : x > y ? 1 : 0;
}
