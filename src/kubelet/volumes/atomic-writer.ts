// Projects a set of files into a volume directory so that a reader sees either the whole old set
// or the whole new one, never a mix (upstream's AtomicWriter). The files live in a hidden
// timestamped directory `..2006_01_02_15_04_05.xxxxxx`; `..data` is a symlink to it, and each
// top-level name is a symlink `name -> ..data/name`. An update writes a new timestamped directory,
// points `..data_tmp` at it and renames that over `..data` (rename is atomic), then adds new
// top-level links, drops ones no longer in the payload and deletes the old directory. Nothing is
// written when content and modes are unchanged. Names starting with `..` are reserved.
// Callers serialize writes to one directory.

import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, rename, rm, symlink, unlink, chmod, writeFile } from 'node:fs/promises';
import { basename, isAbsolute, join, posix } from 'node:path';

export interface FileProjection {
  data: Buffer;
  /** Permission bits, e.g. 0o644. */
  mode: number;
}

const dataDirName = '..data';
const newDataDirName = '..data_tmp';
const maxFileNameLength = 255;
const maxPathLength = 4096;

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

/** Why a payload path is refused (upstream's messages), or undefined when it is fine. */
export function validatePath(target: string): string | undefined {
  if (target === '') return 'invalid path: must not be empty: ""';
  if (isAbsolute(target)) return `invalid path: must be relative path: ${target}`;
  if (target.length > maxPathLength) return `invalid path: must be less than or equal to ${maxPathLength} characters`;
  const items = target.split('/');
  for (const item of items) {
    if (item === '..') return `invalid path: must not contain '..': ${target}`;
    if (item.length > maxFileNameLength) return `invalid path: filenames must be less than or equal to ${maxFileNameLength} characters`;
  }
  if (items[0]!.startsWith('..') && items[0]!.length > 2) return `invalid path: must not start with '..': ${target}`;
  return undefined;
}

// Go's filepath.Clean for a relative path.
function clean(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

function timestampPrefix(now: number): string {
  const d = new Date(now);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `..${d.getUTCFullYear()}_${two(d.getUTCMonth() + 1)}_${two(d.getUTCDate())}_${two(d.getUTCHours())}_${two(d.getUTCMinutes())}_${two(d.getUTCSeconds())}.`;
}

async function walk(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    out.push(rel);
    if (entry.isDirectory()) out.push(...(await walk(join(dir, entry.name), rel)));
  }
  return out;
}

async function fileDiffers(path: string, want: FileProjection): Promise<boolean> {
  try {
    const st = await lstat(path);
    if (!st.isFile() || (st.mode & 0o7777) !== (want.mode & 0o7777)) return true;
    return !(await readFile(path)).equals(want.data);
  } catch (err) {
    if (isNotFound(err)) return true;
    throw err;
  }
}

/**
 * Makes `targetDir` (which must exist) show exactly `payload` (relative path → content and mode).
 * Resolves to whether anything changed on disk.
 */
export async function writeAtomically(targetDir: string, payload: ReadonlyMap<string, FileProjection>, now: number): Promise<boolean> {
  const files = new Map<string, FileProjection>();
  for (const [path, file] of payload) {
    const problem = validatePath(path);
    if (problem) throw new Error(problem);
    files.set(clean(path), file);
  }

  const dataDir = join(targetDir, dataDirName);
  let oldTsDir = '';
  try {
    oldTsDir = await readlink(dataDir);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }

  let toRemove: string[] = [];
  if (oldTsDir) {
    const oldTsPath = join(targetDir, oldTsDir);
    const keep = new Set<string>();
    for (const path of files.keys()) {
      for (let p = path; p !== '' && p !== '.'; p = posix.dirname(p)) keep.add(p);
    }
    let current: string[] = [];
    try {
      current = await walk(oldTsPath);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    toRemove = current.filter((p) => !keep.has(p));
    let changed = toRemove.length > 0;
    for (const [path, file] of files) {
      if (changed) break;
      changed = await fileDiffers(join(oldTsPath, path), file);
    }
    if (!changed) return false;
  }

  const tsDir = await mkdtemp(join(targetDir, timestampPrefix(now)));
  const tsDirName = basename(tsDir);
  const newDataDir = join(targetDir, newDataDirName);
  try {
    await chmod(tsDir, 0o755);
    for (const [path, file] of files) {
      const full = join(tsDir, path);
      await mkdir(posix.dirname(full), { recursive: true, mode: 0o755 });
      await writeFile(full, file.data, { mode: file.mode });
      // writeFile's mode is masked by the umask; the payload's mode is what the reader must see.
      await chmod(full, file.mode);
    }
    await rm(newDataDir, { force: true });
    await symlink(tsDirName, newDataDir);
    await rename(newDataDir, dataDir);
  } catch (err) {
    await rm(newDataDir, { force: true });
    await rm(tsDir, { recursive: true, force: true });
    throw err;
  }

  for (const path of files.keys()) {
    const top = path.split('/')[0]!;
    try {
      await lstat(join(targetDir, top));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await symlink(join(dataDirName, top), join(targetDir, top));
    }
  }
  for (const path of toRemove) {
    if (path.includes('/')) continue;
    try {
      await unlink(join(targetDir, path));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  if (oldTsDir) await rm(join(targetDir, oldTsDir), { recursive: true, force: true });
  return true;
}
