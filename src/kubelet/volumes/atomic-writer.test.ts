// The atomic writer's on-disk layout, modes, no-op rewrites, updates and reader consistency.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { lstat, readFile, readdir, readlink, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { validatePath, writeAtomically, type FileProjection } from './atomic-writer.ts';

const root = mkdtempSync(join(tmpdir(), 'k8ts-atomic-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => mkdtempSync(join(root, `t${n++}-`));
const now = Date.UTC(2025, 4, 6, 7, 8, 9);

function files(entries: Record<string, string | [string, number]>): Map<string, FileProjection> {
  return new Map(
    Object.entries(entries).map(([path, v]) => {
      const [text, mode] = Array.isArray(v) ? v : [v, 0o644];
      return [path, { data: Buffer.from(text), mode }];
    }),
  );
}

async function hidden(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((e) => e.startsWith('..')).sort();
}

describe('writeAtomically', () => {
  it('lays files out upstream style: a timestamped dir, ..data pointing at it, top-level links into ..data', async () => {
    const dir = freshDir();
    assert.equal(await writeAtomically(dir, files({ 'app.conf': 'x=1', 'nested/deep/file': 'deep' }), now), true);
    const ts = await readlink(join(dir, '..data'));
    assert.match(ts, /^\.\.2025_05_06_07_08_09\.[A-Za-z0-9]{6}$/);
    assert.deepEqual(await hidden(dir), [ts, '..data'].sort());
    assert.equal(await readlink(join(dir, 'app.conf')), '..data/app.conf');
    assert.equal(await readlink(join(dir, 'nested')), '..data/nested');
    assert.equal(await readFile(join(dir, 'nested/deep/file'), 'utf8'), 'deep');
    assert.equal((await stat(join(dir, ts))).mode & 0o777, 0o755);
  });

  it('sets each file mode exactly, whatever the umask', async () => {
    const dir = freshDir();
    const old = process.umask(0o077);
    try {
      await writeAtomically(dir, files({ ro: ['r', 0o400], shared: ['s', 0o664], exec: ['e', 0o755] }), now);
    } finally {
      process.umask(old);
    }
    assert.equal((await stat(join(dir, 'ro'))).mode & 0o7777, 0o400);
    assert.equal((await stat(join(dir, 'shared'))).mode & 0o7777, 0o664);
    assert.equal((await stat(join(dir, 'exec'))).mode & 0o7777, 0o755);
  });

  it('writes nothing when content and modes are unchanged', async () => {
    const dir = freshDir();
    await writeAtomically(dir, files({ a: '1' }), now);
    const ts = await readlink(join(dir, '..data'));
    assert.equal(await writeAtomically(dir, files({ a: '1' }), now + 1000), false);
    assert.equal(await readlink(join(dir, '..data')), ts);
    assert.equal(await writeAtomically(dir, files({ a: ['1', 0o600] }), now + 2000), true, 'a mode change is a change');
  });

  it('an update swaps ..data, removes the old timestamped dir and the links of dropped keys', async () => {
    const dir = freshDir();
    await writeAtomically(dir, files({ keep: 'v1', drop: 'gone soon', 'sub/x': 'x' }), now);
    const before = await readlink(join(dir, '..data'));
    await writeAtomically(dir, files({ keep: 'v2', added: 'new', 'sub/y': 'y' }), now + 60_000);
    const afterTs = await readlink(join(dir, '..data'));
    assert.notEqual(afterTs, before);
    assert.deepEqual(await hidden(dir), [afterTs, '..data'].sort());
    assert.deepEqual((await readdir(dir)).filter((e) => !e.startsWith('..')).sort(), ['added', 'keep', 'sub']);
    assert.equal(await readFile(join(dir, 'keep'), 'utf8'), 'v2');
    assert.deepEqual(await readdir(join(dir, 'sub')), ['y']);
    await assert.rejects(lstat(join(dir, 'drop')), { code: 'ENOENT' });
  });

  it('an empty payload leaves an empty volume', async () => {
    const dir = freshDir();
    await writeAtomically(dir, files({ a: '1' }), now);
    await writeAtomically(dir, files({}), now + 1);
    assert.deepEqual((await readdir(dir)).filter((e) => !e.startsWith('..')), []);
    assert.deepEqual(await readdir(join(dir, '..data')), []);
  });

  it('a reader never sees a half-written set', async () => {
    const dir = freshDir();
    const version = (v: number): Map<string, FileProjection> => files({ a: `v${v}`, 'b/c': `v${v}`, d: `v${v}`.repeat(5000) });
    await writeAtomically(dir, version(0), now);
    let done = false;
    let snapshots = 0;
    const reader = (async () => {
      while (!done) {
        const ts = await readlink(join(dir, '..data'));
        try {
          const [a, c, d] = await Promise.all(['a', 'b/c', 'd'].map((p) => readFile(join(dir, ts, p), 'utf8')));
          assert.equal(c, a);
          assert.equal(d, a!.repeat(5000));
          snapshots++;
        } catch (err) {
          // The writer may delete the directory we resolved after a newer one took its place.
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
        // What containers read, the visible names, always resolves to a complete version.
        const visible = await readFile(join(dir, 'a'), 'utf8');
        assert.match(visible, /^v\d+$/);
      }
    })();
    for (let v = 1; v <= 40; v++) await writeAtomically(dir, version(v), now + v * 1000);
    done = true;
    await reader;
    assert.ok(snapshots > 0);
    assert.equal(await readFile(join(dir, 'b/c'), 'utf8'), 'v40');
    assert.equal((await hidden(dir)).length, 2, 'only ..data and the current timestamped dir remain');
  });

  it('refuses unsafe paths with upstream messages and changes nothing', async () => {
    const dir = freshDir();
    await writeAtomically(dir, files({ a: '1' }), now);
    const ts = await readlink(join(dir, '..data'));
    for (const [path, message] of [
      ['/etc/passwd', 'invalid path: must be relative path: /etc/passwd'],
      ['../escape', "invalid path: must not contain '..': ../escape"],
      ['a/../../escape', "invalid path: must not contain '..': a/../../escape"],
      ['..data', "invalid path: must not start with '..': ..data"],
      ['', 'invalid path: must not be empty: ""'],
      ['x'.repeat(256), 'invalid path: filenames must be less than or equal to 255 characters'],
    ]) {
      assert.equal(validatePath(path!), message);
      await assert.rejects(writeAtomically(dir, files({ [path!]: 'bad' }), now + 1), { message });
    }
    assert.equal(await readlink(join(dir, '..data')), ts);
    assert.equal(validatePath('..'), "invalid path: must not contain '..': ..");
    assert.equal(validatePath('..ok/..'), "invalid path: must not contain '..': ..ok/..");
    assert.equal(validatePath('dir/..hidden'), undefined, 'only the first element is reserved');
  });
});
