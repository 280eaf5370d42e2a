// CronJob schedules as the controller runs them (robfig/cron/v3's standard parser and
// SpecSchedule.Next): five fields or a descriptor, optionally prefixed with CRON_TZ=<zone> (or
// TZ=), evaluated in wall-clock time of the zone (spec.timeZone wins over the process's zone).
// next(t) is the first minute boundary strictly after t whose fields match; day-of-month and
// day-of-week are OR-ed unless either starts with "*" or "?", as cron does.

import { cronScheduleError } from '../../../api/batch/v1/cron.ts';
import { parseGoDuration } from '../../../machinery/duration.ts';

export interface Schedule {
  /** The first activation strictly after `ms` (milliseconds since the epoch). */
  next(ms: number): number;
  readonly timeZone: string;
}

const descriptors: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const monthNames = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const dayNames = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const bounds: [number, number, string[]?][] = [[0, 59], [0, 23], [1, 31], [1, 12, monthNames], [0, 6, dayNames]];

interface Field {
  values: Set<number>;
  star: boolean;
}

function parseField(text: string, [min, max, names]: [number, number, string[]?]): Field {
  const values = new Set<number>();
  const value = (s: string) => {
    const i = names?.indexOf(s.toLowerCase()) ?? -1;
    return i >= 0 ? i + min : Number(s);
  };
  for (const expr of text.split(',')) {
    const [range, stepText] = expr.split('/');
    const [lo, hi] = range.split('-');
    let start: number;
    let end: number;
    if (lo === '*' || lo === '?') [start, end] = [min, max];
    else {
      start = value(lo);
      end = hi !== undefined ? value(hi) : stepText !== undefined ? max : start;
    }
    const step = stepText !== undefined ? Number(stepText) : 1;
    for (let v = start; v <= end; v += step) values.add(v);
  }
  return { values, star: text.startsWith('*') || text.startsWith('?') };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock time in `timeZone` at instant `ms`, as milliseconds of a UTC date with the same fields. */
export function wallClock(ms: number, timeZone: string): number {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) + (((ms % 1000) + 1000) % 1000);
}

/** The instant whose wall-clock time in `timeZone` is `wall` (the later offset in an ambiguous hour). */
function fromWallClock(wall: number, timeZone: string): number {
  let guess = wall - (wallClock(wall, timeZone) - wall);
  guess = wall - (wallClock(guess, timeZone) - guess);
  return guess;
}

export function defaultTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
}

/** Parses a schedule; throws the parser's error message. `timeZone` is spec.timeZone when set. */
export function parseSchedule(schedule: string, timeZone?: string): Schedule {
  const err = cronScheduleError(schedule);
  if (err) throw new Error(err);
  let spec = schedule.trim();
  let tz = timeZone ?? defaultTimeZone();
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const i = spec.indexOf(' ');
    tz = spec.slice(spec.indexOf('=') + 1, i);
    spec = spec.slice(i).trim();
  }
  if (spec.startsWith('@every ')) {
    const delay = Math.max(1000, Math.floor(parseGoDuration(spec.slice('@every '.length), 'schedule @every') / 1000) * 1000);
    return { timeZone: tz, next: (ms) => Math.floor(ms / 1000) * 1000 + delay };
  }
  const fields = (descriptors[spec] ?? spec).split(/\s+/).map((f, i) => parseField(f, bounds[i]));
  const [minute, hour, dom, month, dow] = fields;
  const dayMatches = (d: Date) => {
    const a = dom.values.has(d.getUTCDate());
    const b = dow.values.has(d.getUTCDay());
    return dom.star || dow.star ? a && b : a || b;
  };
  const zone = tz;
  return {
    timeZone: zone,
    next(ms) {
      let w = Math.floor(wallClock(ms, zone) / 60_000) * 60_000 + 60_000;
      const limit = w + 5 * 366 * 86_400_000;
      while (w < limit) {
        const d = new Date(w);
        const [y, mo, day, h] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours()];
        if (!month.values.has(mo + 1)) w = Date.UTC(y, mo + 1, 1);
        else if (!dayMatches(d)) w = Date.UTC(y, mo, day + 1);
        else if (!hour.values.has(h)) w = Date.UTC(y, mo, day, h + 1);
        else if (!minute.values.has(d.getUTCMinutes())) w += 60_000;
        else {
          const at = fromWallClock(w, zone);
          if (at > ms) return at;
          w += 60_000;
        }
      }
      return Infinity;
    },
  };
}
