// hostPath type checks against real files, directories, a socket and /dev/null.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkHostPath } from './host-path.ts';

const root = mkdtempSync(join(tmpdir(), 'k8ts-hostpath-'));
const dir = join(root, 'dir');
const file = join(root, 'file');
const socket = join(root, 'sock');
let server: Server;

before(async () => {
  mkdirSync(dir);
  writeFileSync(file, 'host data');
  server = createServer();
  await new Promise<void>((resolve) => server.listen(socket, resolve));
});
after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(root, { recursive: true, force: true });
});

describe('checkHostPath', () => {
  it('accepts what matches each type', async () => {
    await checkHostPath(dir, 'Directory');
    await checkHostPath(dir, 'DirectoryOrCreate');
    await checkHostPath(file, 'File');
    await checkHostPath(file, 'FileOrCreate');
    await checkHostPath(socket, 'Socket');
    await checkHostPath('/dev/null', 'CharDevice');
  });

  it('checks nothing for the empty type, even a missing path', async () => {
    await checkHostPath(join(root, 'missing'), '');
    await checkHostPath(join(root, 'missing'), undefined);
  });

  it('creates what the *OrCreate types miss, and leaves existing content alone', async () => {
    const newDir = join(root, 'made/by/kubelet');
    await checkHostPath(newDir, 'DirectoryOrCreate');
    assert.equal(statSync(newDir).mode & 0o777, 0o755 & ~process.umask());
    const newFile = join(root, 'made/file');
    await checkHostPath(newFile, 'FileOrCreate');
    assert.equal(statSync(newFile).size, 0);
    await checkHostPath(file, 'FileOrCreate');
    assert.equal(statSync(file).size, 'host data'.length);
  });

  it('FileOrCreate does not create missing parent directories', async () => {
    const path = join(root, 'no-parent/file');
    await assert.rejects(checkHostPath(path, 'FileOrCreate'), { message: `open ${path}: no such file or directory` });
    assert.equal(existsSync(join(root, 'no-parent')), false);
  });

  it('reports mismatches with upstream messages', async () => {
    const missing = join(root, 'missing');
    const cases: [string, string, string][] = [
      [file, 'Directory', `hostPath type check failed: ${file} is not a directory, it's a File`],
      [file, 'DirectoryOrCreate', `hostPath type check failed: ${file} is not a directory, it's a File`],
      [dir, 'File', `hostPath type check failed: ${dir} is not a file, it's a Directory`],
      [dir, 'FileOrCreate', `hostPath type check failed: ${dir} is not a file, it's a Directory`],
      [file, 'Socket', `hostPath type check failed: ${file} is not a socket file, it's a File`],
      ['/dev/null', 'BlockDevice', `hostPath type check failed: /dev/null is not a block device, it's a CharDevice`],
      [dir, 'CharDevice', `hostPath type check failed: ${dir} is not a character device, it's a Directory`],
      [missing, 'Directory', `hostPath ${missing} doesn't exist`],
      [missing, 'File', `hostPath ${missing} doesn't exist`],
      [missing, 'Socket', `hostPath ${missing} doesn't exist`],
      [dir, 'Bogus', 'Bogus is an invalid volume type'],
      [`${root}/../etc`, '', `invalid HostPath \`${root}/../etc\`: must not contain '..'`],
    ];
    for (const [path, type, message] of cases) await assert.rejects(checkHostPath(path, type), { message }, `${type} ${path}`);
  });
});
