// Small kinds for unit tests of the generic registry, independent of the real API kinds.

import type { KindDefinition } from '../../api/kind.ts';
import { kindSchema } from '../../api/meta.ts';
import { int32, obj, str, stringMap } from '../../api/schema.ts';

export const widgetKind: KindDefinition = {
  group: 'example.k8ts.io',
  version: 'v1',
  kind: 'Widget',
  resource: 'widgets',
  namespaced: true,
  status: true,
  generation: true,
  schema: kindSchema('A widget.', { spec: obj({ size: int32(), color: str() }), status: obj({ ready: str() }), data: stringMap() }),
  strategy: {
    validate(object) {
      const size = (object.spec as { size?: number } | undefined)?.size;
      return size !== undefined && size < 0 ? [{ reason: 'FieldValueInvalid', field: 'spec.size', message: `Invalid value: ${size}: must be greater than or equal to 0` }] : [];
    },
  },
  fields: { 'spec.color': (o) => (o.spec as { color?: string } | undefined)?.color },
};
