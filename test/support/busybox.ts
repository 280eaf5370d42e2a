// Whether busybox is on this machine: the process runtime runs every pod's image through it.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export function hasBusybox(): boolean {
  try {
    execFileSync('busybox', ['true'], { stdio: 'ignore' });
    return true;
  } catch {
    return existsSync('/bin/busybox');
  }
}

/** Why tests of the process runtime cannot run here, or false when they can (under CI they always run). */
export function busyboxSkipReason(): string | false {
  return !hasBusybox() && !process.env.CI ? 'busybox is not installed (apt-get install busybox-static)' : false;
}
