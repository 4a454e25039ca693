import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AttrPath } from './attr-path.js';
import { type ErrorFactory, parseAttrPath, type Token, tokenize } from './lexer.js';
import { invalidFilter, ScimError } from './scim-error.js';

const fail: ErrorFactory = (detail, code) => invalidFilter(detail, `test.${code}`);

describe('tokenize', () => {
  test('tokens carry 0-based offsets', () => {
    const expected: Token[] = [
      { kind: 'word', text: 'emails', at: 0, end: 6 },
      { kind: '[', at: 6, end: 7 },
      { kind: 'word', text: 'type', at: 7, end: 11 },
      { kind: 'word', text: 'EQ', at: 12, end: 14 },
      { kind: 'string', value: 'w"k', at: 15, end: 21 },
      { kind: ']', at: 21, end: 22 },
      { kind: '.', at: 22, end: 23 },
      { kind: 'word', text: 'value', at: 23, end: 28 },
      { kind: '(', at: 29, end: 30 },
      { kind: 'number', value: -1.5, at: 30, end: 34 },
      { kind: ')', at: 34, end: 35 },
      { kind: 'end', at: 35, end: 35 },
    ];
    assert.deepEqual(tokenize('emails[type EQ "w\\"k"].value (-1.5)', fail), expected);
  });

  test('a URN with version dots is one word', () => {
    const text = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value';
    assert.deepEqual(tokenize(text, fail), [
      { kind: 'word', text, at: 0, end: text.length },
      { kind: 'end', at: text.length, end: text.length },
    ]);
  });

  test('errors carry the factory code', () => {
    assert.throws(
      () => tokenize('"abc', fail),
      (error: unknown) =>
        error instanceof ScimError && error.code === 'test.string' && error.scimType === 'invalidFilter',
    );
  });
});

describe('parseAttrPath', () => {
  const cases: [string, AttrPath][] = [
    ['userName', { attr: 'userName' }],
    ['name.givenName', { attr: 'name', sub: 'givenName' }],
    ['members.$ref', { attr: 'members', sub: '$ref' }],
    ['x-custom_1', { attr: 'x-custom_1' }],
    [
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value',
      { uri: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', attr: 'manager', sub: 'value' },
    ],
    [
      'urn:ietf:params:scim:schemas:core:2.0:User:name.familyName',
      { uri: 'urn:ietf:params:scim:schemas:core:2.0:User', attr: 'name', sub: 'familyName' },
    ],
    // A bare schema URN splits at its last ':' like any other path.
    [
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      { uri: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0', attr: 'User' },
    ],
  ];
  for (const [text, expected] of cases) {
    test(text, () => assert.deepEqual(parseAttrPath(text, fail), expected));
  }

  const errors: [string, string][] = [
    ['', 'Expected an attribute name at position 1, found the end of the text'],
    ['name.', 'Expected a sub-attribute name after "." in "name." at position 1'],
    [
      'name.1x',
      '"1x" in "name.1x" at position 1 is not a valid sub-attribute name (a letter followed by letters, digits, "-" or "_")',
    ],
    [
      'urn:x:2.0',
      '"2" in "urn:x:2.0" at position 1 is not a valid attribute name (a letter followed by letters, digits, "-" or "_")',
    ],
    ['a b', 'Expected only an attribute name, found "b" at position 3'],
  ];
  for (const [text, detail] of errors) {
    test(`error: ${JSON.stringify(text)}`, () => {
      assert.throws(
        () => parseAttrPath(text, fail),
        (error: unknown) => error instanceof ScimError && error.detail === detail,
      );
    });
  }
});
