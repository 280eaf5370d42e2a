// A container's volumeMounts turned into the runtime's mounts (upstream's makeMounts): the volume's
// host path, or a subPath inside it. A subPath (or an expanded subPathExpr) must be relative and
// free of `..`; a missing one is created as a directory, and the path it resolves to (symlinks
// followed) must stay inside the volume, so a container cannot point a subPath at the host's files.
// Resolving at mount time means a subPath of a configMap or secret volume keeps the content it had
// then, as upstream's bind mount does. Every failure is a ContainerConfigError.

import { lstat, mkdir, realpath, stat, chmod } from 'node:fs/promises';
import { isAbsolute, join, sep } from 'node:path';
import { goQuote } from '../../machinery/validation.ts';
import { ContainerConfigError } from '../env/errors.ts';
import { expandSubPathExpr } from '../env/expansion.ts';
import type { Container, EnvEntry } from '../env/types.ts';
import type { Mount } from '../runtime/runtime.ts';
import type { PodVolume } from './types.ts';

function within(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

// Creates the missing directories of subPath below root one by one, checking that every existing
// component resolves inside root, so a symlink planted in the volume cannot make us create
// directories elsewhere (SafeMakeDir).
async function safeMakeDir(root: string, subPath: string, mode: number): Promise<void> {
  let current = root;
  for (const part of subPath.split('/')) {
    if (part === '' || part === '.') continue;
    const next = join(current, part);
    try {
      await lstat(next);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await mkdir(next, { mode });
      await chmod(next, mode);
      current = next;
      continue;
    }
    const real = await realpath(next);
    if (!within(root, real)) throw new Error(`${next} resolves outside the volume`);
    if (!(await stat(real)).isDirectory()) throw new Error(`${next} is not a directory`);
    current = real;
  }
}

/** Whether something is at `path` (following links). */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The mounts of one container, given the pod's set-up volumes and the container's environment. */
export async function makeMounts(container: Container, volumes: ReadonlyMap<string, PodVolume>, env: readonly EnvEntry[]): Promise<Mount[]> {
  const mounts: Mount[] = [];
  for (const vm of container.volumeMounts ?? []) {
    const volume = volumes.get(vm.name);
    if (!volume) throw new ContainerConfigError(`cannot find volume ${goQuote(vm.name)} to mount into container ${goQuote(container.name)}`);

    let subPath = vm.subPath ?? '';
    if (vm.subPathExpr) {
      try {
        subPath = expandSubPathExpr(vm.subPathExpr, env);
      } catch (err) {
        throw new ContainerConfigError((err as Error).message);
      }
    }
    let hostPath = volume.hostPath;
    if (subPath !== '') {
      if (isAbsolute(subPath)) throw new ContainerConfigError(`error SubPath \`${subPath}\` must not be an absolute path`);
      if (subPath.split('/').includes('..')) throw new ContainerConfigError(`unable to provision SubPath \`${subPath}\`: must not contain '..'`);
      const where = `volumeMount ${goQuote(vm.name)} of container ${goQuote(container.name)}`;
      let root: string;
      try {
        root = await realpath(volume.hostPath);
      } catch (err) {
        throw new ContainerConfigError(`failed to prepare subPath for ${where}`, { cause: err });
      }
      const target = join(volume.hostPath, subPath);
      if (!(await exists(target))) {
        try {
          await safeMakeDir(root, subPath, (await stat(root)).mode & 0o7777);
        } catch (err) {
          // Upstream keeps host filesystem details out of the container's status.
          throw new ContainerConfigError(`failed to create subPath directory for ${where}`, { cause: err });
        }
      }
      try {
        hostPath = await realpath(target);
      } catch (err) {
        throw new ContainerConfigError(`failed to prepare subPath for ${where}`, { cause: err });
      }
      if (!within(root, hostPath)) throw new ContainerConfigError(`failed to prepare subPath for ${where}`);
    }
    const containerPath = vm.mountPath.startsWith('/') ? vm.mountPath : '/' + vm.mountPath;
    mounts.push({ containerPath, hostPath, readonly: vm.readOnly === true || volume.readOnly });
  }
  return mounts;
}
