// metav1.MicroTime: an RFC 3339 timestamp with microseconds ("2024-05-01T10:00:00.123456Z"),
// published in OpenAPI as a date-time string like metav1.Time.

import type { Schema } from '../../schema.ts';

export function microTime(description?: string): Schema {
  return { type: 'string', format: 'date-time', ...(description ? { description } : {}) };
}
