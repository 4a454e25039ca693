import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AttrPath } from '../attr-path.js';
import type { CompareOp, Filter, FilterLiteral } from '../filter/ast.js';
import { ScimError } from '../scim-error.js';
import { parsePath } from './parse-path.js';
import type { PatchPath } from './path-ast.js';

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
const and = (at: number, left: Filter, right: Filter): Filter => ({ kind: 'and', left, right, at });

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const MEMBER = '2819c223-7f76-453a-919d-413861904646';

describe('parsePath: RFC 7644 §3.5.2 examples', () => {
  const cases: [string, PatchPath][] = [
    ['members', { attr: p('members') }],
    ['name.familyName', { attr: p('name', 'familyName') }],
    ['addresses[type eq "work"]', { attr: p('addresses'), filter: cmp(10, p('type'), 'eq', 'work') }],
    [`members[value eq "${MEMBER}"]`, { attr: p('members'), filter: cmp(8, p('value'), 'eq', MEMBER) }],
    [
      `members[value eq "${MEMBER}"].displayName`,
      { attr: p('members'), filter: cmp(8, p('value'), 'eq', MEMBER), subAttr: 'displayName' },
    ],
    [
      'emails[type eq "work" and value ew "example.com"]',
      {
        attr: p('emails'),
        filter: and(7, cmp(7, p('type'), 'eq', 'work'), cmp(26, p('value'), 'ew', 'example.com')),
      },
    ],
    [
      'addresses[type eq "work"].streetAddress',
      { attr: p('addresses'), filter: cmp(10, p('type'), 'eq', 'work'), subAttr: 'streetAddress' },
    ],
    [`${ENTERPRISE}:employeeNumber`, { attr: p('employeeNumber', undefined, ENTERPRISE) }],
    [`${ENTERPRISE}:manager.value`, { attr: p('manager', 'value', ENTERPRISE) }],
    [`${CORE_USER}:name.familyName`, { attr: p('name', 'familyName', CORE_USER) }],
  ];
  for (const [text, expected] of cases) {
    test(text, () => assert.deepEqual(parsePath(text), expected));
  }
});

describe('parsePath: IdP paths', () => {
  const cases: [string, PatchPath][] = [
    // Entra user mappings (both dialects).
    ['emails[type eq "work"].value', { attr: p('emails'), filter: cmp(7, p('type'), 'eq', 'work'), subAttr: 'value' }],
    ['name.givenName', { attr: p('name', 'givenName') }],
    ['active', { attr: p('active') }],
    ['externalId', { attr: p('externalId') }],
    [`${ENTERPRISE}:manager`, { attr: p('manager', undefined, ENTERPRISE) }],
    [
      'addresses[type eq "work"].formatted',
      { attr: p('addresses'), filter: cmp(10, p('type'), 'eq', 'work'), subAttr: 'formatted' },
    ],
    // Entra RFC dialect removes one member by value filter; Okta and OneLogin do the same.
    [
      'members[value eq "7b6b4f24-5bd6-4e2a-9a4d-8c2d0c1e8f0a"]',
      { attr: p('members'), filter: cmp(8, p('value'), 'eq', '7b6b4f24-5bd6-4e2a-9a4d-8c2d0c1e8f0a') },
    ],
    // Case-insensitive names and operators, surrounding blanks.
    [
      ' Emails[Type EQ "work"].Value ',
      { attr: p('Emails'), filter: cmp(8, p('Type'), 'eq', 'work'), subAttr: 'Value' },
    ],
    ['members.$ref', { attr: p('members', '$ref') }],
    // A bare schema URN: the caller compares `uri:attr` with its schema ids.
    [ENTERPRISE, { attr: p('User', undefined, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0') }],
    [
      'emails[not (type eq "work")]',
      { attr: p('emails'), filter: { kind: 'not', filter: cmp(12, p('type'), 'eq', 'work'), at: 7 } },
    ],
  ];
  for (const [text, expected] of cases) {
    test(text, () => assert.deepEqual(parsePath(text), expected));
  }
});

describe('parsePath: errors', () => {
  const cases: [string, string, string][] = [
    ['empty', '', 'The path is empty; omit "path" or name an attribute such as name.givenName'],
    ['blank', '  ', 'The path is empty; omit "path" or name an attribute such as name.givenName'],
    ['starts with a bracket', '[type eq "x"]', 'Expected an attribute name at position 1, found "["'],
    ['unclosed bracket', 'emails[type eq "work"', 'Missing "]" to close "emails[" at position 7'],
    [
      'empty sub-attribute after bracket',
      'emails[type eq "work"].',
      'Expected a sub-attribute name after "]." at position 24, found the end of the path',
    ],
    [
      'dotted sub-attribute after bracket',
      'emails[type eq "work"].value.x',
      'Expected a sub-attribute name after "]." at position 24, found "value.x"',
    ],
    ['trailing text', 'emails[type eq "work"] x', 'Unexpected "x" at position 24 after the end of the path'],
    ['trailing text after attribute', 'name.givenName eq', 'Unexpected "eq" at position 16 after the end of the path'],
    [
      'too many sub-attributes',
      'name.givenName.x',
      '"name.givenName.x" at position 1 has more than one sub-attribute; a path is attribute or attribute.subAttribute',
    ],
    [
      'value filter on a sub-attribute',
      'name.givenName[type eq "x"]',
      'A value filter "[...]" follows a multi-valued attribute, not a sub-attribute: "name.givenName[" at position 1',
    ],
    [
      'unquoted value in the filter',
      'emails[type eq work]',
      'Expected a value (a "string", a number, true, false or null) after "eq" at position 16, found "work"; put strings in double quotes: "work"',
    ],
    [
      'nested value filter',
      'emails[emails[type eq "x"] pr]',
      'Value filters cannot be nested: "emails[" at position 8 is inside "emails[...]"',
    ],
    [
      'prefixed name inside the filter',
      'emails[emails.type eq "work"]',
      'Inside "emails[...]" name a sub-attribute of "emails" on its own (such as "value" or "type"); found "emails.type" at position 8',
    ],
    ['empty filter', 'emails[]', 'Expected a sub-attribute name, "(" or "not" at position 8, found "]"'],
    [
      'URN without attribute',
      `${CORE_USER}:`,
      `Expected an attribute name after the schema URN in "${CORE_USER}:" at position 1`,
    ],
    ['invalid attribute name', '_name', 'Unexpected character "_" at position 1'],
    ['unterminated string', 'emails[value eq "a]', `Unterminated string starting at position 17: add the closing '"'`],
    ['too long', 'a'.repeat(4097), 'The path is 4097 characters long; the limit is 4096'],
  ];
  for (const [name, text, detail] of cases) {
    test(name, () => {
      assert.throws(
        () => parsePath(text),
        (error: unknown) => {
          if (!(error instanceof ScimError)) return false;
          assert.deepEqual(
            { status: error.status, scimType: error.scimType, detail: error.detail },
            { status: 400, scimType: 'invalidPath', detail },
          );
          return true;
        },
      );
    });
  }
});
