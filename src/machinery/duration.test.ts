import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { humanDuration, parseGoDuration, shortHumanDuration } from './duration.ts';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

// Cases from upstream's duration_test.go (time.Duration nanoseconds become milliseconds here).
describe('humanDuration (util/duration.HumanDuration, the AGE column)', () => {
  const cases: [number, string][] = [
    [s, '1s'],
    [70 * s, '70s'],
    [190 * s, '3m10s'],
    [70 * m, '70m'],
    [47 * h, '47h'],
    [49 * h, '2d1h'],
    [(8 * 24 + 2) * h, '8d'],
    [367 * d, '367d'],
    [(365 * 2 * 24 + 25) * h, '2y1d'],
    [(365 * 8 * 24 + 2) * h, '8y'],
    // boundaries
    [-2 * s, '<invalid>'],
    [-2 * s + 1, '0s'],
    [0, '0s'],
    [s - 1, '0s'],
    [2 * m - 1, '119s'],
    [2 * m, '2m'],
    [2 * m + s, '2m1s'],
    [10 * m - 1, '9m59s'],
    [10 * m, '10m'],
    [10 * m + s, '10m'],
    [3 * h - 1, '179m'],
    [3 * h, '3h'],
    [3 * h + m, '3h1m'],
    [8 * h - 1, '7h59m'],
    [8 * h, '8h'],
    [8 * h + 59 * m, '8h'],
    [2 * d - 1, '47h'],
    [2 * d, '2d'],
    [2 * d + h, '2d1h'],
    [8 * d - 1, '7d23h'],
    [8 * d, '8d'],
    [8 * d + 23 * h, '8d'],
    [2 * y - 1, '729d'],
    [2 * y, '2y'],
    [2 * y + 23 * h, '2y'],
    [2 * y + 23 * h + 59 * m, '2y'],
    [2 * y + 24 * h - 1, '2y'],
    [2 * y + 24 * h, '2y1d'],
    [3 * y, '3y'],
    [7 * y, '7y'],
    [8 * y - 1, '7y364d'],
    [8 * y, '8y'],
    [8 * y + 364 * d, '8y'],
    [9 * y, '9y'],
    // the brief's examples
    [90 * s, '90s'],
    [5 * m + 3 * s, '5m3s'],
    [65 * m, '65m'],
    [3 * h + 5 * m, '3h5m'],
    [30 * h, '30h'],
    [3 * d + 4 * h, '3d4h'],
    [400 * d, '400d'],
  ];
  for (const [ms, want] of cases) it(`${ms}ms → ${want}`, () => assert.equal(humanDuration(ms), want));
});

describe('shortHumanDuration (util/duration.ShortHumanDuration)', () => {
  const cases: [number, string][] = [
    [-2 * s, '<invalid>'],
    [-2 * s + 1, '0s'],
    [0, '0s'],
    [s - 1, '0s'],
    [s, '1s'],
    [2 * s - 1, '1s'],
    [m - 1, '59s'],
    [m, '1m'],
    [2 * m - 1, '1m'],
    [h - 1, '59m'],
    [h, '1h'],
    [2 * h - 1, '1h'],
    [d - 1, '23h'],
    [d, '1d'],
    [2 * d - 1, '1d'],
    [y - 1, '364d'],
    [y, '1y'],
    [2 * y - 1, '1y'],
    [2 * y, '2y'],
  ];
  for (const [ms, want] of cases) it(`${ms}ms → ${want}`, () => assert.equal(shortHumanDuration(ms), want));
});

test('Go durations parse as time.ParseDuration reads them; anything else is an error naming its source', () => {
  assert.equal(parseGoDuration('0', 'x'), 0);
  assert.equal(parseGoDuration('300ms', 'x'), 300);
  assert.equal(parseGoDuration('1m30s', 'x'), 90_000);
  assert.equal(parseGoDuration('1.5h', 'x'), 5_400_000);
  assert.equal(parseGoDuration('2h45m', 'x'), 9_900_000);
  assert.equal(parseGoDuration('1500us', 'x'), 1.5);
  assert.equal(parseGoDuration('-2s', 'x'), -2000);
  for (const bad of ['', '5', 's', '1d', '1m 30s', '--1s', '1.2.3s']) assert.throws(() => parseGoDuration(bad, '--flag'), /--flag: invalid duration/, bad);
});
