// How times are written in Kubernetes objects: metav1.Time (RFC 3339, whole seconds, UTC) and
// metav1.MicroTime (RFC 3339 with microseconds).

// Busy servers stamp many objects within the same second: the last one formatted is kept.
let lastSecond = NaN;
let lastText = '';

/** metav1.Time: RFC 3339 at second precision, e.g. 2026-01-01T00:00:05Z. */
export function rfc3339(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastText = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
    lastSecond = second;
  }
  return lastText;
}

/** metav1.MicroTime: RFC 3339 with microseconds, e.g. 2026-01-01T00:00:05.123000Z. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
