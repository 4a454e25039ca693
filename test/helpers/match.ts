/**
 * Subset matching of an expected JSON shape against an actual value, as test/fixtures/README.md
 * defines it. Returns the list of mismatches (empty when it matches), each with its path.
 */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function mismatches(expected: unknown, actual: unknown, path = '$'): string[] {
  if (expected === '$any') return actual === undefined ? [`${path}: expected a value, found none`] : [];
  if (expected === '$string')
    return typeof actual === 'string' ? [] : [`${path}: expected a string, got ${show(actual)}`];
  if (expected === '$datetime') {
    return typeof actual === 'string' && RFC3339.test(actual) && !Number.isNaN(Date.parse(actual))
      ? []
      : [`${path}: expected an RFC 3339 date-time, got ${show(actual)}`];
  }
  if (isObject(expected) && Array.isArray(expected.$contains)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array, got ${show(actual)}`];
    return expected.$contains.flatMap((want, i) =>
      actual.some((have) => mismatches(want, have).length === 0)
        ? []
        : [`${path}: no element matches $contains[${i}] ${show(want)}; got ${show(actual)}`],
    );
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array, got ${show(actual)}`];
    if (actual.length !== expected.length) {
      return [`${path}: expected ${expected.length} elements, got ${actual.length}: ${show(actual)}`];
    }
    return expected.flatMap((want, i) => mismatches(want, actual[i], `${path}[${i}]`));
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return [`${path}: expected an object, got ${show(actual)}`];
    return Object.entries(expected).flatMap(([key, want]) => {
      if (want === '$absent') return key in actual ? [`${path}.${key}: expected absent, got ${show(actual[key])}`] : [];
      return mismatches(want, actual[key], `${path}.${key}`);
    });
  }
  return Object.is(expected, actual) ? [] : [`${path}: expected ${show(expected)}, got ${show(actual)}`];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? 'nothing' : text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
