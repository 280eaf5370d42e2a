// Ages as kubectl shows them: duration.HumanDuration from k8s.io/apimachinery/pkg/util/duration
// (about 2-3 significant figures: "45s", "3m20s", "15m", "5h10m", "3d4h", "400d", "2y10d"), and
// the printers' translateTimestampSince ("<unknown>" when there is no timestamp).

import { humanDuration } from '../../../machinery/duration.ts';

export { humanDuration };

/** The age of an RFC 3339 timestamp at `now` (ms), or "<unknown>" when there is none. */
export function translateTimestampSince(timestamp: unknown, now: number): string {
  if (typeof timestamp !== 'string' || timestamp === '') return '<unknown>';
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return '<unknown>';
  return humanDuration(now - t);
}

/** ObjectMeta's description of creationTimestamp, which upstream uses for every Age column. */
export const creationTimestampDescription =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';
