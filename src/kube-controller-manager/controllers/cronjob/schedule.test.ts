import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSchedule } from './schedule.ts';

const at = (s: string) => Date.parse(s);
const iso = (ms: number) => new Date(ms).toISOString();

test('next activation of standard schedules, descriptors and @every', () => {
  const cases: { schedule: string; tz?: string; from: string; next: string }[] = [
    { schedule: '*/1 * * * *', tz: 'UTC', from: '2025-01-01T12:00:00Z', next: '2025-01-01T12:01:00.000Z' },
    { schedule: '*/1 * * * *', tz: 'UTC', from: '2025-01-01T12:00:30Z', next: '2025-01-01T12:01:00.000Z' },
    { schedule: '*/15 * * * *', tz: 'UTC', from: '2025-01-01T12:07:00Z', next: '2025-01-01T12:15:00.000Z' },
    { schedule: '30 2 * * *', tz: 'UTC', from: '2025-01-01T12:00:00Z', next: '2025-01-02T02:30:00.000Z' },
    { schedule: '0 9 * * mon-fri', tz: 'UTC', from: '2025-01-03T10:00:00Z', next: '2025-01-06T09:00:00.000Z' },
    { schedule: '0 0 29 2 *', tz: 'UTC', from: '2025-01-01T00:00:00Z', next: '2028-02-29T00:00:00.000Z' },
    // Day of month OR day of week when neither is "*".
    { schedule: '0 0 13 * fri', tz: 'UTC', from: '2025-01-01T00:00:00Z', next: '2025-01-03T00:00:00.000Z' },
    { schedule: '@hourly', tz: 'UTC', from: '2025-01-01T12:00:00Z', next: '2025-01-01T13:00:00.000Z' },
    { schedule: '@monthly', tz: 'UTC', from: '2025-01-15T00:00:00Z', next: '2025-02-01T00:00:00.000Z' },
    { schedule: '@every 1h30m', tz: 'UTC', from: '2025-01-01T12:00:00.400Z', next: '2025-01-01T13:30:00.000Z' },
    // Time zones: spec.timeZone and CRON_TZ=.
    { schedule: '0 9 * * *', tz: 'Europe/Berlin', from: '2025-01-01T00:00:00Z', next: '2025-01-01T08:00:00.000Z' },
    { schedule: '0 9 * * *', tz: 'Europe/Berlin', from: '2025-07-01T00:00:00Z', next: '2025-07-01T07:00:00.000Z' },
    { schedule: 'CRON_TZ=America/New_York 0 9 * * *', from: '2025-01-01T00:00:00Z', next: '2025-01-01T14:00:00.000Z' },
    { schedule: 'TZ=Asia/Kolkata 0 0 * * *', from: '2025-01-01T00:00:00Z', next: '2025-01-01T18:30:00.000Z' },
  ];
  for (const c of cases) assert.equal(iso(parseSchedule(c.schedule, c.tz).next(at(c.from))), c.next, `${c.schedule} from ${c.from}`);
});

test('unparseable schedules throw the parser message', () => {
  assert.throws(() => parseSchedule('61 * * * *', 'UTC'), /end of range \(61\) above maximum \(59\)/);
  assert.throws(() => parseSchedule('* * *', 'UTC'), /expected exactly 5 fields/);
});
