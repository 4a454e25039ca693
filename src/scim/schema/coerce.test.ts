import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ScimError } from '../scim-error.js';
import { attr } from './attribute.js';
import { coerceAttributeValue, coerceValue, type Issue, parseResource } from './coerce.js';
import { ENTERPRISE_USER_SCHEMA_ID } from './enterprise-user-schema.js';
import { MICROSOFT_GROUP_SCHEMA_ID } from './group-schema.js';
import { groupResourceType, userResourceType } from './resource-types.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = ENTERPRISE_USER_SCHEMA_ID;

function expectScimError(fn: () => unknown, expected: { status: number; scimType?: string; detail: string }): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ScimError, `expected a ScimError, got ${String(error)}`);
    assert.deepEqual(
      { status: error.status, scimType: error.scimType, detail: error.detail },
      { status: expected.status, scimType: expected.scimType, detail: expected.detail },
    );
    return true;
  });
}

describe('parseResource: accepted bodies', () => {
  const cases: { name: string; type?: typeof userResourceType; body: unknown; expected: unknown }[] = [
    {
      name: 'RFC 7643 §8.1 minimal user: id and meta are readOnly and ignored',
      body: {
        schemas: [USER],
        id: '2819c223-7f76-453a-919d-413861904646',
        userName: 'bjensen@example.com',
        meta: {
          resourceType: 'User',
          created: '2010-01-23T04:56:22Z',
          lastModified: '2011-05-13T04:42:34Z',
          version: 'W/"3694e05e9dff590"',
          location: 'https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646',
        },
      },
      expected: { userName: 'bjensen@example.com' },
    },
    {
      name: 'RFC 7643 §8.3 enterprise user: extension under its URN, manager.displayName (readOnly) dropped',
      body: {
        schemas: [USER, ENTERPRISE],
        userName: 'bjensen@example.com',
        name: { formatted: 'Ms. Barbara J Jensen, III', familyName: 'Jensen', givenName: 'Barbara' },
        emails: [
          { value: 'bjensen@example.com', type: 'work', primary: true },
          { value: 'babs@jensen.org', type: 'home' },
        ],
        groups: [{ value: 'e9e30dba-f08f-4109-8486-d5c6a331660a', display: 'Tour Guides' }],
        [ENTERPRISE]: {
          employeeNumber: '701984',
          costCenter: '4130',
          manager: {
            value: '26118915-6090-4610-87e4-49d8ca9f808d',
            $ref: '../Users/26118915',
            displayName: 'John Smith',
          },
        },
      },
      expected: {
        userName: 'bjensen@example.com',
        name: { formatted: 'Ms. Barbara J Jensen, III', familyName: 'Jensen', givenName: 'Barbara' },
        emails: [
          { value: 'bjensen@example.com', type: 'work', primary: true },
          { value: 'babs@jensen.org', type: 'home' },
        ],
        [ENTERPRISE]: {
          employeeNumber: '701984',
          costCenter: '4130',
          manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d', $ref: '../Users/26118915' },
        },
      },
    },
    {
      name: 'Entra create user (tutorial): meta ignored, empty roles normalised away, values kept as sent',
      body: {
        schemas: [USER, ENTERPRISE],
        externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
        userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1',
        active: true,
        emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com' }],
        meta: { resourceType: 'User' },
        name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
        roles: [],
      },
      expected: {
        externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
        userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1',
        active: true,
        emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com' }],
        name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      },
    },
    {
      name: 'Entra legacy: booleans as "True"/"False" strings in any case',
      body: {
        schemas: [USER],
        userName: 'Alex.Wu@Contoso.com',
        active: 'False',
        emails: [{ value: 'Alex.Wu@Contoso.com', type: 'work', primary: 'TRUE' }],
      },
      expected: {
        userName: 'Alex.Wu@Contoso.com',
        active: false,
        emails: [{ value: 'Alex.Wu@Contoso.com', type: 'work', primary: true }],
      },
    },
    {
      name: 'Okta create user: password and groups dropped, locale kept',
      body: {
        schemas: [USER],
        userName: 'test.user@okta.local',
        name: { givenName: 'Test', familyName: 'User' },
        emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
        displayName: 'Test User',
        locale: 'en-US',
        externalId: '00ujl29u0le5T6Aj10h7',
        groups: [],
        password: '1mz050nq',
        active: true,
      },
      expected: {
        userName: 'test.user@okta.local',
        name: { givenName: 'Test', familyName: 'User' },
        emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
        displayName: 'Test User',
        locale: 'en-US',
        externalId: '00ujl29u0le5T6Aj10h7',
        active: true,
      },
    },
    {
      name: 'names ignore case (RFC 7643 §2.1) and become canonical, extension URN in any case',
      body: {
        SCHEMAS: [USER.toUpperCase()],
        USERNAME: 'jo',
        Name: { GIVENNAME: 'Jo', familyname: 'Doe' },
        Emails: [{ VALUE: 'Jo@Example.com', Type: 'work' }],
        [ENTERPRISE.toLowerCase()]: { EmployeeNumber: '7', MANAGER: { Value: 'boss' } },
      },
      expected: {
        userName: 'jo',
        name: { givenName: 'Jo', familyName: 'Doe' },
        emails: [{ value: 'Jo@Example.com', type: 'work' }],
        [ENTERPRISE]: { employeeNumber: '7', manager: { value: 'boss' } },
      },
    },
    {
      name: 'fully-qualified top-level keys for core and extension attributes',
      body: {
        [`${USER}:userName`]: 'jo',
        [`${ENTERPRISE}:department`]: 'Legal',
        [ENTERPRISE]: { employeeNumber: '7' },
      },
      expected: { userName: 'jo', [ENTERPRISE]: { department: 'Legal', employeeNumber: '7' } },
    },
    {
      name: 'missing schemas tolerated; nulls, empty objects and unknown attributes dropped',
      body: {
        userName: 'jo',
        title: null,
        name: { givenName: null },
        emails: [null],
        favouriteColour: 'blue',
        [ENTERPRISE]: {},
      },
      expected: { userName: 'jo' },
    },
    {
      name: 'Entra legacy: the enterprise manager as a bare id is read as { value }',
      body: { userName: 'jo', [ENTERPRISE]: { manager: 'boss-id' } },
      expected: { userName: 'jo', [ENTERPRISE]: { manager: { value: 'boss-id' } } },
    },
    {
      name: 'e-mails sent without primary are stored without primary (RFC 7643 §2.4: absent stays absent)',
      body: { userName: 'jo', emails: [{ value: 'a@example.com' }, { value: 'b@example.com', type: 'home' }] },
      expected: { userName: 'jo', emails: [{ value: 'a@example.com' }, { value: 'b@example.com', type: 'home' }] },
    },
    {
      name: 'unknown URN in schemas that keys no attribute is ignored',
      body: { schemas: [USER, 'urn:example:custom:1.0:User'], userName: 'jo' },
      expected: { userName: 'jo' },
    },
    {
      name: 'values are stored exactly as sent: no trimming, no case folding',
      body: { userName: ' Jo@Example.COM ', emails: [{ value: ' Jo@Example.COM' }] },
      expected: { userName: ' Jo@Example.COM ', emails: [{ value: ' Jo@Example.COM' }] },
    },
    {
      name: 'Entra create group: Microsoft URN accepted, members with $ref null, display (readOnly) dropped',
      type: groupResourceType,
      body: {
        schemas: [GROUP, MICROSOFT_GROUP_SCHEMA_ID],
        externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
        displayName: 'displayName',
        meta: { resourceType: 'Group' },
        members: [{ $ref: null, value: 'u1', display: 'Alex' }],
      },
      expected: {
        externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
        displayName: 'displayName',
        members: [{ value: 'u1' }],
      },
    },
    {
      name: 'Entra create group with no members',
      type: groupResourceType,
      body: { schemas: [GROUP, MICROSOFT_GROUP_SCHEMA_ID], displayName: 'Team', members: [] },
      expected: { displayName: 'Team' },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(parseResource(c.type ?? userResourceType, c.body), c.expected);
    });
  }
});

describe('parseResource: refused bodies', () => {
  const cases: { name: string; type?: typeof userResourceType; body: unknown; scimType: string; detail: string }[] = [
    {
      name: 'body not an object',
      body: [{ userName: 'jo' }],
      scimType: 'invalidSyntax',
      detail: "The request body must be a JSON object holding the User's attributes, got an array",
    },
    {
      name: 'wrong type and missing required attribute, in one detail',
      body: { schemas: [USER], active: 'yes' },
      scimType: 'invalidValue',
      detail:
        'Attribute "active" must be a boolean (true or false), got the string "yes"; attribute "userName" is required.',
    },
    {
      name: 'empty userName',
      body: { userName: '' },
      scimType: 'invalidValue',
      detail: 'Attribute "userName" must not be empty.',
    },
    {
      name: 'two primary e-mails (RFC 7643 §2.4)',
      body: {
        userName: 'jo',
        emails: [
          { value: 'a@example.com', primary: true },
          { value: 'b@example.com', primary: 'True' },
        ],
      },
      scimType: 'invalidValue',
      detail: 'Attribute "emails" has 2 values with "primary": true; at most one value may be primary (RFC 7643 §2.4).',
    },
    {
      name: 'schemas without the core schema',
      body: { schemas: [ENTERPRISE], userName: 'jo' },
      scimType: 'invalidValue',
      detail: `Attribute "schemas" must include "${USER}" for a User.`,
    },
    {
      name: 'schemas not an array of strings',
      body: { schemas: USER, userName: 'jo' },
      scimType: 'invalidValue',
      detail: `Attribute "schemas" must be an array of schema URNs such as ["${USER}"], got the string "urn:ietf:params:scim:schemas:core:2.0:Us...".`,
    },
    {
      name: 'unknown extension carrying attributes would be lost',
      body: {
        schemas: [USER, 'urn:example:custom:1.0:User'],
        userName: 'jo',
        'urn:example:custom:1.0:User': { badge: 'x' },
      },
      scimType: 'invalidValue',
      detail: `Attribute "urn:example:custom:1.0:User" belongs to a schema a User does not support; supported schemas are "${USER}", "${ENTERPRISE}".`,
    },
    {
      name: 'the same attribute twice under different case',
      body: { userName: 'jo', username: 'jo2' },
      scimType: 'invalidValue',
      detail: 'Attribute "userName" is given more than once (names ignore case, RFC 7643 §2.1); send it once.',
    },
    {
      name: 'complex attribute given an array',
      body: { userName: 'jo', name: ['Jo'] },
      scimType: 'invalidValue',
      detail: 'Attribute "name" must be an object, got an array.',
    },
    {
      name: 'a bare string for a multi-valued complex attribute (RFC 7643 §2.4)',
      body: { userName: 'jo', emails: 'jo@example.com' },
      scimType: 'invalidValue',
      detail:
        'Attribute "emails" must be an array (it is multi-valued, RFC 7643 §2.4), got the string "jo@example.com".',
    },
    {
      name: 'an array of strings for a multi-valued complex attribute',
      body: { userName: 'jo', emails: ['jo@example.com'] },
      scimType: 'invalidValue',
      detail: 'Attribute "emails[0]" must be an object such as {"value": "..."}, got the string "jo@example.com".',
    },
    {
      name: 'a lone object for a multi-valued attribute: no IdP sends it, so it is not guessed at',
      body: { userName: 'jo', emails: { value: 'jo@example.com' } },
      scimType: 'invalidValue',
      detail: 'Attribute "emails" must be an array (it is multi-valued, RFC 7643 §2.4), got an object.',
    },
    {
      name: 'a bare string for a single-valued complex attribute',
      body: { userName: 'jo', name: 'Ada' },
      scimType: 'invalidValue',
      detail: 'Attribute "name" must be an object, got the string "Ada".',
    },
    {
      name: 'a bare string for a complex attribute with a value sub-attribute other than manager',
      body: { userName: 'jo', x509Certificates: ['TWFu'] },
      scimType: 'invalidValue',
      detail: 'Attribute "x509Certificates[0]" must be an object such as {"value": "..."}, got the string "TWFu".',
    },
    {
      name: 'the manager leniency is for an id string only',
      body: { userName: 'jo', [ENTERPRISE]: { manager: 42 } },
      scimType: 'invalidValue',
      detail: `Attribute "${ENTERPRISE}:manager" must be an object such as {"value": "..."}, got the number 42.`,
    },
    {
      name: 'group members as bare ids',
      type: groupResourceType,
      body: { schemas: [GROUP], displayName: 'Team', members: ['u1'] },
      scimType: 'invalidValue',
      detail: 'Attribute "members[0]" must be an object such as {"value": "..."}, got the string "u1".',
    },
    {
      name: 'wrong type deep inside a multi-valued attribute',
      body: { userName: 'jo', emails: [{ value: 'a@example.com' }, { value: 42 }] },
      scimType: 'invalidValue',
      detail: 'Attribute "emails[1].value" must be a string, got the number 42.',
    },
    {
      name: 'group without displayName, member without value',
      type: groupResourceType,
      body: { schemas: [GROUP], members: [{ display: 'Alex' }] },
      scimType: 'invalidValue',
      detail:
        'Attribute "members[0].value" is required: it holds the id of the member user; attribute "displayName" is required.',
    },
    {
      name: 'Microsoft URN is accepted for groups only',
      body: { schemas: [USER, MICROSOFT_GROUP_SCHEMA_ID], userName: 'jo', [MICROSOFT_GROUP_SCHEMA_ID]: { x: 1 } },
      scimType: 'invalidValue',
      detail: `Attribute "${MICROSOFT_GROUP_SCHEMA_ID}" belongs to a schema a User does not support; supported schemas are "${USER}", "${ENTERPRISE}".`,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      expectScimError(() => parseResource(c.type ?? userResourceType, c.body), {
        status: 400,
        scimType: c.scimType,
        detail: c.detail,
      });
    });
  }

  test('lists at most ten problems and counts the rest', () => {
    const body: Record<string, unknown> = { userName: 'jo', emails: Array.from({ length: 12 }, () => ({ value: 1 })) };
    assert.throws(
      () => parseResource(userResourceType, body),
      (error: unknown) => error instanceof ScimError && error.detail.endsWith('; and 2 more problems.'),
    );
  });
});

describe('coerceValue per attribute type', () => {
  const cases: {
    name: string;
    def: ReturnType<typeof attr>;
    raw: unknown;
    value: unknown;
    issues?: readonly Issue['code'][];
  }[] = [
    { name: 'string', def: attr('s', 'string'), raw: 'x', value: 'x' },
    { name: 'string refuses number', def: attr('s', 'string'), raw: 1, value: undefined, issues: ['type'] },
    { name: 'boolean', def: attr('b', 'boolean'), raw: false, value: false },
    { name: 'boolean from "true"', def: attr('b', 'boolean'), raw: 'true', value: true },
    { name: 'boolean refuses 1', def: attr('b', 'boolean'), raw: 1, value: undefined, issues: ['type'] },
    { name: 'integer', def: attr('i', 'integer'), raw: 3, value: 3 },
    { name: 'integer refuses 3.5', def: attr('i', 'integer'), raw: 3.5, value: undefined, issues: ['type'] },
    { name: 'integer refuses "3"', def: attr('i', 'integer'), raw: '3', value: undefined, issues: ['type'] },
    { name: 'decimal', def: attr('d', 'decimal'), raw: 3.5, value: 3.5 },
    {
      name: 'dateTime kept as sent',
      def: attr('t', 'dateTime'),
      raw: '2024-05-01T12:00:00.5+02:00',
      value: '2024-05-01T12:00:00.5+02:00',
    },
    {
      name: 'dateTime refuses a date',
      def: attr('t', 'dateTime'),
      raw: '2024-05-01',
      value: undefined,
      issues: ['format'],
    },
    { name: 'reference', def: attr('r', 'reference'), raw: 'https://x/Users/1', value: 'https://x/Users/1' },
    { name: 'binary', def: attr('b', 'binary'), raw: 'TWFu', value: 'TWFu' },
    { name: 'null is unassigned', def: attr('s', 'string'), raw: null, value: undefined },
    {
      name: 'multi-valued simple',
      def: attr('m', 'string', { multiValued: true }),
      raw: ['a', null, 'b'],
      value: ['a', 'b'],
    },
    {
      name: 'multi-valued simple refuses a lone value',
      def: attr('m', 'string', { multiValued: true }),
      raw: 'a',
      value: undefined,
      issues: ['type'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const issues: Issue[] = [];
      const value = coerceValue(c.def, c.raw, c.def.name, issues);
      assert.deepEqual({ value, issues: issues.map((i) => i.code) }, { value: c.value, issues: c.issues ?? [] });
    });
  }

  test('coerceAttributeValue throws one error with the context first', () => {
    expectScimError(
      () => coerceAttributeValue(attr('active', 'boolean'), 'yes', 'active', { context: 'Operations[0]' }),
      {
        status: 400,
        scimType: 'invalidValue',
        detail: 'Operations[0]: attribute "active" must be a boolean (true or false), got the string "yes".',
      },
    );
  });
});
