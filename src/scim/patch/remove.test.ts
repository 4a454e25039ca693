import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertRefused, deepFreeze } from '../../../test/helpers/patch-kit.js';
import type { ResourceDoc } from '../resource-doc.js';
import { ENTERPRISE_USER_SCHEMA_ID as ENTERPRISE } from '../schema/enterprise-user-schema.js';
import { userResourceType } from '../schema/resource-types.js';
import { applyPatch } from './apply-patch.js';
import { PATCH_OP_SCHEMA_ID } from './normalize-ops.js';

const work = { value: 'bjensen@example.com', type: 'work', primary: true };
const home = { value: 'babs@jensen.org', type: 'home' };
const bjensen: ResourceDoc = {
  userName: 'bjensen@example.com',
  externalId: 'bjensen',
  active: true,
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  emails: [work, home],
  [ENTERPRISE]: { employeeNumber: '701984', manager: { value: 'boss' } },
};

function without(doc: ResourceDoc, ...keys: string[]): ResourceDoc {
  return Object.fromEntries(Object.entries(doc).filter(([key]) => !keys.includes(key)));
}

interface Case {
  readonly name: string;
  readonly ops: readonly unknown[];
  readonly doc: ResourceDoc;
  readonly changed: readonly string[];
}

const cases: Case[] = [
  {
    name: 'RFC 7644 §3.5.2.2: remove a single-valued attribute',
    ops: [{ op: 'remove', path: 'externalId' }],
    doc: without(bjensen, 'externalId'),
    changed: ['externalId'],
  },
  {
    name: 'RFC 7644 §3.5.2.2: remove a multi-valued attribute without filter removes all values',
    ops: [{ op: 'remove', path: 'emails' }],
    doc: without(bjensen, 'emails'),
    changed: ['emails'],
  },
  {
    name: 'RFC 7644 §3.5.2.2: a complex filter removes the matching values',
    ops: [{ op: 'remove', path: 'emails[type eq "work" and value ew "example.com"]' }],
    doc: { ...bjensen, emails: [home] },
    changed: ['emails'],
  },
  {
    name: 'removing the last value leaves the attribute unassigned',
    ops: [
      { op: 'remove', path: 'emails[type eq "work"]' },
      { op: 'remove', path: 'emails[type eq "home"]' },
    ],
    doc: without(bjensen, 'emails'),
    changed: ['emails'],
  },
  {
    name: 'a filter matching nothing removes nothing, without error',
    ops: [{ op: 'remove', path: 'emails[type eq "other"]' }],
    doc: bjensen,
    changed: [],
  },
  {
    name: 'removing an attribute that is not there is not an error',
    ops: [
      { op: 'remove', path: 'title' },
      { op: 'remove', path: 'phoneNumbers[type eq "work"]' },
    ],
    doc: bjensen,
    changed: [],
  },
  {
    name: 'a sub-attribute through a value path',
    ops: [{ op: 'remove', path: 'emails[type eq "work"].primary' }],
    doc: { ...bjensen, emails: [{ value: 'bjensen@example.com', type: 'work' }, home] },
    changed: ['emails'],
  },
  {
    name: 'emails[not (primary pr)] removes every value but the primary one, sent without primary',
    ops: [{ op: 'remove', path: 'emails[not (primary pr)]' }],
    doc: { ...bjensen, emails: [work] },
    changed: ['emails'],
  },
  {
    name: 'after a new primary is added, the old primary is no longer "primary pr" (RFC 7643 §2.4)',
    ops: [
      { op: 'add', path: 'emails', value: [{ value: 'b@new.example', type: 'work', primary: true }] },
      { op: 'remove', path: 'emails[not (primary pr)]' },
    ],
    doc: { ...bjensen, emails: [{ value: 'b@new.example', type: 'work', primary: true }] },
    changed: ['emails'],
  },
  {
    name: 'a sub-attribute of a complex attribute; the last one leaves it unassigned',
    ops: [
      { op: 'remove', path: 'name.givenName' },
      { op: 'Remove', path: 'NAME.familyName' },
    ],
    doc: without(bjensen, 'name'),
    changed: ['name'],
  },
  {
    name: 'Entra legacy: remove with a value removes the values named, not all',
    ops: [{ op: 'Remove', path: 'emails', value: [{ value: 'BABS@jensen.org' }] }],
    doc: { ...bjensen, emails: [work] },
    changed: ['emails'],
  },
  {
    name: 'an extension attribute by URN-qualified path; the last one drops the extension',
    ops: [
      { op: 'remove', path: `${ENTERPRISE}:employeeNumber` },
      { op: 'remove', path: `${ENTERPRISE}:manager.value` },
    ],
    doc: without(bjensen, ENTERPRISE),
    changed: [`${ENTERPRISE}:employeeNumber`, `${ENTERPRISE}:manager`],
  },
  {
    name: 'the whole extension by its URN',
    ops: [{ op: 'remove', path: ENTERPRISE }],
    doc: without(bjensen, ENTERPRISE),
    changed: [`${ENTERPRISE}:employeeNumber`, `${ENTERPRISE}:manager`],
  },
  {
    name: 'password (writeOnly, never stored): nothing to do',
    ops: [{ op: 'remove', path: 'password' }],
    doc: bjensen,
    changed: [],
  },
];

describe('remove (RFC 7644 §3.5.2.2)', () => {
  for (const c of cases) {
    test(c.name, () => {
      const current = deepFreeze(structuredClone(bjensen));
      const result = applyPatch(userResourceType, current, { schemas: [PATCH_OP_SCHEMA_ID], Operations: c.ops });
      assert.deepEqual(result, { doc: c.doc, changed: c.changed, members: { add: [], remove: [] } });
    });
  }

  const errors: { name: string; ops: readonly unknown[]; scimType: string; detail: string }[] = [
    {
      name: 'RFC 7644 §3.5.2.2: no path',
      ops: [{ op: 'remove', value: { title: 'x' } }],
      scimType: 'noTarget',
      detail: 'Operations[0]: "remove" needs a "path" naming what to remove (RFC 7644 §3.5.2.2)',
    },
    {
      name: 'RFC 7644 §3.5.2.2: a required attribute',
      ops: [{ op: 'remove', path: 'userName' }],
      scimType: 'mutability',
      detail: 'Operations[0]: "userName" is required and cannot be removed (RFC 7644 §3.5.2.2)',
    },
    {
      name: 'RFC 7644 §3.5.2.2: a readOnly attribute',
      ops: [{ op: 'remove', path: 'meta' }],
      scimType: 'mutability',
      detail: 'Operations[0]: "meta" is readOnly and cannot be changed by a client (RFC 7643 §2.2)',
    },
    {
      name: 'groups are readOnly on a User',
      ops: [{ op: 'remove', path: 'groups[value eq "g1"]' }],
      scimType: 'mutability',
      detail: 'Operations[0]: "groups[value eq "g1"]" is readOnly and cannot be changed by a client (RFC 7643 §2.2)',
    },
    {
      name: 'unknown attribute',
      ops: [
        { op: 'remove', path: 'nickname' },
        { op: 'remove', path: 'badges' },
      ],
      scimType: 'invalidPath',
      detail:
        'Operations[1]: "badges" does not name an attribute of a User (see /Schemas for the attributes and their spelling)',
    },
    {
      name: 'the core schema',
      ops: [{ op: 'remove', path: 'urn:ietf:params:scim:schemas:core:2.0:User' }],
      scimType: 'invalidPath',
      detail:
        'Operations[0]: "urn:ietf:params:scim:schemas:core:2.0:User" is the core schema; remove its attributes one by one',
    },
  ];
  for (const c of errors) {
    test(`refuses: ${c.name}`, () => {
      assertRefused(userResourceType, bjensen, { schemas: [PATCH_OP_SCHEMA_ID], Operations: c.ops }, c);
    });
  }
});
