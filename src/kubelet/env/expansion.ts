// `$(VAR)` references, exactly as upstream's forked expansion package resolves them in env values,
// command, args and subPathExpr: `$$` is an escaped `$`, a reference to an unknown name and an
// unterminated `$(` stay as written, and any other `$x` is kept verbatim.

import type { EnvEntry } from './types.ts';

/** Looks a name up; returns the replacement text. */
export type Mapping = (name: string) => string;

/** Resolves names from the first map that has them; unknown names stay as `$(name)`. */
export function mappingFuncFor(...contexts: ReadonlyMap<string, string>[]): Mapping {
  return (name) => {
    for (const vars of contexts) {
      const value = vars.get(name);
      if (value !== undefined) return value;
    }
    return `$(${name})`;
  };
}

export function expand(input: string, mapping: Mapping): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const { read, isVar, advance } = tryReadVariableName(input, cursor + 1);
    out += isVar ? mapping(read) : read;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

// Reads what follows a `$` at `start`: a `(name)` reference, an escaped `$`, or anything else.
function tryReadVariableName(input: string, start: number): { read: string; isVar: boolean; advance: number } {
  const cp = input.codePointAt(start)!;
  if (cp === 0x24) return { read: '$', isVar: false, advance: 1 };
  if (cp === 0x28) {
    const close = input.indexOf(')', start + 1);
    if (close >= 0) return { read: input.slice(start + 1, close), isVar: true, advance: close - start + 1 };
    return { read: '$(', isVar: false, advance: 1 };
  }
  const ch = String.fromCodePoint(cp);
  return { read: '$' + ch, isVar: false, advance: ch.length };
}

function envMap(env: readonly EnvEntry[]): Map<string, string> {
  return new Map(env.map((e) => [e.key, e.value]));
}

/** The container's command and args with `$(VAR)` references to its environment expanded. */
export function expandCommand(
  command: readonly string[] | undefined,
  args: readonly string[] | undefined,
  env: readonly EnvEntry[],
): { command: string[]; args: string[] } {
  const mapping = mappingFuncFor(envMap(env));
  return { command: (command ?? []).map((c) => expand(c, mapping)), args: (args ?? []).map((a) => expand(a, mapping)) };
}

/**
 * A volumeMount's subPathExpr expanded with the container's environment. Unlike command and args,
 * a reference to a variable that is unset or empty is an error (`missing value for A, B`).
 */
export function expandSubPathExpr(expr: string, env: readonly EnvEntry[]): string {
  const vars = envMap(env);
  const missing = new Set<string>();
  const expanded = expand(expr, (name) => {
    const value = vars.get(name) ?? '';
    if (value === '') missing.add(name);
    return value;
  });
  if (missing.size > 0) throw new Error(`missing value for ${[...missing].sort().join(', ')}`);
  return expanded;
}
