// A busybox binary standing in for the busybox image: its applets (`busybox --list`) become a directory of
// symlinks that is put first on the PATH of busybox-image containers, so `sh`, `httpd`, `nc`, `wget` behave
// as in the image. The directory is made once per runtime root and reused.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { lookPath } from './command.ts';

export class Busybox {
  readonly path: string;
  #rootDir: string;
  #applets: Set<string> | undefined;
  #appletDir: string | undefined;

  constructor(path: string, rootDir: string) {
    this.path = path;
    this.#rootDir = rootDir;
  }

  /** The applet names this binary offers (empty when it cannot list them). */
  get applets(): ReadonlySet<string> {
    if (!this.#applets) {
      try {
        const out = execFileSync(this.path, ['--list'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
        this.#applets = new Set(out.split('\n').map((l) => l.trim()).filter((l) => l && !l.includes('/')));
      } catch {
        this.#applets = new Set();
      }
    }
    return this.#applets;
  }

  has(applet: string): boolean {
    return this.applets.has(applet);
  }

  /** The directory of applet symlinks, created on first use. */
  appletDir(): string {
    if (this.#appletDir) return this.#appletDir;
    const dir = join(this.#rootDir, 'busybox', 'bin');
    if (!existsSync(dir)) {
      const tmp = `${dir}.${process.pid}.tmp`;
      rmSync(tmp, { recursive: true, force: true });
      mkdirSync(tmp, { recursive: true });
      for (const applet of this.applets) symlinkSync(this.path, join(tmp, applet));
      try {
        renameSync(tmp, dir);
      } catch (err) {
        // Another runtime on the same root made it first; theirs is as good as ours.
        rmSync(tmp, { recursive: true, force: true });
        if (!existsSync(dir)) throw err;
      }
    }
    this.#appletDir = dir;
    return dir;
  }
}

/** The busybox to use: the given path if it exists, else `busybox` on the host PATH, else /bin/busybox. */
export function findBusybox(rootDir: string, path?: string, hostPath = process.env.PATH ?? ''): Busybox | undefined {
  const found = path !== undefined ? (existsSync(path) ? path : undefined) : (lookPath('busybox', hostPath) ?? (existsSync('/bin/busybox') ? '/bin/busybox' : undefined));
  return found ? new Busybox(found, rootDir) : undefined;
}
