// The table upstream serves for kinds without a printer (rest.DefaultTableConvertor): after
// the name, one "Created At" date column holding creationTimestamp in RFC 3339 UTC.

import type { KubeObject, TableConvertor } from '../../kind.ts';
import { creationTimestampDescription } from './age.ts';

/** Go's time.Time{}.UTC().Format(time.RFC3339), printed for objects without a timestamp. */
const zeroTime = '0001-01-01T00:00:00Z';

export function createdAt(object: KubeObject): string {
  const ts = object.metadata?.creationTimestamp;
  if (typeof ts !== 'string' || ts === '') return zeroTime;
  const t = Date.parse(ts);
  if (Number.isNaN(t)) return zeroTime;
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const defaultTable: TableConvertor = {
  columns: [{ name: 'Created At', type: 'date', description: creationTimestampDescription, priority: 0 }],
  cells: (object) => [createdAt(object)],
};
