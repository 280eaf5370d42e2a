// hostPath volumes: the host's own file or directory, checked against the volume's `type` with
// upstream's rules and messages (DirectoryOrCreate and FileOrCreate create what is missing; the
// others only check; "" checks nothing). The kubelet never writes into or deletes a hostPath.

import { mkdir, open, stat } from 'node:fs/promises';
import { exists } from './mounts.ts';

// A failed system call as Go's *PathError prints it: `open /x/y: no such file or directory`.
function pathError(err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  if (!e.syscall || !e.path) return err as Error;
  const m = /^[A-Z]+: ([^,]+)/.exec(e.message);
  return new Error(`${e.syscall} ${e.path}: ${m ? m[1] : e.message}`, { cause: err });
}

// hostutil.GetFileType: what the path is, following symlinks.
async function fileType(path: string): Promise<string> {
  const st = await stat(path);
  if (st.isSocket()) return 'Socket';
  if (st.isCharacterDevice()) return 'CharDevice';
  if (st.isBlockDevice()) return 'BlockDevice';
  if (st.isFile()) return 'File';
  if (st.isDirectory()) return 'Directory';
  throw new Error('only recognise file, directory, socket, block device and character device');
}

async function typeMatchedOrError(path: string, expected: string, description: string): Promise<void> {
  if (!(await exists(path))) throw new Error(`hostPath ${path} doesn't exist`);
  let actual: string;
  try {
    actual = await fileType(path);
  } catch (err) {
    throw new Error(`hostPath type check failed, ${path} is not a ${description}, unable to determine its type: ${(err as Error).message}`);
  }
  if (actual !== expected) throw new Error(`hostPath type check failed: ${path} is not a ${description}, it's a ${actual}`);
}

async function makeFile(path: string): Promise<void> {
  // O_CREAT without O_EXCL: an existing file (or directory) is left alone, like upstream.
  const handle = await open(path, 'a', 0o644).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EISDIR') return undefined;
    throw pathError(err);
  });
  await handle?.close();
}

/** Checks (and for the *OrCreate types creates) a hostPath volume's path. Throws with upstream's message. */
export async function checkHostPath(path: string, type: string | undefined): Promise<void> {
  if (path.split('/').includes('..')) throw new Error(`invalid HostPath \`${path}\`: must not contain '..'`);
  switch (type ?? '') {
    case '':
      return;
    case 'DirectoryOrCreate':
      if (!(await exists(path))) {
        await mkdir(path, { recursive: true, mode: 0o755 }).catch((err: unknown) => {
          throw pathError(err);
        });
        return;
      }
      return typeMatchedOrError(path, 'Directory', 'directory');
    case 'Directory':
      return typeMatchedOrError(path, 'Directory', 'directory');
    case 'FileOrCreate':
      if (!(await exists(path))) {
        await makeFile(path);
        return;
      }
      return typeMatchedOrError(path, 'File', 'file');
    case 'File':
      return typeMatchedOrError(path, 'File', 'file');
    case 'Socket':
      return typeMatchedOrError(path, 'Socket', 'socket file');
    case 'CharDevice':
      return typeMatchedOrError(path, 'CharDevice', 'character device');
    case 'BlockDevice':
      return typeMatchedOrError(path, 'BlockDevice', 'block device');
    default:
      throw new Error(`${type} is an invalid volume type`);
  }
}
