// PatchError is what every patch algorithm here throws when a patch cannot be applied (or a diff
// cannot be made): a malformed patch, a path that is not there, a failed `test`, a bad directive.
// Messages follow the Go libraries the real apiserver uses (evanphx/json-patch v4 and
// apimachinery's strategicpatch), including Go's `%v` rendering of values, so clients see the
// same text. The API server decides the HTTP status; nothing here knows about it.

export class PatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatchError';
  }
}

/** A JSON value as Go's fmt `%v` prints the decoded form: `map[a:1 b:[x y]]`, `<nil>`. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(formatValue).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${k}:${formatValue((value as Record<string, unknown>)[k])}`);
    return `map[${entries.join(' ')}]`;
  }
  if (typeof value === 'number') return formatNumber(value);
  return String(value);
}

/** Go's %v of a float64: shortest form, exponent from 1e21 up and below 1e-4. */
function formatNumber(n: number): string {
  const abs = Math.abs(n);
  if (abs !== 0 && (abs >= 1e21 || abs < 1e-4)) {
    const [mantissa, exponent] = n.toExponential().split('e');
    const sign = exponent!.startsWith('-') ? '-' : '+';
    const digits = exponent!.replace(/^[+-]/, '').padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  return String(n);
}

/** Go's name for the JSON kind of a value, as its json decoder reports type mismatches. */
export function goTypeName(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return '[]interface {}';
  switch (typeof value) {
    case 'object':
      return 'map[string]interface {}';
    case 'string':
      return 'string';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    default:
      return typeof value;
  }
}

/** The word Go's json decoder uses for a JSON value it cannot put into a Go type. */
export function jsonKindWord(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}
