// structured-merge-diff's merge.Updater: who owns what after a write.
// - update: the writer gains every path it added or changed; other managers lose those paths
//   and every manager loses the paths that were removed;
// - apply: the live object merged with the configuration; the applier owns exactly the
//   configuration's paths; what it applied last time and no longer does is removed from the
//   object unless some manager (an applier or an updater) still owns it; changing a path
//   another manager owns is a conflict (throws Conflicts) unless forced, when that manager
//   loses it. Paths in the ignored set (another subresource's) are neither owned nor compared.
// Managers are keyed by upstream's manager identifier; a manager left with nothing is dropped.

import { deepEqual } from '../patch/json-value.ts';
import { FieldSet, type Path } from './field-set.ts';
import type { Type } from './schema-types.ts';
import { compare, ensureNamedFieldsAreMembers, merge, removeItems, toFieldSet, type Comparison } from './typed.ts';

export interface VersionedSet {
  set: FieldSet;
  apiVersion: string;
  applied: boolean;
}

export type Managers = Map<string, VersionedSet>;

/** Drops the paths a write may not own (another subresource's). */
export type Filter = (set: FieldSet) => FieldSet;

export interface Conflict {
  manager: string;
  path: Path;
}

export class Conflicts extends Error {
  readonly conflicts: Conflict[];

  constructor(conflicts: Conflict[]) {
    super(`${conflicts.length} conflicts`);
    this.conflicts = conflicts;
  }
}

function filtered(c: Comparison, ignore: Filter): Comparison {
  return { added: ignore(c.added), modified: ignore(c.modified), removed: ignore(c.removed) };
}

function takeOwnership(
  oldObject: unknown,
  newObject: unknown,
  type: Type,
  managers: Managers,
  workflow: string,
  force: boolean,
  ignore: Filter,
): { managers: Managers; comparison: Comparison } {
  const comparison = filtered(compare(oldObject, newObject, type), ignore);
  const changed = comparison.modified.union(comparison.added);
  const conflicts = new Map<string, FieldSet>();
  for (const [manager, vs] of managers) {
    if (manager === workflow) continue;
    const overlap = vs.set.intersection(changed);
    if (!overlap.empty()) conflicts.set(manager, overlap);
  }
  if (!force && conflicts.size > 0) {
    const list: Conflict[] = [];
    for (const [manager, set] of conflicts) for (const path of set.paths()) list.push({ manager, path });
    throw new Conflicts(list);
  }
  const out: Managers = new Map();
  for (const [manager, vs] of managers) {
    let set = vs.set;
    if (manager !== workflow) {
      const lost = conflicts.get(manager);
      if (lost) set = set.difference(lost);
      if (!comparison.removed.empty()) set = set.difference(comparison.removed);
    }
    if (!set.empty()) out.set(manager, { ...vs, set });
  }
  return { managers: out, comparison };
}

/** Ownership after a write of newObject over liveObject by manager (always forced). */
export function update(liveObject: unknown, newObject: unknown, type: Type, apiVersion: string, managers: Managers, manager: string, ignore: Filter): Managers {
  const result = takeOwnership(liveObject, newObject, type, managers, manager, true, ignore);
  const previous = result.managers.get(manager)?.set ?? new FieldSet();
  const c = result.comparison;
  const set = ignore(previous.difference(c.removed).union(c.modified).union(c.added));
  if (set.empty()) result.managers.delete(manager);
  else result.managers.set(manager, { set, apiVersion, applied: false });
  return result.managers;
}

/**
 * Applies a configuration: the new object (undefined when it equals the live one) and the new
 * ownership. The configuration must be valid for its type (see toFieldSet without duplicates).
 */
export function apply(
  liveObject: unknown,
  config: unknown,
  type: Type,
  apiVersion: string,
  managers: Managers,
  manager: string,
  force: boolean,
  ignore: Filter,
): { object: unknown; managers: Managers } {
  const owners: Managers = new Map(managers);
  const merged = merge(liveObject, config, type);
  const last = owners.get(manager);
  owners.set(manager, { set: ignore(toFieldSet(config, type)), apiVersion, applied: true });
  const pruned = prune(merged, owners, last?.set, type);
  const result = takeOwnership(liveObject, pruned, type, owners, manager, force, ignore);
  return { object: deepEqual(liveObject, pruned) ? undefined : pruned, managers: result.managers };
}

/**
 * Removes what the applier applied last time (lastSet) and not now, unless a manager owns
 * it; upstream's prune with addBackOwnedItems and addBackDanglingItems.
 */
function prune(merged: unknown, managers: Managers, lastSet: FieldSet | undefined, type: Type): unknown {
  if (!lastSet || lastSet.empty()) return merged;
  const named = (s: FieldSet) => ensureNamedFieldsAreMembers(s, type);
  const removeFrom = (value: unknown, set: FieldSet) => removeItems(value, set, type) ?? {};
  let pruned = removeFrom(merged, named(lastSet));
  let owned = new FieldSet();
  for (const vs of managers.values()) owned = owned.union(vs.set);
  const mergedSet = named(toFieldSet(merged, type));
  pruned = removeFrom(merged, mergedSet.difference(named(toFieldSet(pruned, type)).union(named(owned))));
  const prunedSet = named(toFieldSet(pruned, type));
  return removeFrom(merged, mergedSet.difference(prunedSet).intersection(named(lastSet)));
}
