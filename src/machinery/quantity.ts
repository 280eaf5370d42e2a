// resource.Quantity (k8s.io/apimachinery/pkg/api/resource) without floating point: the value
// is held exactly as a bigint count of nano-units (parsing rounds up to 1n, as upstream does),
// with the format the input used (DecimalSI, BinarySI, DecimalExponent). toString gives
// upstream's canonical form, including keeping the input verbatim where upstream keeps it.

export type QuantityFormat = 'DecimalExponent' | 'BinarySI' | 'DecimalSI';

const splitREString = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
export const errFormatWrong = `quantities must match the regular expression '${splitREString}'`;
export const errNumeric = 'unable to parse numeric part of quantity';
export const errSuffix = "unable to parse quantity's suffix";

const NANO = 1_000_000_000n;
const maxInt64 = 2n ** 63n - 1n;
const maxInt32 = 2 ** 31 - 1;
// Guard against inputs like "1e999999": upstream would try to expand them; nothing real is this big.
const maxDecimalDigits = 1000;

const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimalSuffixByExponent = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binarySuffixByPower = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

const abs = (n: bigint): bigint => (n < 0n ? -n : n);
const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** n / d for positive d, rounded away from zero. */
function divAway(n: bigint, d: bigint): bigint {
  const q = n / d;
  if (n % d === 0n) return q;
  return n < 0n ? q - 1n : q + 1n;
}

function canonical(nanos: bigint, format: QuantityFormat): string {
  if (nanos === 0n) return '0';
  const sign = nanos < 0n ? '-' : '';
  let a = abs(nanos);
  let fmt = format;
  if (fmt === 'BinarySI') {
    // Small or fractional values would need rounding in base 1024: show them in decimal.
    if (a < 1024n * NANO || a % NANO !== 0n) {
      fmt = 'DecimalSI';
    } else {
      let amount = a / NANO;
      let power = 0;
      while (amount >= 1024n && amount % 1024n === 0n) {
        amount /= 1024n;
        power++;
      }
      // Past Ei there is no binary suffix; fall back to decimal rather than lose the magnitude.
      if (power < binarySuffixByPower.length) return `${sign}${amount}${binarySuffixByPower[power]}`;
      fmt = 'DecimalSI';
    }
  }
  let exponent = -9;
  while (a % 10n === 0n) {
    a /= 10n;
    exponent++;
  }
  const r = ((exponent % 3) + 3) % 3;
  a *= 10n ** BigInt(r);
  exponent -= r;
  let suffix: string;
  if (fmt === 'DecimalSI') suffix = decimalSuffixByExponent.get(exponent) ?? `e${exponent}`;
  else suffix = exponent === 0 ? '' : `e${exponent}`;
  return `${sign}${a}${suffix}`;
}

export class Quantity {
  /** The exact value in units of 10^-9. */
  readonly nanos: bigint;
  readonly format: QuantityFormat;
  // The input string, kept when upstream keeps it (ParseQuantity's fast path), else computed.
  #s: string | undefined;

  constructor(nanos: bigint, format: QuantityFormat = 'DecimalSI', s?: string) {
    this.nanos = nanos;
    this.format = format;
    this.#s = s;
  }

  isZero(): boolean {
    return this.nanos === 0n;
  }

  sign(): -1 | 0 | 1 {
    return this.nanos < 0n ? -1 : this.nanos > 0n ? 1 : 0;
  }

  /** -1, 0 or 1 as this is less than, equal to or greater than y. */
  cmp(y: Quantity): -1 | 0 | 1 {
    return this.nanos < y.nanos ? -1 : this.nanos > y.nanos ? 1 : 0;
  }

  equals(y: Quantity): boolean {
    return this.nanos === y.nanos;
  }

  /** this + y; a zero takes y's format, as upstream's Add does. */
  add(y: Quantity): Quantity {
    return new Quantity(this.nanos + y.nanos, this.isZero() ? y.format : this.format);
  }

  /** this - y; a zero takes y's format, as upstream's Sub does. */
  sub(y: Quantity): Quantity {
    return new Quantity(this.nanos - y.nanos, this.isZero() ? y.format : this.format);
  }

  neg(): Quantity {
    return new Quantity(-this.nanos, this.format);
  }

  /** The value rounded up (away from zero) to an integer, as Value(). Exact below 2^53. */
  value(): number {
    return Number(divAway(this.nanos, NANO));
  }

  /** ceil(value * 1000) (away from zero), as MilliValue(); what CPU accounting uses. */
  milliValue(): number {
    return Number(divAway(this.nanos, 1_000_000n));
  }

  /** The value in units of 10^scale, rounded away from zero, as a bigint (ScaledValue). */
  scaledValue(scale: number): bigint {
    const shift = scale + 9;
    return shift >= 0 ? divAway(this.nanos, pow10(shift)) : this.nanos * pow10(-shift);
  }

  toString(): string {
    this.#s ??= canonical(this.nanos, this.format);
    return this.#s;
  }

  /** Quantities serialize as strings. */
  toJSON(): string {
    return this.toString();
  }
}

/** A quantity of `value` units (NewQuantity). */
export function newQuantity(value: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
  return new Quantity(BigInt(value) * NANO, format);
}

/** A quantity of `milli` thousandths (NewMilliQuantity), e.g. 250 → "250m". */
export function newMilliQuantity(milli: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
  return new Quantity(BigInt(milli) * 1_000_000n, format);
}

interface Scanned {
  positive: boolean;
  value: string;
  num: string;
  denom: string;
  suffix: string;
}

// parseQuantityString: sign, number (leading zeros stripped), fraction, then a suffix of
// suffix letters, an optional sign and digits. The suffix is checked later.
function scan(str: string): Scanned {
  const out: Scanned = { positive: true, value: '', num: '', denom: '', suffix: '' };
  const end = str.length;
  const isDigit = (i: number): boolean => str[i]! >= '0' && str[i]! <= '9';
  let pos = 0;
  if (pos < end && (str[0] === '-' || str[0] === '+')) {
    out.positive = str[0] !== '-';
    pos++;
  }
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) {
    out.num = '0';
    out.value = '0';
    return out;
  }
  let i = pos;
  while (i < end && isDigit(i)) i++;
  out.num = str.slice(pos, i);
  if (i >= end) {
    out.value = str;
    return out;
  }
  pos = i;
  if (out.num === '') out.num = '0';
  if (str[pos] === '.') {
    pos++;
    i = pos;
    while (i < end && isDigit(i)) i++;
    out.denom = str.slice(pos, i);
    if (i >= end) {
      out.value = str;
      return out;
    }
    pos = i;
  }
  out.value = str.slice(0, pos);
  const suffixStart = pos;
  while (pos < end && 'eEinumkKMGTP'.includes(str[pos]!)) pos++;
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  while (pos < end && isDigit(pos)) pos++;
  if (pos < end) throw new Error(errFormatWrong);
  out.suffix = str.slice(suffixStart);
  return out;
}

function interpret(suffix: string): { base: 10 | 2; exponent: number; format: QuantityFormat } {
  if (Object.hasOwn(decimalSuffixes, suffix)) return { base: 10, exponent: decimalSuffixes[suffix]!, format: 'DecimalSI' };
  if (Object.hasOwn(binarySuffixes, suffix)) return { base: 2, exponent: binarySuffixes[suffix]!, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?[0-9]+$/.test(suffix.slice(1))) {
    const exponent = Number(suffix.slice(1));
    // exponents past int32 are rejected rather than truncated to an unrelated value
    if (Math.abs(exponent) <= maxInt32) return { base: 10, exponent, format: 'DecimalExponent' };
  }
  throw new Error(errSuffix);
}

function fitsInt64Product(a: bigint, b: bigint): boolean {
  return a * b <= maxInt64;
}

/**
 * Parses a quantity ("100m", "1.5Gi", "1e3", "0.5"). A number is read as its JSON text would
 * be. Throws an Error with upstream's message when the input is not a quantity.
 */
export function parseQuantity(input: string | number): Quantity {
  if (typeof input === 'number' && !Number.isFinite(input)) throw new Error(errFormatWrong);
  const str = typeof input === 'number' ? String(input) : input;
  if (str.length === 0) throw new Error(errFormatWrong);
  if (str === '0') return new Quantity(0n, 'DecimalSI', str);

  const { positive, value, num, denom, suffix } = scan(str);
  const { base, exponent, format: parsedFormat } = interpret(suffix);
  let format = parsedFormat;
  const digits = BigInt(num + denom);
  const signed = (n: bigint): bigint => (positive ? n : -n);
  if (base === 10 && digits !== 0n && num.length + exponent > maxDecimalDigits) throw new Error(errNumeric);

  // Upstream's int64 fast path: when it applies, a canonical-looking input string is kept as is.
  if (base === 10) {
    const scale = exponent - denom.length;
    if (num.length + denom.length <= 18 && scale >= -9) {
      const shifted = num + denom;
      const keep = scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
      return new Quantity(signed(digits * pow10(scale + 9)), format, keep ? str : undefined);
    }
  } else if (denom.length === 0) {
    const precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
    const mantissa = 1n << BigInt(exponent);
    if (precision >= 0 && fitsInt64Product(digits, mantissa)) {
      const keep = exponent % 10 === 0 && (digits & 7n) !== 0n;
      return new Quantity(signed(digits * mantissa * NANO), format, keep ? str : undefined);
    }
  }

  // The general path: exact decimal arithmetic, rounded up to a whole nano-unit.
  if (!/[0-9]/.test(value)) throw new Error(errNumeric);
  let nanos: bigint;
  if (digits === 0n) {
    nanos = 0n;
  } else if (base === 10) {
    const shift = exponent - denom.length + 9;
    if (shift >= 0) {
      nanos = digits * pow10(shift);
    } else {
      // Anything below one nano-unit rounds up to it.
      nanos = -shift > num.length + denom.length + 1 ? 1n : divAway(digits, pow10(-shift));
    }
  } else {
    nanos = divAway(digits * (1n << BigInt(exponent)) * NANO, pow10(denom.length));
    if (nanos > maxInt64 * NANO) nanos = maxInt64 * NANO;
  }
  if (format === 'BinarySI' && nanos > 0n && nanos < NANO) format = 'DecimalSI';
  return new Quantity(signed(nanos), format);
}
