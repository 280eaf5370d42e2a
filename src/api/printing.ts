// Table cells the way kubectl prints them: ages and durations exactly like
// k8s.io/apimachinery/pkg/util/duration.HumanDuration, label maps and label selectors exactly
// like labels.FormatLabels and metav1.FormatLabelSelector, and the helpers upstream's
// printers share (container name/image columns, the "Age" column, `<none>` and `<unknown>`).

import type { ColumnDefinition, KubeObject } from './kind.ts';

/** metav1.ObjectMeta's creationTimestamp doc: the description of every "Age" column. */
export const creationTimestampDescription =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

export const ageColumn: ColumnDefinition = { name: 'Age', type: 'string', priority: 0, description: creationTimestampDescription };

export const containersColumn: ColumnDefinition = { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.' };

export const imagesColumn: ColumnDefinition = { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.' };

import { humanDuration } from '../machinery/duration.ts';

export { humanDuration };

/** Parses an RFC 3339 timestamp; undefined when absent or unparseable. */
export function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/** translateTimestampSince: the age of a timestamp, `<unknown>` when there is none. */
export function since(timestamp: unknown, now: number): string {
  const t = parseTime(timestamp);
  return t === undefined ? '<unknown>' : humanDuration(now - t);
}

/** The AGE cell of an object. */
export function age(object: KubeObject, now: number): string {
  return since(object.metadata?.creationTimestamp, now);
}

/** labels.FormatLabels: "a=1,b=2" sorted by key, `<none>` when empty. */
export function formatLabels(labels: unknown): string {
  const map = labels && typeof labels === 'object' ? (labels as Record<string, unknown>) : {};
  const keys = Object.keys(map).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${String(map[k])}`).join(',');
}

interface SelectorRequirement {
  key?: unknown;
  operator?: unknown;
  values?: unknown;
}

/**
 * The string form of a metav1.LabelSelector (LabelSelectorAsSelector(s).String()):
 * requirements sorted by key, "k=v", "k in (a,b)", "k notin (a,b)", "k", "!k". Undefined
 * when the selector is not valid (an unknown operator, In without values, ...). A missing or
 * empty selector gives "".
 */
export function labelSelectorString(selector: unknown): string | undefined {
  if (!selector || typeof selector !== 'object') return '';
  const s = selector as { matchLabels?: unknown; matchExpressions?: unknown };
  const reqs: { key: string; text: string }[] = [];
  const labels = s.matchLabels && typeof s.matchLabels === 'object' ? (s.matchLabels as Record<string, unknown>) : {};
  for (const [k, v] of Object.entries(labels)) reqs.push({ key: k, text: `${k}=${String(v)}` });
  const exprs = Array.isArray(s.matchExpressions) ? (s.matchExpressions as SelectorRequirement[]) : [];
  for (const e of exprs) {
    const key = typeof e?.key === 'string' ? e.key : '';
    const values = Array.isArray(e?.values) ? (e.values as unknown[]).map(String) : [];
    const list = values.length === 1 ? values[0] : [...values].sort().join(',');
    switch (e?.operator) {
      case 'In':
        if (values.length === 0) return undefined;
        reqs.push({ key, text: `${key} in (${list})` });
        break;
      case 'NotIn':
        if (values.length === 0) return undefined;
        reqs.push({ key, text: `${key} notin (${list})` });
        break;
      case 'Exists':
        if (values.length > 0) return undefined;
        reqs.push({ key, text: key });
        break;
      case 'DoesNotExist':
        if (values.length > 0) return undefined;
        reqs.push({ key, text: `!${key}` });
        break;
      default:
        return undefined;
    }
  }
  // A stable sort by key, as labels.internalSelector does.
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: the selector string, `<none>` when empty, `<error>` when invalid. */
export function formatLabelSelector(selector: unknown): string {
  const s = labelSelectorString(selector);
  if (s === undefined) return '<error>';
  return s === '' ? '<none>' : s;
}

/** layoutContainerCells: container names and images, comma separated. */
export function containerCells(containers: unknown): [names: string, images: string] {
  const list = Array.isArray(containers) ? (containers as { name?: unknown; image?: unknown }[]) : [];
  return [list.map((c) => String(c?.name ?? '')).join(','), list.map((c) => String(c?.image ?? '')).join(',')];
}

/** printBoolPtr: "True", "False" or `<unset>`. */
export function boolPtr(value: unknown): string {
  if (typeof value !== 'boolean') return '<unset>';
  return value ? 'True' : 'False';
}
