// Just enough of resource.Quantity for the kinds' own rules (QoS classes, requests <= limits,
// non-negative values): a quantity parsed exactly into nano-units, and comparisons of those.
// Canonical formatting of quantities belongs to the API machinery, not here.

const suffixes: Record<string, bigint> = {
  n: 1n,
  u: 1_000n,
  m: 1_000_000n,
  '': 1_000_000_000n,
  k: 1_000_000_000_000n,
  M: 10n ** 15n,
  G: 10n ** 18n,
  T: 10n ** 21n,
  P: 10n ** 24n,
  E: 10n ** 27n,
  Ki: 1024n * 10n ** 9n,
  Mi: 1024n ** 2n * 10n ** 9n,
  Gi: 1024n ** 3n * 10n ** 9n,
  Ti: 1024n ** 4n * 10n ** 9n,
  Pi: 1024n ** 5n * 10n ** 9n,
  Ei: 1024n ** 6n * 10n ** 9n,
};

const pattern = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;

/** A quantity ("100m", "1Gi", "2e3", or a JSON number) in nano-units, rounded up; undefined if malformed. */
export function parseQuantity(value: unknown): bigint | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  if (text === undefined) return undefined;
  const m = pattern.exec(text);
  if (!m) return undefined;
  const [, sign, number, exponent, suffix] = m;
  const [whole, fraction = ''] = number.split('.');
  let mantissa = BigInt((whole || '0') + fraction);
  let scale = BigInt(10) ** BigInt(fraction.length);
  let multiplier = suffixes[suffix ?? ''];
  if (exponent) {
    const e = Number(exponent.slice(1));
    if (e >= 0) multiplier *= 10n ** BigInt(e);
    else scale *= 10n ** BigInt(-e);
  }
  mantissa *= multiplier;
  // Round away from zero to the nearest nano-unit, as resource.Quantity rounds up.
  let nanos = mantissa / scale;
  if (mantissa % scale !== 0n) nanos += 1n;
  return sign === '-' ? -nanos : nanos;
}

export function isQuantity(value: unknown): boolean {
  return parseQuantity(value) !== undefined;
}

/** -1, 0 or 1 (undefined quantities count as zero). */
export function compareQuantities(a: unknown, b: unknown): number {
  const x = parseQuantity(a) ?? 0n;
  const y = parseQuantity(b) ?? 0n;
  return x < y ? -1 : x > y ? 1 : 0;
}
