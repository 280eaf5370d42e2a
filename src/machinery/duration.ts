// Durations for humans, exactly as k8s.io/apimachinery/pkg/util/duration prints them: kubectl's
// AGE column (printers' translateTimestampSince) uses humanDuration; shortHumanDuration is the
// coarser one-unit form. Up to 2s in the future counts as clock skew ("0s"); more is "<invalid>".

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;

/** Go's int(d.Seconds()): truncation toward zero. */
const seconds = (ms: number): number => Math.trunc(ms / second);

/** HumanDuration: ~2-3 significant figures, e.g. "90s", "5m3s", "65m", "3h5m", "30h", "3d4h", "400d", "2y3d", "9y". */
export function humanDuration(ms: number): string {
  const s = seconds(ms);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 60 * 2) return `${s}s`;
  const minutes = Math.trunc(ms / minute);
  if (minutes < 10) {
    const rest = s % 60;
    return rest === 0 ? `${minutes}m` : `${minutes}m${rest}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / hour);
  if (hours < 8) {
    const rest = minutes % 60;
    return rest === 0 ? `${hours}h` : `${hours}h${rest}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const rest = hours % 24;
    return rest === 0 ? `${days}d` : `${days}d${rest}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const rest = days % 365;
    return rest === 0 ? `${years}y` : `${years}y${rest}d`;
  }
  return `${years}y`;
}

/** ShortHumanDuration: one unit, e.g. "59s", "1m", "23h", "364d", "2y". */
export function shortHumanDuration(ms: number): string {
  const s = seconds(ms);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 60) return `${s}s`;
  const minutes = Math.trunc(ms / minute);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.trunc(ms / hour);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`;
  return `${Math.trunc(hours / 24 / 365)}y`;
}

const goUnits: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: second, m: minute, h: hour };

/**
 * A duration as Go's time.ParseDuration reads it ("300ms", "1.5h", "2h45m", "0"), in
 * milliseconds; `what` names it in the error (a flag, a field).
 */
export function parseGoDuration(text: string, what: string): number {
  const m = /^([-+]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+|0)$/.exec(text);
  if (!m) throw new Error(`${what}: invalid duration ${JSON.stringify(text)}`);
  let ms = 0;
  for (const [, n, unit] of m[2].matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) ms += Number(n) * goUnits[unit];
  return m[1] === '-' ? -ms : ms;
}

/** parseGoDuration of a value that may be absent (an optional flag): absent stays undefined. */
export function optionalGoDuration(text: string | undefined, what: string): number | undefined {
  return text === undefined ? undefined : parseGoDuration(text, what);
}
