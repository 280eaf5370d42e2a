// The pod cgroup directories runc leaves behind. With the cgroupfs driver runc creates a sandbox's
// cgroup parent (e.g. /kubepods/besteffort/pod<uid>) in every cgroup hierarchy and removes only the
// container cgroups inside it, so after RemovePodSandbox the kubelet removes the rest, as upstream's
// pod container manager does.
//
// Guarantees: only empty directories are removed (rmdir), never a cgroup still in use; a parent
// directory is removed only when this tracker saw it missing before a sandbox was run (it created it);
// the pod's own directory (the cgroup parent itself) is removed when this tracker created it, or when it
// is named pod<uid> for the sandbox's pod (a sandbox adopted from an earlier kubelet).

import { existsSync, readFileSync, rmdirSync } from 'node:fs';
import { join, posix } from 'node:path';

/** Mount points of the cgroup (v1) and cgroup2 hierarchies of this machine, from /proc/self/mountinfo. */
export function cgroupMounts(mountinfo: string = readMountinfo()): string[] {
  const out = new Set<string>();
  for (const line of mountinfo.split('\n')) {
    const [before, after] = line.split(' - ');
    if (!after) continue;
    const fsType = after.split(' ')[0];
    if (fsType !== 'cgroup' && fsType !== 'cgroup2') continue;
    const mountPoint = before.split(' ')[4];
    if (mountPoint) out.add(mountPoint.replace(/\\040/g, ' '));
  }
  return [...out];
}

function readMountinfo(): string {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return '';
  }
}

/** `/a/b/c` → [`/a`, `/a/b`, `/a/b/c`]. */
export function cgroupPathChain(cgroupParent: string): string[] {
  const parts = posix.normalize(`/${cgroupParent}`).split('/').filter(Boolean);
  return parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`);
}

export class CgroupParents {
  readonly #mounts: string[];
  /** Paths under each mount (mount + cgroup path) that this tracker saw missing before a sandbox ran. */
  readonly #created = new Set<string>();

  constructor(mounts: string[] = cgroupMounts()) {
    this.#mounts = mounts;
  }

  /** Call before RunPodSandbox: notes which directories of the chain runc is about to create. */
  prepare(cgroupParent: string): void {
    for (const mount of this.#mounts) {
      for (const path of cgroupPathChain(cgroupParent)) {
        const dir = join(mount, path);
        if (!existsSync(dir)) this.#created.add(dir);
      }
    }
  }

  /** Whether the chain's last directory is ours and still exists in some hierarchy (not empty yet). */
  busy(cgroupParent: string, podUID: string): boolean {
    const leaf = cgroupPathChain(cgroupParent).at(-1);
    if (leaf === undefined) return false;
    return this.#mounts.some((mount) => {
      const dir = join(mount, leaf);
      return this.#owns(dir, leaf, podUID) && existsSync(dir);
    });
  }

  #owns(dir: string, path: string, podUID: string, leaf = path): boolean {
    return this.#created.has(dir) || (path === leaf && posix.basename(path) === `pod${podUID}`);
  }

  /**
   * Call after RemovePodSandbox (or a failed RunPodSandbox): removes the empty directories of the chain
   * that are ours, deepest first. Returns the directories removed.
   */
  cleanup(cgroupParent: string, podUID: string): string[] {
    const removed: string[] = [];
    const chain = cgroupPathChain(cgroupParent);
    const leaf = chain.at(-1);
    for (const mount of this.#mounts) {
      for (const path of [...chain].reverse()) {
        const dir = join(mount, path);
        if (!this.#owns(dir, path, podUID, leaf)) continue;
        try {
          rmdirSync(dir);
          this.#created.delete(dir);
          removed.push(dir);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') {
            this.#created.delete(dir);
            continue;
          }
          // Still in use (EBUSY, ENOTEMPTY) or not ours to remove: so are its parents.
          break;
        }
      }
    }
    return removed;
  }
}
