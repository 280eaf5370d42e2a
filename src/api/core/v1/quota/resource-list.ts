// Resource lists (name -> quantity) and the arithmetic quota usage needs, as upstream's
// quota/v1 resources.go: exact (resource.Quantity in nano-units, never floating point), with
// upstream's canonical formatting when written back ("500m" + "500m" is "1").

import { parseQuantity, type Quantity } from '../../../../machinery/quantity.ts';
import { isRecord } from '../json.ts';

export type ResourceList = Map<string, Quantity>;

/** A JSON resource list (spec.hard, status.used); values that are not quantities are left out. */
export function parseResourceList(raw: unknown): ResourceList {
  const out: ResourceList = new Map();
  if (!isRecord(raw)) return out;
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    try {
      out.set(name, parseQuantity(typeof value === 'string' ? value.trim() : value));
    } catch {
      // an unparsable value tracks nothing
    }
  }
  return out;
}

/** The JSON form, keys sorted. */
export function formatResourceList(list: ResourceList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [...list.keys()].sort()) out[name] = list.get(name)!.toString();
  return out;
}

export function add(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map(a);
  for (const [name, q] of b) out.set(name, out.has(name) ? out.get(name)!.add(q) : q);
  return out;
}

/** What `a` has beyond `b`, name by name, never below zero (SubtractWithNonNegativeResult, zeros dropped). */
export function subtractNonNegative(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map();
  for (const [name, q] of a) {
    const rest = b.has(name) ? q.sub(b.get(name)!) : q;
    if (rest.sign() > 0) out.set(name, rest);
  }
  return out;
}

/** Only the named entries. */
export function mask(list: ResourceList, names: Iterable<string>): ResourceList {
  const keep = new Set(names);
  return new Map([...list].filter(([name]) => keep.has(name)));
}

/** Same names, equal values. */
export function equals(a: ResourceList, b: ResourceList): boolean {
  if (a.size !== b.size) return false;
  for (const [name, q] of a) if (!b.get(name)?.equals(q)) return false;
  return true;
}
