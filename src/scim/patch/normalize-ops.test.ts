import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ScimError } from '../scim-error.js';
import { normalizeOps, PATCH_OP_SCHEMA_ID } from './normalize-ops.js';

const envelope = (...operations: unknown[]) => ({ schemas: [PATCH_OP_SCHEMA_ID], Operations: operations });

describe('normalizeOps: accepted bodies', () => {
  const cases: { name: string; body: unknown; expected: unknown }[] = [
    {
      name: 'RFC 7644 §3.5.2.1 add members',
      body: envelope({
        op: 'add',
        path: 'members',
        value: [{ display: 'Babs Jensen', $ref: 'https://example.com/v2/Users/2819c223', value: '2819c223' }],
      }),
      expected: [
        {
          op: 'add',
          path: { attr: { attr: 'members' } },
          pathText: 'members',
          value: [{ display: 'Babs Jensen', $ref: 'https://example.com/v2/Users/2819c223', value: '2819c223' }],
          where: 'Operations[0]',
        },
      ],
    },
    {
      name: 'RFC 7644 §3.5.2.2 remove with a value filter',
      body: envelope({ op: 'remove', path: 'members[value eq "2819c223-7f76-453a-919d-413861904646"]' }),
      expected: [
        {
          op: 'remove',
          path: {
            attr: { attr: 'members' },
            filter: {
              kind: 'compare',
              path: { attr: 'value' },
              op: 'eq',
              value: '2819c223-7f76-453a-919d-413861904646',
              at: 8,
            },
          },
          pathText: 'members[value eq "2819c223-7f76-453a-919d-413861904646"]',
          where: 'Operations[0]',
        },
      ],
    },
    {
      name: 'Entra legacy: capitalised op, boolean as a string (read later, by the schema)',
      body: envelope({ op: 'Replace', path: 'active', value: 'False' }),
      expected: [
        {
          op: 'replace',
          path: { attr: { attr: 'active' } },
          pathText: 'active',
          value: 'False',
          where: 'Operations[0]',
        },
      ],
    },
    {
      name: 'Entra RFC dialect: path-less replace, keys kept raw',
      body: envelope({ op: 'replace', value: { active: false, 'name.givenName': 'Jo' } }),
      expected: [{ op: 'replace', value: { active: false, 'name.givenName': 'Jo' }, where: 'Operations[0]' }],
    },
    {
      name: '"operations" and "OP" in any case; missing schemas tolerated; empty or null path is no path',
      body: {
        operations: [
          { OP: 'ADD', path: '', value: { title: 'x' } },
          { Op: 'remove', path: 'title', value: null },
          { op: 'add', path: null, value: {} },
        ],
      },
      expected: [
        { op: 'add', value: { title: 'x' }, where: 'Operations[0]' },
        { op: 'remove', path: { attr: { attr: 'title' } }, pathText: 'title', value: null, where: 'Operations[1]' },
        { op: 'add', value: {}, where: 'Operations[2]' },
      ],
    },
    {
      name: 'schemas compared ignoring case',
      body: { schemas: [PATCH_OP_SCHEMA_ID.toUpperCase()], Operations: [{ op: 'remove', path: 'title' }] },
      expected: [{ op: 'remove', path: { attr: { attr: 'title' } }, pathText: 'title', where: 'Operations[0]' }],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(normalizeOps(c.body), c.expected);
    });
  }
});

describe('normalizeOps: refused bodies', () => {
  const cases: { name: string; body: unknown; scimType: string; detail: string }[] = [
    {
      name: 'not an object',
      body: [],
      scimType: 'invalidSyntax',
      detail: 'The PATCH body must be a JSON object with "schemas" and "Operations", got an array',
    },
    {
      name: 'wrong schemas',
      body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], Operations: [{ op: 'remove', path: 'title' }] },
      scimType: 'invalidSyntax',
      detail: `"schemas" of a PATCH body must be ["${PATCH_OP_SCHEMA_ID}"]`,
    },
    {
      name: 'missing Operations',
      body: { schemas: [PATCH_OP_SCHEMA_ID] },
      scimType: 'invalidSyntax',
      detail:
        'The PATCH body has no "Operations"; send an array of operations such as {"op": "replace", "path": "active", "value": false}',
    },
    {
      name: 'empty Operations',
      body: envelope(),
      scimType: 'invalidSyntax',
      detail: '"Operations" must be a non-empty array of operations, got an empty array',
    },
    {
      name: 'Operations not an array',
      body: { Operations: { op: 'add' } },
      scimType: 'invalidSyntax',
      detail: '"Operations" must be a non-empty array of operations, got an object',
    },
    {
      name: 'bad op name',
      body: envelope({ op: 'update', path: 'active', value: false }),
      scimType: 'invalidSyntax',
      detail: 'Operations[0]: "op" must be "add", "remove" or "replace", got the string "update"',
    },
    {
      name: 'missing op',
      body: envelope({ op: 'remove', path: 'title' }, { path: 'active', value: false }),
      scimType: 'invalidSyntax',
      detail: 'Operations[1]: "op" must be "add", "remove" or "replace", got nothing',
    },
    {
      name: 'operation not an object',
      body: envelope('remove'),
      scimType: 'invalidSyntax',
      detail: 'Operations[0] must be an object with "op", "path" and "value", got the string "remove"',
    },
    {
      name: 'add without value',
      body: envelope({ op: 'add', path: 'title' }),
      scimType: 'invalidSyntax',
      detail: 'Operations[0]: "add" needs a "value" (RFC 7644 §3.5.2)',
    },
    {
      name: 'path not a string',
      body: envelope({ op: 'remove', path: ['title'] }),
      scimType: 'invalidPath',
      detail: 'Operations[0]: "path" must be a string such as "name.givenName", got an array',
    },
    {
      name: 'unparsable path',
      body: envelope({ op: 'remove', path: 'emails[type eq "work"' }),
      scimType: 'invalidPath',
      detail: 'Operations[0]: Missing "]" to close "emails[" at position 7',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.throws(
        () => normalizeOps(c.body),
        (error: unknown) => {
          assert.ok(error instanceof ScimError);
          assert.deepEqual(
            { status: error.status, scimType: error.scimType, detail: error.detail },
            { status: 400, scimType: c.scimType, detail: c.detail },
          );
          return true;
        },
      );
    });
  }
});
