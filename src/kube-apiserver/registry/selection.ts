// Which objects a request selects: its label selector and its field selector, the latter
// over metadata.name, metadata.namespace and the fields the kind declares.

import type { KubeObject } from '../../api/kind.ts';
import { parseFieldSelector, requireFields } from '../../machinery/fields.ts';
import { parseLabelSelector } from '../../machinery/labels.ts';
import type { ApiResource } from './resources.ts';

export type ObjectFilter = (object: KubeObject) => boolean;

export function fieldValue(resource: ApiResource, object: KubeObject, field: string): string | undefined {
  if (field === 'metadata.name') return object.metadata?.name ?? '';
  if (field === 'metadata.namespace') return object.metadata?.namespace ?? '';
  return resource.def.fields?.[field]?.(object) ?? '';
}

/** A filter for the request's selectors, or undefined when it selects everything. */
export function selection(resource: ApiResource, labelSelector: string | null, fieldSelector: string | null): ObjectFilter | undefined {
  const labels = labelSelector ? parseLabelSelector(labelSelector) : undefined;
  const fields = fieldSelector ? parseFieldSelector(fieldSelector) : undefined;
  if (fields) {
    const supported = new Set(['metadata.name', 'metadata.namespace', ...Object.keys(resource.def.fields ?? {})]);
    requireFields(fields, supported, resource.resource);
  }
  const useLabels = labels && !labels.empty ? labels : undefined;
  const useFields = fields && !fields.empty ? fields : undefined;
  if (!useLabels && !useFields) return undefined;
  return (object) =>
    (!useLabels || useLabels.matches(object.metadata?.labels)) && (!useFields || useFields.matches((f) => fieldValue(resource, object, f)));
}
