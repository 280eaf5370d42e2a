// Seeded pseudo-random JSON for the property tests of the patch algorithms: the same seed gives
// the same values on every run, so a failure names a seed that reproduces it.

export type Random = () => number;

/** mulberry32: a small, fast, seedable generator of floats in [0, 1). */
export function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function int(random: Random, below: number): number {
  return Math.floor(random() * below);
}

export function pick<T>(random: Random, choices: readonly T[]): T {
  return choices[int(random, choices.length)]!;
}

/** Distinct elements of choices, in random order. */
export function sample<T>(random: Random, choices: readonly T[], count: number): T[] {
  const pool = [...choices];
  const out: T[] = [];
  while (out.length < count && pool.length > 0) out.push(pool.splice(int(random, pool.length), 1)[0]!);
  return out;
}

const keys = ['a', 'b', 'c', 'd', 'e', 'name', 'value', 'x-y', 'a/b', '~t'] as const;
const strings = ['', 'x', 'y', 'hello', '1', 'true'] as const;

export interface Options {
  /** Allow null as an array element (never as an object member). */
  nullInArrays?: boolean;
}

/** A random JSON value of bounded depth whose objects never hold null members. */
export function value(random: Random, depth: number, options: Options = {}): unknown {
  const roll = int(random, depth > 0 ? 9 : 5);
  switch (roll) {
    case 0:
      return pick(random, strings);
    case 1:
      return int(random, 5) - 1;
    case 2:
      return random() < 0.5;
    case 3:
      return int(random, 100) / 8;
    case 4:
      return pick(random, strings);
    case 5:
    case 6:
      return object(random, depth - 1, options);
    default: {
      const length = int(random, 4);
      return Array.from({ length }, () => (options.nullInArrays && random() < 0.1 ? null : value(random, depth - 1, options)));
    }
  }
}

export function object(random: Random, depth: number, options: Options = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of sample(random, keys, int(random, 5))) out[key] = value(random, depth, options);
  return out;
}

/** A random change of a value: members added, removed, changed, arrays rewritten. */
export function mutate(random: Random, input: unknown, depth: number, options: Options = {}): unknown {
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(input)) {
      const roll = random();
      if (roll < 0.15) continue;
      out[key] = roll < 0.5 ? mutate(random, v, depth - 1, options) : v;
    }
    if (random() < 0.3) out[pick(random, keys)] = value(random, depth, options);
    return out;
  }
  return random() < 0.5 ? input : value(random, depth, options);
}
