import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatTimestamp, LogWriter, parseLogLine } from './cri-log.ts';

describe('CRI log format', () => {
  it('formats timestamps as Go RFC3339Nano does (trailing zeros dropped)', () => {
    assert.equal(formatTimestamp(Date.UTC(2025, 0, 2, 3, 4, 5, 120)), '2025-01-02T03:04:05.12Z');
    assert.equal(formatTimestamp(Date.UTC(2025, 0, 2, 3, 4, 5, 7)), '2025-01-02T03:04:05.007Z');
    assert.equal(formatTimestamp(Date.UTC(2025, 0, 2, 3, 4, 5)), '2025-01-02T03:04:05Z');
  });

  it('parses lines as the kubelet does', () => {
    const line = parseLogLine('2016-10-06T00:17:09.669794202Z stdout F hello world\n')!;
    assert.equal(line.timestamp, '2016-10-06T00:17:09.669794202Z');
    assert.equal(line.time, Date.UTC(2016, 9, 6, 0, 17, 9, 669));
    assert.deepEqual([line.stream, line.tag, line.content.toString()], ['stdout', 'F', 'hello world']);
    assert.equal(parseLogLine('2016-10-06T00:17:09Z stderr P:extra part')!.content.toString(), 'part');
    assert.equal(parseLogLine('2016-10-06T00:17:09Z stdout F \n')!.content.length, 0);
    assert.equal(parseLogLine('2016-10-06T00:17:09Z stdout F')!.content.length, 0);
    for (const bad of ['', 'garbage', 'notatime stdout F x', '2016-10-06T00:17:09Z stdin F x', '2016-10-06T00:17:09Z stdout X x']) {
      assert.equal(parseLogLine(bad), undefined, bad);
    }
  });

  it('writes one F line per newline per stream, splits long lines with P, and ends an unfinished line with F', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cri-log-'));
    try {
      const path = join(dir, '0.log');
      const w = new LogWriter(path, () => Date.UTC(2025, 0, 1), 8);
      w.write('stdout', Buffer.from('one\ntw'));
      w.write('stderr', Buffer.from('err'));
      w.write('stdout', Buffer.from('o\n\n'));
      w.write('stdout', Buffer.from('0123456789abcdefXY\n'));
      w.write('stdout', Buffer.from('01234567'));
      w.write('stdout', Buffer.from('tail'));
      w.close();
      w.write('stdout', Buffer.from('after close is dropped\n'));
      const lines = readFileSync(path, 'utf8').split('\n');
      assert.equal(lines.pop(), '');
      assert.ok(lines.every((l) => l.startsWith('2025-01-01T00:00:00Z ')));
      assert.deepEqual(lines.map((l) => l.slice('2025-01-01T00:00:00Z '.length)), [
        'stdout F one',
        'stdout F two',
        'stdout F ',
        'stdout P 01234567',
        'stdout P 89abcdef',
        'stdout F XY',
        'stdout P 01234567',
        'stdout F tail',
        'stderr F err',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
