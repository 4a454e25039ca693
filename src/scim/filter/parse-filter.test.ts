import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { AttrPath } from '../attr-path.js';
import { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, MAX_FILTER_TERMS } from '../limits.js';
import { ScimError } from '../scim-error.js';
import type { CompareOp, Filter, FilterLiteral } from './ast.js';
import { parseFilter } from './parse-filter.js';
import { printFilter } from './print-filter.js';

const p = (attr: string, sub?: string, uri?: string): AttrPath => ({
  ...(uri !== undefined ? { uri } : {}),
  attr,
  ...(sub !== undefined ? { sub } : {}),
});
const cmp = (at: number, path: AttrPath, op: CompareOp, value: FilterLiteral): Filter => ({
  kind: 'compare',
  path,
  op,
  value,
  at,
});
const pr = (at: number, path: AttrPath): Filter => ({ kind: 'present', path, at });
const and = (at: number, left: Filter, right: Filter): Filter => ({ kind: 'and', left, right, at });
const or = (at: number, left: Filter, right: Filter): Filter => ({ kind: 'or', left, right, at });
const not = (at: number, filter: Filter): Filter => ({ kind: 'not', filter, at });
const vp = (at: number, path: AttrPath, filter: Filter): Filter => ({ kind: 'valuePath', path, filter, at });

/** The AST without source offsets, for cases where only the structure matters. */
function stripAt(f: Filter): unknown {
  switch (f.kind) {
    case 'compare':
      return { kind: f.kind, path: f.path, op: f.op, value: f.value };
    case 'present':
      return { kind: f.kind, path: f.path };
    case 'and':
    case 'or':
      return { kind: f.kind, left: stripAt(f.left), right: stripAt(f.right) };
    case 'not':
      return { kind: f.kind, filter: stripAt(f.filter) };
    case 'valuePath':
      return { kind: f.kind, path: f.path, filter: stripAt(f.filter) };
  }
}

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const LAST_MODIFIED = '2011-05-13T04:42:34Z';

describe('parseFilter: RFC 7644 §3.4.2.2 examples', () => {
  const cases: [string, Filter][] = [
    ['userName eq "bjensen"', cmp(0, p('userName'), 'eq', 'bjensen')],
    [`name.familyName co "O'Malley"`, cmp(0, p('name', 'familyName'), 'co', "O'Malley")],
    ['userName sw "J"', cmp(0, p('userName'), 'sw', 'J')],
    [`${CORE_USER}:userName sw "J"`, cmp(0, p('userName', undefined, CORE_USER), 'sw', 'J')],
    ['title pr', pr(0, p('title'))],
    [`meta.lastModified gt "${LAST_MODIFIED}"`, cmp(0, p('meta', 'lastModified'), 'gt', LAST_MODIFIED)],
    [`meta.lastModified ge "${LAST_MODIFIED}"`, cmp(0, p('meta', 'lastModified'), 'ge', LAST_MODIFIED)],
    [`meta.lastModified lt "${LAST_MODIFIED}"`, cmp(0, p('meta', 'lastModified'), 'lt', LAST_MODIFIED)],
    [`meta.lastModified le "${LAST_MODIFIED}"`, cmp(0, p('meta', 'lastModified'), 'le', LAST_MODIFIED)],
    ['title pr and userType eq "Employee"', and(0, pr(0, p('title')), cmp(13, p('userType'), 'eq', 'Employee'))],
    ['title pr or userType eq "Intern"', or(0, pr(0, p('title')), cmp(12, p('userType'), 'eq', 'Intern'))],
    [`schemas eq "${ENTERPRISE}"`, cmp(0, p('schemas'), 'eq', ENTERPRISE)],
    [
      'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
      and(
        0,
        cmp(0, p('userType'), 'eq', 'Employee'),
        or(28, cmp(28, p('emails'), 'co', 'example.com'), cmp(55, p('emails', 'value'), 'co', 'example.org')),
      ),
    ],
    [
      'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
      and(
        0,
        cmp(0, p('userType'), 'ne', 'Employee'),
        not(27, or(32, cmp(32, p('emails'), 'co', 'example.com'), cmp(59, p('emails', 'value'), 'co', 'example.org'))),
      ),
    ],
    [
      'userType eq "Employee" and (emails.type eq "work")',
      and(0, cmp(0, p('userType'), 'eq', 'Employee'), cmp(28, p('emails', 'type'), 'eq', 'work')),
    ],
    [
      'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
      and(
        0,
        cmp(0, p('userType'), 'eq', 'Employee'),
        vp(27, p('emails'), and(34, cmp(34, p('type'), 'eq', 'work'), cmp(53, p('value'), 'co', '@example.com'))),
      ),
    ],
    [
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      or(
        0,
        vp(0, p('emails'), and(7, cmp(7, p('type'), 'eq', 'work'), cmp(26, p('value'), 'co', '@example.com'))),
        vp(54, p('ims'), and(58, cmp(58, p('type'), 'eq', 'xmpp'), cmp(77, p('value'), 'co', '@foo.com'))),
      ),
    ],
  ];
  for (const [text, expected] of cases) {
    test(text, () => assert.deepEqual(parseFilter(text), expected));
  }
});

describe('parseFilter: IdP filters', () => {
  const cases: [string, Filter][] = [
    // Entra "Test connection" queries a random value on userName, externalId and Groups.
    [
      'userName eq "7b6b4f24-5bd6-4e2a-9a4d-8c2d0c1e8f0a"',
      cmp(0, p('userName'), 'eq', '7b6b4f24-5bd6-4e2a-9a4d-8c2d0c1e8f0a'),
    ],
    [
      'externalId eq "0a5c3e84-7a1e-4d5e-9b0a-6f4e2a8b9c1d"',
      cmp(0, p('externalId'), 'eq', '0a5c3e84-7a1e-4d5e-9b0a-6f4e2a8b9c1d'),
    ],
    ['displayName eq "Sales Team"', cmp(0, p('displayName'), 'eq', 'Sales Team')],
    [
      'members[value eq "2819c223-7f76-453a-919d-413861904646"]',
      vp(0, p('members'), cmp(8, p('value'), 'eq', '2819c223-7f76-453a-919d-413861904646')),
    ],
    [
      'emails[type eq "work" and primary eq true]',
      vp(0, p('emails'), and(7, cmp(7, p('type'), 'eq', 'work'), cmp(26, p('primary'), 'eq', true))),
    ],
    [
      `${ENTERPRISE}:manager.value eq "26118915-6090-4610-87a4-49d0ca5f5f45"`,
      cmp(0, p('manager', 'value', ENTERPRISE), 'eq', '26118915-6090-4610-87a4-49d0ca5f5f45'),
    ],
    ['members.$ref pr', pr(0, p('members', '$ref'))],
    // The PATCH-path form used as a filter: one element matching both conditions.
    [
      'emails[type eq "work"].value eq "a@x.com"',
      vp(0, p('emails'), and(7, cmp(7, p('type'), 'eq', 'work'), cmp(23, p('value'), 'eq', 'a@x.com'))),
    ],
    [
      'emails[type eq "work"].value pr',
      vp(0, p('emails'), and(7, cmp(7, p('type'), 'eq', 'work'), pr(23, p('value')))),
    ],
  ];
  for (const [text, expected] of cases) {
    test(text, () => assert.deepEqual(parseFilter(text), expected));
  }
});

describe('parseFilter: precedence and grouping', () => {
  const a = { kind: 'compare', path: p('a'), op: 'eq', value: 1 };
  const b = { kind: 'compare', path: p('b'), op: 'eq', value: 2 };
  const c = { kind: 'compare', path: p('c'), op: 'eq', value: 3 };
  const cases: [string, unknown][] = [
    ['a eq 1 or b eq 2 and c eq 3', { kind: 'or', left: a, right: { kind: 'and', left: b, right: c } }],
    ['a eq 1 and b eq 2 or c eq 3', { kind: 'or', left: { kind: 'and', left: a, right: b }, right: c }],
    ['(a eq 1 or b eq 2) and c eq 3', { kind: 'and', left: { kind: 'or', left: a, right: b }, right: c }],
    ['a eq 1 and b eq 2 and c eq 3', { kind: 'and', left: { kind: 'and', left: a, right: b }, right: c }],
    ['a eq 1 or b eq 2 or c eq 3', { kind: 'or', left: { kind: 'or', left: a, right: b }, right: c }],
    ['a eq 1 and (b eq 2 and c eq 3)', { kind: 'and', left: a, right: { kind: 'and', left: b, right: c } }],
    ['not (a eq 1) and b eq 2', { kind: 'and', left: { kind: 'not', filter: a }, right: b }],
    ['((a eq 1))', a],
    ['  a eq 1\t', a],
  ];
  for (const [text, expected] of cases) {
    test(text, () => assert.deepEqual(stripAt(parseFilter(text)), expected));
  }
});

describe('parseFilter: case-insensitive operators and keywords', () => {
  const cases: [string, unknown][] = [
    ['userName EQ "x"', { kind: 'compare', path: p('userName'), op: 'eq', value: 'x' }],
    ['userName Eq "x"', { kind: 'compare', path: p('userName'), op: 'eq', value: 'x' }],
    ['UserName eq "x"', { kind: 'compare', path: p('UserName'), op: 'eq', value: 'x' }],
    ['active Eq TRue', { kind: 'compare', path: p('active'), op: 'eq', value: true }],
    ['active eq False', { kind: 'compare', path: p('active'), op: 'eq', value: false }],
    ['manager eq NULL', { kind: 'compare', path: p('manager'), op: 'eq', value: null }],
    ['title PR', { kind: 'present', path: p('title') }],
    [
      'title pr AND nickName pr Or NOT (x pr)',
      {
        kind: 'or',
        left: {
          kind: 'and',
          left: { kind: 'present', path: p('title') },
          right: { kind: 'present', path: p('nickName') },
        },
        right: { kind: 'not', filter: { kind: 'present', path: p('x') } },
      },
    ],
    [
      'EMAILS[TYPE EQ "work"]',
      { kind: 'valuePath', path: p('EMAILS'), filter: { kind: 'compare', path: p('TYPE'), op: 'eq', value: 'work' } },
    ],
  ];
  for (const [text, expected] of cases) {
    test(text, () => assert.deepEqual(stripAt(parseFilter(text)), expected));
  }
});

describe('parseFilter: literals', () => {
  const cases: [string, FilterLiteral][] = [
    ['x eq "a\\"b"', 'a"b'],
    ['x eq "a\\\\b"', 'a\\b'],
    ['x eq "a\\/b"', 'a/b'],
    ['x eq "\\b\\f\\n\\r\\t"', '\b\f\n\r\t'],
    ['x eq "J\\u00e4ger"', 'Jäger'],
    ['x eq "J\\u00C4GER"', 'JÄGER'],
    ['x eq "\\ud83d\\ude00"', '😀'],
    ['x eq "Jäger 😀"', 'Jäger 😀'],
    ['x eq ""', ''],
    ['x eq 42', 42],
    ['x eq 0', 0],
    ['x eq -1.5e3', -1500],
    ['x eq 2.5E-1', 0.25],
    ['x eq true', true],
    ['x eq null', null],
  ];
  for (const [text, value] of cases) {
    test(text, () => assert.deepEqual(stripAt(parseFilter(text)), { kind: 'compare', path: p('x'), op: 'eq', value }));
  }
});

describe('parseFilter: errors', () => {
  const cases: [string, string, string][] = [
    ['empty', '', 'The filter is empty; write an expression such as userName eq "bjensen"'],
    ['blank', '   ', 'The filter is empty; write an expression such as userName eq "bjensen"'],
    ['unterminated string', 'userName eq "bjensen', `Unterminated string starting at position 13: add the closing '"'`],
    [
      'missing value',
      'userName eq',
      'Expected a value (a "string", a number, true, false or null) after "eq" at position 12, found the end of the filter',
    ],
    [
      'unquoted value',
      'userName eq bjensen',
      'Expected a value (a "string", a number, true, false or null) after "eq" at position 13, found "bjensen"; put strings in double quotes: "bjensen"',
    ],
    [
      'single-quoted value',
      "userName eq 'bjensen'",
      `Unexpected "'" at position 13: string values must be in double quotes, as in userName eq "bjensen"`,
    ],
    [
      'unknown operator',
      'userName equals "x"',
      'Expected a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after "userName" at position 10, found "equals"',
    ],
    [
      'missing operator',
      'userName',
      'Expected a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after "userName" at position 9, found the end of the filter',
    ],
    [
      'trailing garbage',
      'userName eq "x" foo',
      'Expected "and", "or" or the end of the filter at position 17, found "foo"',
    ],
    [
      'dangling and',
      'userName eq "x" and',
      'Expected an attribute name, "(" or "not" at position 20, found the end of the filter',
    ],
    ['unclosed parenthesis', '(userName eq "x"', 'Unbalanced parentheses: missing ")" to close the "(" at position 1'],
    ['extra parenthesis', 'userName eq "x")', 'Unbalanced parentheses: ")" at position 16 has no matching "("'],
    ['empty parentheses', '()', 'Expected an attribute name, "(" or "not" at position 2, found ")"'],
    [
      'not without parentheses',
      'not userName eq "x"',
      'Expected "(" after "not" at position 5, found "userName"; write not (expression)',
    ],
    ['pr with a value', 'title pr "x"', 'The operator "pr" takes no value, found the string "x" at position 10'],
    ['pr with true', 'title pr true', 'The operator "pr" takes no value, found "true" at position 10'],
    [
      'value is an attribute path',
      'a eq b.c',
      'Expected a value (a "string", a number, true, false or null) after "eq" at position 6, found "b.c"; put strings in double quotes: "b.c"',
    ],
    [
      'nested value path',
      'emails[type[value eq "x"] pr]',
      'Value filters cannot be nested: "type[" at position 8 is inside "emails[...]"',
    ],
    [
      'path with sub-attribute inside a value path',
      'emails[value.x eq "a"]',
      'Inside "emails[...]" name a sub-attribute of "emails" on its own (such as "value" or "type"); found "value.x" at position 8',
    ],
    [
      'no sub-attribute name after "]."',
      'emails[type eq "work"]."x" eq "y"',
      'Expected a sub-attribute name after "emails[...]." at position 24, found the string "x"',
    ],
    [
      'NUL escape in a string',
      'userName eq "a\\u0000"',
      'The string at position 15 contains \\u0000 (NUL), which no value can hold',
    ],
    [
      'no operator after "].value"',
      'emails[type eq "work"].value',
      'Expected a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after "value" at position 29, found the end of the filter',
    ],
    [
      'value filter on a sub-attribute',
      'name.givenName[value eq "x"]',
      'A value filter "[...]" follows a multi-valued attribute, not a sub-attribute: "name.givenName[" at position 1',
    ],
    ['unclosed bracket', 'emails[type eq "work"', 'Missing "]" to close "emails[" at position 7'],
    ['stray bracket', 'userName eq "x"]', 'Unbalanced brackets: "]" at position 16 has no matching "["'],
    [
      'bad escape',
      'userName eq "a\\qb"',
      'Invalid escape "\\q" in the string at position 15; allowed are \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX',
    ],
    [
      'short unicode escape',
      'x eq "\\u12"',
      'Invalid escape "\\u12"" in the string at position 7: \\u must be followed by 4 hexadecimal digits',
    ],
    [
      'lone high surrogate',
      'x eq "\\ud83d"',
      'Unpaired UTF-16 surrogate escape in the string at position 7: characters outside the Basic Multilingual Plane are written as a pair such as \\ud83d\\ude00',
    ],
    [
      'lone low surrogate',
      'x eq "\\ude00"',
      'Unpaired UTF-16 surrogate escape in the string at position 7: characters outside the Basic Multilingual Plane are written as a pair such as \\ud83d\\ude00',
    ],
    [
      'raw control character',
      'x eq "a\nb"',
      'Control character U+000A in the string at position 8 must be escaped (for example \\n or \\u0009)',
    ],
    ['leading zero', 'x eq 01', 'Invalid number "01" at position 6: numbers follow JSON, as in 42, -1.5 or 1e3'],
    [
      'number glued to a word',
      'x eq 1abc',
      'Invalid number "1abc" at position 6: numbers follow JSON, as in 42, -1.5 or 1e3',
    ],
    ['unexpected character', 'userName eq "x" & y pr', 'Unexpected character "&" at position 17'],
    [
      'too many sub-attributes',
      'name.givenName.x eq "a"',
      '"name.givenName.x" at position 1 has more than one sub-attribute; a path is attribute or attribute.subAttribute',
    ],
    [
      'URN without attribute',
      `${CORE_USER}: eq "a"`,
      `Expected an attribute name after the schema URN in "${CORE_USER}:" at position 1`,
    ],
    [
      'too long',
      `userName eq "${'x'.repeat(MAX_FILTER_LENGTH)}"`,
      `The filter is ${MAX_FILTER_LENGTH + 14} characters long; the limit is ${MAX_FILTER_LENGTH}`,
    ],
    [
      'too deep',
      `${'('.repeat(MAX_FILTER_DEPTH + 1)}a pr${')'.repeat(MAX_FILTER_DEPTH + 1)}`,
      `The filter nests parentheses or brackets more than ${MAX_FILTER_DEPTH} levels deep at position ${MAX_FILTER_DEPTH + 1}`,
    ],
  ];
  for (const [name, text, detail] of cases) {
    test(name, () => {
      assert.throws(
        () => parseFilter(text),
        (error: unknown) => {
          if (!(error instanceof ScimError)) return false;
          assert.deepEqual(
            { status: error.status, scimType: error.scimType, detail: error.detail },
            { status: 400, scimType: 'invalidFilter', detail },
          );
          return true;
        },
      );
    });
  }

  test('error codes name the kind of failure', () => {
    const codeOf = (text: string): string | undefined => {
      try {
        parseFilter(text);
      } catch (error) {
        return error instanceof ScimError ? error.code : undefined;
      }
      return undefined;
    };
    assert.deepEqual(
      ['', 'x eq "a', 'x eq', 'x'.repeat(MAX_FILTER_LENGTH + 1), `${'('.repeat(100)}a pr${')'.repeat(100)}`].map(
        codeOf,
      ),
      ['filter.empty', 'filter.string', 'filter.syntax', 'filter.tooLong', 'filter.tooDeep'],
    );
  });

  test(`accepts nesting of exactly ${MAX_FILTER_DEPTH} levels`, () => {
    const text = `${'('.repeat(MAX_FILTER_DEPTH - 1)}emails[value pr]${')'.repeat(MAX_FILTER_DEPTH - 1)}`;
    assert.deepEqual(stripAt(parseFilter(text)), {
      kind: 'valuePath',
      path: p('emails'),
      filter: { kind: 'present', path: p('value') },
    });
  });

  test('a long flat chain parses without deep recursion, and past the term cap is a clean 400', () => {
    const chain = (n: number) => Array.from({ length: n }, (_, i) => `a${i} pr`).join(' and ');
    assert.equal(parseFilter(chain(MAX_FILTER_TERMS)).kind, 'and');
    const text = chain(300);
    assert.equal(text.length <= MAX_FILTER_LENGTH, true);
    assert.throws(
      () => parseFilter(text),
      (error: unknown) => error instanceof ScimError && error.scimType === 'invalidFilter',
    );
  });
});

describe('printFilter', () => {
  const cases: [string, string][] = [
    ['userName Eq "bjensen"', 'userName eq "bjensen"'],
    ['a eq 1 or (b eq 2 and c eq 3)', 'a eq 1 or b eq 2 and c eq 3'],
    ['(a eq 1 or b eq 2) and c eq 3', '(a eq 1 or b eq 2) and c eq 3'],
    ['a eq 1 and (b eq 2 and c eq 3)', 'a eq 1 and (b eq 2 and c eq 3)'],
    ['(a eq 1 and b eq 2) and c eq 3', 'a eq 1 and b eq 2 and c eq 3'],
    ['a eq 1 or (b eq 2 or c eq 3)', 'a eq 1 or (b eq 2 or c eq 3)'],
    ['NOT ((a pr))', 'not (a pr)'],
    ['x eq "a\\u0022\\u00e4\\n"', 'x eq "a\\"ä\\n"'],
    ['x eq -0', 'x eq -0'],
    ['x eq 1E3', 'x eq 1000'],
    ['active eq TRUE', 'active eq true'],
    [
      'emails[type eq "work" and (value co "@a" or value co "@b")]',
      'emails[type eq "work" and (value co "@a" or value co "@b")]',
    ],
    [`${ENTERPRISE}:manager.value eq "m"`, `${ENTERPRISE}:manager.value eq "m"`],
  ];
  for (const [text, printed] of cases) {
    test(text, () => assert.equal(printFilter(parseFilter(text)), printed));
  }
});

describe('printFilter ∘ parseFilter round trip (property)', () => {
  const name = fc.oneof(
    fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,7}$/).filter((s) => s.toLowerCase() !== 'not'),
    fc.constant('$ref'),
  );
  const literal: fc.Arbitrary<FilterLiteral> = fc.oneof(
    // U+0000 is refused in filter strings (no stored value can hold it); everything else round-trips.
    fc.string({ unit: 'binary', maxLength: 12 }).map((t) => t.replaceAll('\u0000', '')),
    fc.string({ unit: fc.constantFrom('"', '\\', '/', '\n', '\u0001', 'a', ' ', 'ä'), maxLength: 6 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
  );
  const op = fc.constantFrom<CompareOp>('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le');
  const fullPath: fc.Arbitrary<AttrPath> = fc
    .record({
      uri: fc.option(fc.constantFrom(CORE_USER, ENTERPRISE, 'urn:example:x'), { nil: undefined }),
      attr: name,
      sub: fc.option(name, { nil: undefined }),
    })
    .map(({ uri, attr, sub }) => p(attr, sub, uri));
  const subPath: fc.Arbitrary<AttrPath> = name.map((attr) => p(attr));

  const filterOf = (path: fc.Arbitrary<AttrPath>, valuePaths: boolean): fc.Arbitrary<Filter> =>
    fc.letrec<{ filter: Filter }>((tie) => ({
      filter: fc.oneof(
        { maxDepth: 6, depthSize: 'small' },
        fc.record({ kind: fc.constant('compare' as const), path, op, value: literal, at: fc.constant(0) }),
        fc.record({ kind: fc.constant('present' as const), path, at: fc.constant(0) }),
        fc.record({ kind: fc.constant('and' as const), left: tie('filter'), right: tie('filter'), at: fc.constant(0) }),
        fc.record({ kind: fc.constant('or' as const), left: tie('filter'), right: tie('filter'), at: fc.constant(0) }),
        fc.record({ kind: fc.constant('not' as const), filter: tie('filter'), at: fc.constant(0) }),
        ...(valuePaths
          ? [
              fc.record({
                kind: fc.constant('valuePath' as const),
                path: name.map((attr) => p(attr)),
                filter: filterOf(subPath, false),
                at: fc.constant(0),
              }),
            ]
          : []),
      ),
    })).filter;

  test('parseFilter(printFilter(f)) equals f apart from offsets', () => {
    fc.assert(
      fc.property(filterOf(fullPath, true), (f) => {
        assert.deepEqual(stripAt(parseFilter(printFilter(f))), stripAt(f));
      }),
      { numRuns: 500 },
    );
  });
});
