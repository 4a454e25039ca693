import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertRefused, deepFreeze } from '../../../test/helpers/patch-kit.js';
import type { ResourceDoc } from '../resource-doc.js';
import { ENTERPRISE_USER_SCHEMA_ID as ENTERPRISE } from '../schema/enterprise-user-schema.js';
import { userResourceType } from '../schema/resource-types.js';
import { applyPatch } from './apply-patch.js';
import { PATCH_OP_SCHEMA_ID } from './normalize-ops.js';

const bjensen: ResourceDoc = {
  userName: 'bjensen@example.com',
  externalId: 'bjensen',
  active: true,
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  [ENTERPRISE]: { employeeNumber: '701984', department: 'Tours' },
};

interface Case {
  readonly name: string;
  readonly current?: ResourceDoc;
  readonly ops: readonly unknown[];
  readonly doc: ResourceDoc;
  readonly changed: readonly string[];
}

interface ErrorCase {
  readonly name: string;
  readonly current?: ResourceDoc;
  readonly ops: readonly unknown[];
  readonly scimType: string;
  readonly detail: string;
}

const cases: Case[] = [
  {
    name: 'RFC 7644 §3.5.2.3: replace a multi-valued attribute without a filter replaces the whole array',
    ops: [{ op: 'replace', path: 'emails', value: [{ value: 'bjensen@new.example', type: 'work', primary: true }] }],
    doc: { ...bjensen, emails: [{ value: 'bjensen@new.example', type: 'work', primary: true }] },
    changed: ['emails'],
  },
  {
    name: 'RFC 7644 §3.5.2.3: value path with sub-attribute, no match, eq filter: created (Entra needs it)',
    ops: [{ op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '1010 Broadway Ave' }],
    doc: { ...bjensen, addresses: [{ type: 'work', streetAddress: '1010 Broadway Ave' }] },
    changed: ['addresses'],
  },
  {
    name: 'RFC 7644 §3.5.2.3: complex replace keeps the sub-attributes not given',
    ops: [{ op: 'replace', path: 'name', value: { givenName: 'Babs', middleName: null } }],
    doc: { ...bjensen, name: { givenName: 'Babs', familyName: 'Jensen' } },
    changed: ['name'],
  },
  {
    name: 'Entra legacy: {"op":"Replace","path":"active","value":"False"}',
    ops: [{ op: 'Replace', path: 'active', value: 'False' }],
    doc: { ...bjensen, active: false },
    changed: ['active'],
  },
  {
    name: 'Entra RFC dialect: path-less replace with path keys and a URN-qualified extension key',
    ops: [
      {
        op: 'replace',
        value: { active: false, 'name.givenName': 'Jo', [`${ENTERPRISE}:employeeNumber`]: '7' },
      },
    ],
    doc: {
      ...bjensen,
      active: false,
      name: { givenName: 'Jo', familyName: 'Jensen' },
      [ENTERPRISE]: { employeeNumber: '7', department: 'Tours' },
    },
    changed: ['name', 'active', `${ENTERPRISE}:employeeNumber`],
  },
  {
    name: 'Entra RFC dialect: "active": "False" in a path-less value; a valuePath key',
    ops: [{ op: 'replace', value: { active: 'False', 'emails[type eq "work"].value': 'Babs@Example.com' } }],
    doc: {
      ...bjensen,
      active: false,
      emails: [
        { value: 'Babs@Example.com', type: 'work', primary: true },
        { value: 'babs@jensen.org', type: 'home' },
      ],
    },
    changed: ['active', 'emails'],
  },
  {
    name: 'Entra tutorial: update e-mail through a value path and the family name',
    ops: [
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
      { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
    ],
    doc: {
      ...bjensen,
      name: { givenName: 'Barbara', familyName: 'updatedFamilyName' },
      emails: [
        { value: 'updatedEmail@microsoft.com', type: 'work', primary: true },
        { value: 'babs@jensen.org', type: 'home' },
      ],
    },
    changed: ['name', 'emails'],
  },
  {
    name: 'Entra tutorial: replace userName and externalId',
    ops: [
      { op: 'Replace', path: 'userName', value: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com' },
      { op: 'Replace', path: 'externalId', value: 'x' },
    ],
    doc: { ...bjensen, userName: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com', externalId: 'x' },
    changed: ['externalId', 'userName'],
  },
  {
    name: 'Okta deactivate: {"op":"replace","value":{"active":false}}',
    ops: [{ op: 'replace', value: { active: false } }],
    doc: { ...bjensen, active: false },
    changed: ['active'],
  },
  {
    name: 'deactivating an inactive user changes nothing',
    current: { ...bjensen, active: false },
    ops: [{ op: 'replace', value: { active: false } }],
    doc: { ...bjensen, active: false },
    changed: [],
  },
  {
    name: 'a value path without sub-attribute merges the value into the matching element',
    ops: [{ op: 'replace', path: 'emails[type eq "home"]', value: { display: 'Home', primary: true } }],
    doc: {
      ...bjensen,
      emails: [
        { value: 'bjensen@example.com', type: 'work' },
        { value: 'babs@jensen.org', type: 'home', display: 'Home', primary: true },
      ],
    },
    changed: ['emails'],
  },
  {
    name: 'setting primary through a value path demotes the other primary (RFC 7644 §3.5.2)',
    ops: [{ op: 'replace', path: 'emails[value eq "BABS@jensen.org"].primary', value: 'True' }],
    doc: {
      ...bjensen,
      emails: [
        { value: 'bjensen@example.com', type: 'work' },
        { value: 'babs@jensen.org', type: 'home', primary: true },
      ],
    },
    changed: ['emails'],
  },
  {
    name: 'a URN key holding an object of extension attributes',
    ops: [
      {
        op: 'replace',
        value: { [ENTERPRISE]: { department: 'Legal', manager: { value: 'boss', displayName: 'ignored' } } },
      },
    ],
    doc: { ...bjensen, [ENTERPRISE]: { employeeNumber: '701984', department: 'Legal', manager: { value: 'boss' } } },
    changed: [`${ENTERPRISE}:department`, `${ENTERPRISE}:manager`],
  },
  {
    name: 'unknown keys and readOnly keys of a path-less value are ignored',
    ops: [
      {
        op: 'replace',
        value: { id: 'other', meta: { created: 'x' }, favouriteColour: 'blue', 'name.nickname': 'x', title: 'Guide' },
      },
    ],
    doc: { ...bjensen, title: 'Guide' },
    changed: ['title'],
  },
  {
    name: 'replace with null, or an empty array, unassigns',
    ops: [
      { op: 'replace', path: 'emails', value: [] },
      { op: 'replace', path: `${ENTERPRISE}:department`, value: null },
      { op: 'replace', path: `${ENTERPRISE}:employeeNumber`, value: null },
    ],
    doc: {
      userName: 'bjensen@example.com',
      externalId: 'bjensen',
      active: true,
      name: { givenName: 'Barbara', familyName: 'Jensen' },
    },
    changed: ['emails', `${ENTERPRISE}:employeeNumber`, `${ENTERPRISE}:department`],
  },
  {
    name: 'replacing a value with itself changes nothing; changing case is a change',
    ops: [
      { op: 'replace', path: 'name.givenName', value: 'Barbara' },
      { op: 'replace', path: 'userName', value: 'BJensen@example.com' },
    ],
    doc: { ...bjensen, userName: 'BJensen@example.com' },
    changed: ['userName'],
  },
];

describe('replace (RFC 7644 §3.5.2.3)', () => {
  for (const c of cases) {
    test(c.name, () => {
      const current = deepFreeze(structuredClone(c.current ?? bjensen));
      const result = applyPatch(userResourceType, current, { schemas: [PATCH_OP_SCHEMA_ID], Operations: c.ops });
      assert.deepEqual(result, { doc: c.doc, changed: c.changed, members: { add: [], remove: [] } });
    });
  }

  const errors: ErrorCase[] = [
    {
      name: 'RFC 7644 §3.5.2.3: a value path matching nothing is noTarget (non-eq filter)',
      ops: [{ op: 'replace', path: 'emails[value co "nowhere"].type', value: 'work' }],
      scimType: 'noTarget',
      detail:
        'Operations[0]: no value of "emails" matches "emails[value co "nowhere"].type"; replace needs an existing value to change (RFC 7644 §3.5.2.3)',
    },
    {
      name: 'explicit path to id',
      ops: [{ op: 'replace', path: 'id', value: 'x' }],
      scimType: 'mutability',
      detail: 'Operations[0]: "id" is readOnly and cannot be changed by a client (RFC 7643 §2.2)',
    },
    {
      name: 'explicit path to meta.created',
      ops: [{ op: 'replace', path: 'meta.created', value: '2024-01-01T00:00:00Z' }],
      scimType: 'mutability',
      detail: 'Operations[0]: "meta.created" is readOnly and cannot be changed by a client (RFC 7643 §2.2)',
    },
    {
      name: 'explicit path to manager.displayName (readOnly sub-attribute)',
      ops: [{ op: 'replace', path: `${ENTERPRISE}:manager.displayName`, value: 'x' }],
      scimType: 'mutability',
      detail: `Operations[0]: "${ENTERPRISE}:manager.displayName" is readOnly and cannot be changed by a client (RFC 7643 §2.2)`,
    },
    {
      name: 'unknown attribute in a path',
      ops: [{ op: 'replace', path: 'favouriteColour', value: 'blue' }],
      scimType: 'invalidPath',
      detail:
        'Operations[0]: "favouriteColour" does not name an attribute of a User (see /Schemas for the attributes and their spelling)',
    },
    {
      name: 'unknown sub-attribute after a value path',
      ops: [{ op: 'replace', path: 'emails[type eq "work"].address', value: 'x' }],
      scimType: 'invalidPath',
      detail:
        'Operations[0]: "emails[type eq "work"].address": "address" is not a sub-attribute of "emails" (one of: value, display, type, primary)',
    },
    {
      name: 'sub-attribute of a multi-valued attribute without a filter',
      ops: [{ op: 'replace', path: 'emails.value', value: 'x' }],
      scimType: 'invalidPath',
      detail:
        'Operations[0]: "emails.value" does not say which values of the multi-valued attribute "emails" to change; select them with a filter, as in emails[type eq "work"].value',
    },
    {
      name: 'value filter on a single-valued attribute',
      ops: [{ op: 'replace', path: 'name[givenName eq "x"]', value: {} }],
      scimType: 'invalidPath',
      detail:
        'Operations[0]: "name[givenName eq "x"]" filters "name", which is not a multi-valued complex attribute; value filters select elements of attributes such as emails',
    },
    {
      name: 'unknown sub-attribute inside the filter',
      ops: [{ op: 'replace', path: 'emails[kind eq "work"].value', value: 'x' }],
      scimType: 'invalidFilter',
      detail:
        'Operations[0]: "kind" is not a sub-attribute of "emails" (position 8); inside "emails[...]" use one of: value, display, type, primary',
    },
    {
      name: 'wrong value type (Entra legacy strings are only read as booleans when they say True or False)',
      ops: [{ op: 'Replace', path: 'active', value: 'yes' }],
      scimType: 'invalidValue',
      detail: 'Operations[0]: attribute "active" must be a boolean (true or false), got the string "yes".',
    },
    {
      name: 'a value path making several values primary',
      current: {
        userName: 'jo',
        emails: [
          { value: 'a@x', type: 'work' },
          { value: 'b@x', type: 'work' },
        ],
      },
      ops: [{ op: 'replace', path: 'emails[type eq "work"].primary', value: true }],
      scimType: 'invalidValue',
      detail:
        'Operations[0]: "emails[type eq "work"].primary" matches 2 values and would make them all primary; at most one value may be primary (RFC 7643 §2.4)',
    },
    {
      name: 'userName set to empty',
      ops: [{ op: 'replace', value: { userName: '' } }],
      scimType: 'invalidValue',
      detail: 'Operations[0]: attribute "userName" must not be empty',
    },
    {
      name: 'userName set to null is removing a required attribute',
      ops: [{ op: 'replace', path: 'userName', value: null }],
      scimType: 'mutability',
      detail: 'Operations[0]: "userName" is required and cannot be removed (RFC 7644 §3.5.2.2)',
    },
  ];
  for (const c of errors) {
    test(`refuses: ${c.name}`, () => {
      const before = c.current ?? bjensen;
      assertRefused(userResourceType, before, { schemas: [PATCH_OP_SCHEMA_ID], Operations: c.ops }, c);
    });
  }
});
