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
};
const noWorkEmail: ResourceDoc = { userName: 'jo', emails: [{ value: 'jo@home.org', type: 'home', primary: true }] };

interface Case {
  readonly name: string;
  readonly current?: ResourceDoc;
  readonly ops: readonly unknown[];
  readonly doc: ResourceDoc;
  readonly changed: readonly string[];
}

const cases: Case[] = [
  {
    name: 'RFC 7644 §3.5.2.1: a value already there is not added again (and changes nothing)',
    ops: [{ op: 'add', path: 'emails', value: [{ value: 'babs@jensen.org', type: 'home' }] }],
    doc: bjensen,
    changed: [],
  },
  {
    name: 'RFC 7644 §3.5.2.1: add without a path adds each attribute of the value (names ignore case)',
    ops: [{ op: 'add', value: { emails: [{ value: 'babs@example.org', type: 'other' }], nickname: 'Babs' } }],
    doc: {
      ...bjensen,
      emails: [...(bjensen.emails as ResourceDoc[]), { value: 'babs@example.org', type: 'other' }],
      nickName: 'Babs',
    },
    changed: ['nickName', 'emails'],
  },
  {
    name: 'a value equal ignoring case (emails are caseExact false) is the same value',
    ops: [{ op: 'add', path: 'emails', value: [{ value: 'BABS@JENSEN.ORG', type: 'Home' }] }],
    doc: bjensen,
    changed: [],
  },
  {
    name: 'add to a multi-valued attribute appends; a new primary makes the old one non-primary by dropping its primary (RFC 7643 §2.4)',
    ops: [{ op: 'add', path: 'emails', value: [{ value: 'b@new.example', type: 'work', primary: true }] }],
    doc: {
      ...bjensen,
      emails: [
        { value: 'bjensen@example.com', type: 'work' },
        { value: 'babs@jensen.org', type: 'home' },
        { value: 'b@new.example', type: 'work', primary: true },
      ],
    },
    changed: ['emails'],
  },
  {
    name: 'Entra legacy: Add name.givenName (sub-attribute of a complex attribute)',
    ops: [
      { op: 'Add', path: 'name.givenName', value: 'Bar' },
      { op: 'Add', path: 'name.middleName', value: 'J' },
    ],
    doc: { ...bjensen, name: { givenName: 'Bar', familyName: 'Jensen', middleName: 'J' } },
    changed: ['name'],
  },
  {
    name: 'add on a complex attribute merges the given sub-attributes',
    ops: [{ op: 'add', path: 'NAME', value: { FamilyName: 'Jensen-Smith', honorificPrefix: 'Ms.' } }],
    doc: { ...bjensen, name: { givenName: 'Barbara', familyName: 'Jensen-Smith', honorificPrefix: 'Ms.' } },
    changed: ['name'],
  },
  {
    name: 'add on a single-valued attribute sets it; adding the same value changes nothing',
    ops: [
      { op: 'add', path: 'title', value: 'Tour Guide' },
      { op: 'add', path: 'active', value: true },
    ],
    doc: { ...bjensen, title: 'Tour Guide' },
    changed: ['title'],
  },
  {
    name: 'Entra legacy: Add emails[type eq "work"].value updates the work e-mail',
    ops: [{ op: 'Add', path: 'emails[type eq "work"].value', value: 'Barbara@Example.com' }],
    doc: {
      ...bjensen,
      emails: [
        { value: 'Barbara@Example.com', type: 'work', primary: true },
        { value: 'babs@jensen.org', type: 'home' },
      ],
    },
    changed: ['emails'],
  },
  {
    name: 'Entra legacy: Add emails[type eq "work"].value on a user without a work e-mail creates it',
    current: noWorkEmail,
    ops: [{ op: 'Add', path: 'emails[type eq "work"].value', value: 'x@y.com' }],
    doc: {
      userName: 'jo',
      emails: [
        { value: 'jo@home.org', type: 'home', primary: true },
        { type: 'work', value: 'x@y.com' },
      ],
    },
    changed: ['emails'],
  },
  {
    name: 'creating from an eq conjunction carries every term; primary true demotes the old primary',
    current: noWorkEmail,
    ops: [{ op: 'add', path: 'emails[type eq "work" and primary eq true].value', value: 'x@y.com' }],
    doc: {
      userName: 'jo',
      emails: [
        { value: 'jo@home.org', type: 'home' },
        { type: 'work', primary: true, value: 'x@y.com' },
      ],
    },
    changed: ['emails'],
  },
  {
    name: 'creating on an unassigned attribute',
    current: { userName: 'jo' },
    ops: [{ op: 'add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0100' }],
    doc: { userName: 'jo', phoneNumbers: [{ type: 'mobile', value: '+1 555 0100' }] },
    changed: ['phoneNumbers'],
  },
  {
    name: 'Entra legacy: Add an enterprise extension attribute by URN-qualified path',
    ops: [{ op: 'Add', path: `${ENTERPRISE}:employeeNumber`, value: '67' }],
    doc: { ...bjensen, [ENTERPRISE]: { employeeNumber: '67' } },
    changed: [`${ENTERPRISE}:employeeNumber`],
  },
  {
    name: 'Entra legacy: manager given as the bare id',
    ops: [{ op: 'Add', path: `${ENTERPRISE}:manager`, value: '26118915-6090-4610-87e4-49d8ca9f808d' }],
    doc: { ...bjensen, [ENTERPRISE]: { manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' } } },
    changed: [`${ENTERPRISE}:manager`],
  },
  {
    name: 'path naming the extension schema: its value is an object of extension attributes',
    ops: [{ op: 'add', path: ENTERPRISE.toLowerCase(), value: { department: 'Legal', 'manager.value': 'boss' } }],
    doc: { ...bjensen, [ENTERPRISE]: { department: 'Legal', manager: { value: 'boss' } } },
    changed: [`${ENTERPRISE}:department`, `${ENTERPRISE}:manager`],
  },
  {
    name: 'add with null unassigns (RFC 7643 §2.5: null is unassigned)',
    ops: [{ op: 'add', path: 'externalId', value: null }],
    doc: {
      userName: bjensen.userName as string,
      active: true,
      name: bjensen.name as ResourceDoc,
      emails: bjensen.emails as ResourceDoc[],
    },
    changed: ['externalId'],
  },
  {
    name: 'an e-mail added without primary is stored without it, and leaves the primary one alone',
    ops: [{ op: 'add', path: 'emails', value: [{ value: 'c@new.example', type: 'other' }] }],
    doc: { ...bjensen, emails: [...(bjensen.emails as ResourceDoc[]), { value: 'c@new.example', type: 'other' }] },
    changed: ['emails'],
  },
  {
    name: 'a client that sends primary false keeps it as sent',
    ops: [{ op: 'add', path: 'emails', value: [{ value: 'c@new.example', primary: false }] }],
    doc: { ...bjensen, emails: [...(bjensen.emails as ResourceDoc[]), { value: 'c@new.example', primary: false }] },
    changed: ['emails'],
  },
  {
    name: 'password (writeOnly) is accepted and never stored',
    ops: [{ op: 'add', path: 'password', value: 't1meMa$heen' }],
    doc: bjensen,
    changed: [],
  },
];

describe('add (RFC 7644 §3.5.2.1)', () => {
  for (const c of cases) {
    test(c.name, () => {
      const current = deepFreeze(structuredClone(c.current ?? bjensen));
      const result = applyPatch(userResourceType, current, { schemas: [PATCH_OP_SCHEMA_ID], Operations: c.ops });
      assert.deepEqual(result, { doc: c.doc, changed: c.changed, members: { add: [], remove: [] } });
    });
  }

  const errors: { name: string; ops: readonly unknown[]; scimType: string; detail: string }[] = [
    {
      name: 'a non-eq filter matching nothing has no target',
      ops: [{ op: 'add', path: 'emails[type sw "x"].value', value: 'x@y.com' }],
      scimType: 'noTarget',
      detail:
        'Operations[0]: no value of "emails" matches "emails[type sw "x"].value"; add needs an existing value to change (RFC 7644 §3.5.2.3)',
    },
    {
      name: 'readOnly attribute by explicit path',
      ops: [{ op: 'add', path: 'groups', value: [{ value: 'g1' }] }],
      scimType: 'mutability',
      detail: 'Operations[0]: "groups" is readOnly and cannot be changed by a client (RFC 7643 §2.2)',
    },
    {
      name: 'wrong value type',
      ops: [{ op: 'add', path: 'emails', value: [{ value: 'x@y.com', primary: 'yes' }] }],
      scimType: 'invalidValue',
      detail: 'Operations[0]: attribute "emails[0].primary" must be a boolean (true or false), got the string "yes".',
    },
    {
      name: 'a bare string for a multi-valued complex attribute (RFC 7643 §2.4)',
      ops: [{ op: 'add', path: 'emails', value: 'x@y.com' }],
      scimType: 'invalidValue',
      detail:
        'Operations[0]: attribute "emails" must be an array (it is multi-valued, RFC 7643 §2.4), got the string "x@y.com".',
    },
    {
      name: 'an array of strings for a multi-valued complex attribute',
      ops: [{ op: 'Add', path: 'emails', value: ['x@y.com'] }],
      scimType: 'invalidValue',
      detail:
        'Operations[0]: attribute "emails[0]" must be an object such as {"value": "..."}, got the string "x@y.com".',
    },
    {
      name: 'a lone object for a multi-valued attribute, in a path-less value',
      ops: [{ op: 'add', value: { emails: { value: 'x@y.com' } } }],
      scimType: 'invalidValue',
      detail: 'Operations[0]: attribute "emails" must be an array (it is multi-valued, RFC 7643 §2.4), got an object.',
    },
    {
      name: 'a lone object for a multi-valued attribute, by path',
      ops: [{ op: 'add', path: 'emails', value: { value: 'x@y.com' } }],
      scimType: 'invalidValue',
      detail: 'Operations[0]: attribute "emails" must be an array (it is multi-valued, RFC 7643 §2.4), got an object.',
    },
    {
      name: 'a bare string for a single-valued complex attribute',
      ops: [{ op: 'add', path: 'name', value: 'Ada' }],
      scimType: 'invalidValue',
      detail: 'Operations[0]: attribute "name" must be an object, got the string "Ada".',
    },
    {
      name: 'path-less add needs an object',
      ops: [{ op: 'add', value: 'Babs' }],
      scimType: 'invalidSyntax',
      detail:
        'Operations[0]: "add" without a "path" needs a "value" object of attributes, as in {"active": false}; got the string "Babs"',
    },
    {
      name: 'two new primaries at once',
      ops: [
        {
          op: 'add',
          path: 'emails',
          value: [
            { value: 'a@x', primary: true },
            { value: 'b@x', primary: true },
          ],
        },
      ],
      scimType: 'invalidValue',
      detail:
        'Operations[0]: attribute "emails" has 2 values with "primary": true; at most one value may be primary (RFC 7643 §2.4).',
    },
  ];
  for (const c of errors) {
    test(`refuses: ${c.name}`, () => {
      assertRefused(userResourceType, bjensen, { schemas: [PATCH_OP_SCHEMA_ID], Operations: c.ops }, c);
    });
  }
});
