// Label matching as labels.Selector does it: a map selector (ReplicationController, Service)
// matches when every pair is present; a metav1.LabelSelector when every matchLabels pair and
// every matchExpressions requirement holds. An invalid LabelSelector matches nothing.

import { isRecord, stringsOf } from './json.ts';

/** labels.SelectorFromSet(selector).Matches(labels); an empty map matches everything. */
export function mapSelectorMatches(selector: unknown, labels: unknown): boolean {
  const sel = isRecord(selector) ? selector : {};
  const l = isRecord(labels) ? labels : {};
  return Object.entries(sel).every(([k, v]) => l[k] === v);
}

/** Whether a metav1.LabelSelector is well formed (LabelSelectorAsSelector succeeds). */
export function labelSelectorValid(selector: unknown): boolean {
  if (!isRecord(selector)) return true;
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  return exprs.every((e) => {
    if (!isRecord(e)) return false;
    const n = stringsOf(e.values).length;
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        return n > 0;
      case 'Exists':
      case 'DoesNotExist':
        return n === 0;
      default:
        return false;
    }
  });
}

/** LabelSelectorAsSelector(selector).Matches(labels): nil or invalid selects nothing, empty everything. */
export function labelSelectorMatches(selector: unknown, labels: unknown): boolean {
  if (!isRecord(selector) || !labelSelectorValid(selector)) return false;
  const l = isRecord(labels) ? labels : {};
  if (!mapSelectorMatches(selector.matchLabels, l)) return false;
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  return exprs.every((e: Record<string, unknown>) => {
    const key = String(e.key);
    const has = Object.hasOwn(l, key);
    const values = stringsOf(e.values);
    switch (e.operator) {
      case 'In':
        return has && values.includes(String(l[key]));
      case 'NotIn':
        return !has || !values.includes(String(l[key]));
      case 'Exists':
        return has;
      default:
        return !has;
    }
  });
}

/** A LabelSelector with neither matchLabels nor matchExpressions selects everything. */
export function labelSelectorEmpty(selector: unknown): boolean {
  if (!isRecord(selector)) return true;
  const labels = isRecord(selector.matchLabels) ? Object.keys(selector.matchLabels).length : 0;
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions.length : 0;
  return labels + exprs === 0;
}
