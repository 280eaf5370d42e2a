import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, test } from 'node:test';
import { readContainerLog, type LogOptions } from './container-logs.ts';

const dir = mkdtempSync(join(tmpdir(), 'k8ts-logs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const file = join(dir, '0.log');
writeFileSync(
  file,
  [
    '2026-01-01T00:00:01.000000001Z stdout F one',
    '2026-01-01T00:00:02.000000000Z stderr P tw',
    '2026-01-01T00:00:02.500000000Z stderr F o é',
    'not a log line',
    '2026-01-01T00:00:03.000000000Z stdout F three',
    '2026-01-01T00:00:04.000000000Z stdout P unfinished',
    '',
  ].join('\n'),
);

async function read(options: LogOptions = {}): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await readContainerLog(file, out, options);
  return Buffer.concat(chunks).toString('utf8');
}

test('complete lines only, partial chunks joined, lines not in the format skipped', async () => {
  assert.equal(await read(), 'one\ntwo é\nthree\n');
});

test('tailLines, timestamps, sinceTime and limitBytes', async () => {
  assert.equal(await read({ tailLines: 2 }), 'two é\nthree\n');
  assert.equal(await read({ tailLines: 0 }), '');
  assert.equal(await read({ tailLines: 1, timestamps: true }), '2026-01-01T00:00:03.000000000Z three\n');
  assert.equal(await read({ sinceMs: Date.parse('2026-01-01T00:00:02Z') }), 'two é\nthree\n');
  assert.equal(await read({ limitBytes: 6 }), 'one\ntw');
});

test('follow ends once the container stopped and nothing more was written', async () => {
  let checks = 0;
  assert.equal(await read({ follow: true, pollMs: 5, running: async () => ++checks < 3 }), 'one\ntwo é\nthree\n');
  assert.ok(checks >= 3);
});
