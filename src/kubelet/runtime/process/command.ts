// How a container's command becomes a host process: mount paths translated to host paths, the environment
// built from the container config alone, and command[0] looked up on the container's PATH the way runc does
// (with runc's error messages), falling back to a busybox applet when the host lacks the program.

import { execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Mount } from '../runtime.ts';
import type { Busybox } from './busybox.ts';

/** What a container or exec runs: the executable, its arguments (without argv[0]) and argv[0]. */
export interface ResolvedCommand {
  file: string;
  args: string[];
  argv0: string;
}

/** A command that cannot be started; its message is what runc reports. */
export class StartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartError';
  }
}

/** The PATH of a container whose config and image give none (containerd's default for images). */
export const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Characters that may stand before a path inside a value (`--config=/etc/x`, `PATH=/a:/b`, `cat /etc/x`)
// and after its end; a mount path glued to other text (`http://host/etc`) is left alone.
const before = `\\s'"=:;,(\`|&<>`;
const after = `/\\s'"=:;,)\`|&<>`;

/**
 * Rewrites mount paths inside a string to their host paths. A mount's containerPath is replaced where it
 * stands as a path of its own: the whole value, the start of the value followed by '/', or a path token
 * inside a value (a shell script given to `sh -c`, `--flag=/path`, a ':'-list). The longest containerPath wins.
 */
export function mountTranslator(mounts: Mount[]): (value: string) => string {
  const byPath = new Map<string, string>();
  for (const m of mounts) {
    const containerPath = m.containerPath.replace(/\/+$/, '');
    if (containerPath.startsWith('/') && containerPath.length > 1) byPath.set(containerPath, m.hostPath.replace(/\/+$/, '') || '/');
  }
  if (byPath.size === 0) return (value) => value;
  const alternatives = [...byPath.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|');
  const pattern = new RegExp(`(^|[${before}])(${alternatives})(?=$|[${after}])`, 'g');
  return (value) => value.replace(pattern, (_all, lead: string, path: string) => lead + byPath.get(path)!);
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Go's exec.LookPath: a name with '/' is taken as is; otherwise the first executable file on `pathEnv`. */
export function lookPath(name: string, pathEnv: string): string | undefined {
  if (name.includes('/')) return isExecutableFile(name) ? name : undefined;
  for (const dir of pathEnv.split(':')) {
    const candidate = join(dir || '.', name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

const binDirs = new Set(['/bin', '/sbin', '/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin']);

/**
 * Resolves argv[0] against `pathEnv` (relative to `cwd` when it holds a '/'). A program the host lacks runs
 * as a busybox applet of the same name when `busybox` offers one (also for `/bin/<applet>`-style paths).
 */
export function resolveCommand(argv: string[], pathEnv: string, cwd: string, busybox?: Busybox): ResolvedCommand {
  if (argv.length === 0 || argv[0] === '') throw new StartError('no command specified');
  const [name, ...args] = argv;
  const path = name.includes('/') && !name.startsWith('/') ? join(cwd, name) : name;
  const found = lookPath(path, pathEnv);
  if (found) return { file: found, args, argv0: name };
  const applet = basename(name);
  if (busybox && (!name.includes('/') || binDirs.has(dirname(name))) && busybox.has(applet)) {
    return { file: busybox.path, args: [applet, ...args], argv0: applet };
  }
  if (!name.includes('/')) throw new StartError(`exec: ${JSON.stringify(name)}: executable file not found in $PATH`);
  try {
    statSync(path);
  } catch {
    throw new StartError(`exec: ${JSON.stringify(name)}: stat ${name}: no such file or directory`);
  }
  throw new StartError(`exec: ${JSON.stringify(name)}: permission denied`);
}

/** Quotes one word for a POSIX shell. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The environment of a container process: the config's variables (mount paths translated; a later
 * duplicate wins), then each default whose name the config does not set, then `pathPrefix` put first on PATH.
 */
export function buildEnv(
  envs: { key: string; value: string }[],
  defaults: Record<string, string>,
  translate: (value: string) => string,
  pathPrefix?: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { key, value } of envs) env[key] = translate(value);
  for (const [key, value] of Object.entries(defaults)) if (!(key in env)) env[key] = value;
  if (pathPrefix) env.PATH = env.PATH ? `${pathPrefix}:${env.PATH}` : pathPrefix;
  return env;
}

/**
 * GNU tar arguments that store translated paths under their container names again
 * (`kubectl cp` from a pod runs `tar cf - /path` and expects entries named after /path).
 */
export function tarNameTransforms(mounts: Mount[]): string[] {
  return mounts
    .filter((m) => m.containerPath.length > 1 && m.hostPath.length > 1)
    .sort((a, b) => b.hostPath.length - a.hostPath.length)
    .map((m) => `--transform=s|^${m.hostPath.replace(/^\/+|\/+$/g, '')}|${m.containerPath.replace(/^\/+|\/+$/g, '')}|`);
}

let gnuTarPath: string | null | undefined;

/** The host's GNU tar, if it has one (busybox tar cannot rename entries). */
export function gnuTar(): string | undefined {
  if (gnuTarPath === undefined) {
    gnuTarPath = null;
    for (const candidate of ['/usr/bin/tar', '/bin/tar']) {
      try {
        if (execFileSync(candidate, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes('GNU tar')) {
          gnuTarPath = candidate;
          break;
        }
      } catch {
        // not there
      }
    }
  }
  return gnuTarPath ?? undefined;
}
