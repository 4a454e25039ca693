import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertRefused, deepFreeze } from '../../../test/helpers/patch-kit.js';
import type { ResourceDoc } from '../resource-doc.js';
import { groupResourceType, userResourceType } from '../schema/resource-types.js';
import { ScimError } from '../scim-error.js';
import { applyPatch, type MemberPlan } from './apply-patch.js';
import { PATCH_OP_SCHEMA_ID } from './normalize-ops.js';

const team: ResourceDoc = { displayName: 'Tour Guides', externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159' };
const user: ResourceDoc = { userName: 'jo@example.com', active: true, name: { givenName: 'Jo' } };
const NO_MEMBERS: MemberPlan = { add: [], remove: [] };

const patch = (...operations: unknown[]) => ({ schemas: [PATCH_OP_SCHEMA_ID], Operations: operations });

interface GroupCase {
  readonly name: string;
  readonly body: unknown;
  readonly doc?: ResourceDoc;
  readonly changed?: readonly string[];
  readonly members: MemberPlan;
}

const groupCases: GroupCase[] = [
  {
    name: 'RFC 7644 §3.5.2.1: add members',
    body: patch({
      op: 'add',
      path: 'members',
      value: [{ display: 'Babs Jensen', $ref: 'https://example.com/v2/Users/2819c223', value: '2819c223' }],
    }),
    members: { add: [{ value: '2819c223', display: 'Babs Jensen' }], remove: [] },
  },
  {
    name: 'RFC 7644 §3.5.2.2: remove one member by filter',
    body: patch({ op: 'remove', path: 'members[value eq "2819c223-7f76-453a-919d-413861904646"]' }),
    members: { add: [], remove: ['2819c223-7f76-453a-919d-413861904646'] },
  },
  {
    name: 'RFC 7644 §3.5.2.2: remove all members',
    body: patch({ op: 'remove', path: 'members' }),
    members: { add: [], remove: [], removeAll: true },
  },
  {
    name: 'RFC 7644 §3.5.2.2: remove all, then add (replace the member list)',
    body: patch(
      { op: 'remove', path: 'members' },
      { op: 'add', path: 'members', value: [{ value: '2819c223' }, { value: '9067729b' }] },
    ),
    members: { add: [], remove: [], replaceAll: [{ value: '2819c223' }, { value: '9067729b' }] },
  },
  {
    name: 'Entra: {"op":"Add","path":"members","value":[{"$ref":null,"value":"id"}]}',
    body: patch({ op: 'Add', path: 'members', value: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }] }),
    members: { add: [{ value: 'f648f8d5ea4e4cd38e9c' }], remove: [] },
  },
  {
    name: 'Entra legacy: Remove with path members and a value array removes exactly those ids',
    body: patch({
      op: 'Remove',
      path: 'members',
      value: [{ $ref: null, value: 'a2c329d5a8ec427f9b71' }, { value: 'id1' }],
    }),
    members: { add: [], remove: ['a2c329d5a8ec427f9b71', 'id1'] },
  },
  {
    name: 'Entra legacy: Remove with an empty value array removes no one (never all)',
    body: patch({ op: 'Remove', path: 'members', value: [] }),
    members: NO_MEMBERS,
  },
  {
    name: 'Entra RFC dialect: remove members[value eq "id1"]',
    body: patch({ op: 'remove', path: 'members[value eq "id1"]' }),
    members: { add: [], remove: ['id1'] },
  },
  {
    name: 'several ids joined with or',
    body: patch({ op: 'remove', path: 'members[value eq "id1" or value eq "id2"]' }),
    members: { add: [], remove: ['id1', 'id2'] },
  },
  {
    name: 'Entra: {"op":"Replace","path":"displayName","value":"x"}',
    body: patch({
      op: 'Replace',
      path: 'displayName',
      value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName',
    }),
    doc: { ...team, displayName: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' },
    changed: ['displayName'],
    members: NO_MEMBERS,
  },
  {
    name: 'Entra: {"op":"Replace","path":"externalId","value":"x"}',
    body: patch({ op: 'Replace', path: 'externalId', value: 'x' }),
    doc: { ...team, externalId: 'x' },
    changed: ['externalId'],
    members: NO_MEMBERS,
  },
  {
    name: 'Okta: path-less replace echoing the readOnly id',
    body: patch({ op: 'replace', value: { id: 'b1e7d4a2', displayName: 'Guides' } }),
    doc: { ...team, displayName: 'Guides' },
    changed: ['displayName'],
    members: NO_MEMBERS,
  },
  {
    name: 'Okta: remove one member, add one with display',
    body: patch(
      { op: 'remove', path: 'members[value eq "00u1"]' },
      { op: 'add', path: 'members', value: [{ value: '00u2', display: 'user2@example.com' }] },
    ),
    members: { add: [{ value: '00u2', display: 'user2@example.com' }], remove: ['00u1'] },
  },
  {
    name: 'Okta: replace the member list',
    body: patch({
      op: 'replace',
      path: 'members',
      value: [
        { value: '00u1', display: 'a' },
        { value: '00u2', display: 'b' },
      ],
    }),
    members: {
      add: [],
      remove: [],
      replaceAll: [
        { value: '00u1', display: 'a' },
        { value: '00u2', display: 'b' },
      ],
    },
  },
  {
    name: 'replace members with an empty list removes all',
    body: patch({ op: 'replace', path: 'members', value: [] }),
    members: { add: [], remove: [], removeAll: true },
  },
  {
    name: 'path-less add and replace with a members key',
    body: patch(
      { op: 'add', value: { members: [{ value: 'a' }] } },
      { op: 'replace', value: { displayName: 'New', members: [{ value: 'b' }] } },
      { op: 'add', value: { MEMBERS: [{ value: 'c' }] } },
    ),
    doc: { ...team, displayName: 'New' },
    changed: ['displayName'],
    members: { add: [], remove: [], replaceAll: [{ value: 'b' }, { value: 'c' }] },
  },
  {
    name: 'adding a member twice keeps one; add then remove cancels the add',
    body: patch(
      { op: 'add', path: 'members', value: [{ value: 'a' }, { value: 'b' }] },
      { op: 'add', path: 'members', value: [{ value: 'a' }] },
      { op: 'remove', path: 'members[value eq "b"]' },
    ),
    members: { add: [{ value: 'a' }], remove: ['b'] },
  },
];

describe('applyPatch on a Group: members become a plan, never part of the document', () => {
  for (const c of groupCases) {
    test(c.name, () => {
      const current = deepFreeze(structuredClone(team));
      assert.deepEqual(applyPatch(groupResourceType, current, c.body), {
        doc: c.doc ?? team,
        changed: c.changed ?? [],
        members: c.members,
      });
    });
  }
});

interface ErrorCase {
  readonly name: string;
  readonly group?: boolean;
  readonly body: unknown;
  readonly scimType: string;
  readonly detail: string;
}

const errors: ErrorCase[] = [
  {
    name: 'bad op name',
    body: patch({ op: 'merge', path: 'active', value: false }),
    scimType: 'invalidSyntax',
    detail: 'Operations[0]: "op" must be "add", "remove" or "replace", got the string "merge"',
  },
  {
    name: 'missing Operations',
    body: { schemas: [PATCH_OP_SCHEMA_ID] },
    scimType: 'invalidSyntax',
    detail:
      'The PATCH body has no "Operations"; send an array of operations such as {"op": "replace", "path": "active", "value": false}',
  },
  {
    name: 'a member filter other than value eq',
    group: true,
    body: patch({ op: 'remove', path: 'members[display eq "Babs"]' }),
    scimType: 'invalidFilter',
    detail:
      'Operations[0]: members can be selected only by id, as in members[value eq "2819c223-7f76-453a-919d-413861904646"] (several joined with "or"); "display eq "Babs"" is not supported',
  },
  {
    name: 'a member sub-attribute path',
    group: true,
    body: patch({ op: 'replace', path: 'members[value eq "a"].display', value: 'x' }),
    scimType: 'invalidPath',
    detail:
      'Operations[0]: "replace" on "members[value eq "a"].display" is not supported: add members with path "members" and a value array, replace them all with "replace" on "members", and remove one with "remove" on members[value eq "<id>"]',
  },
  {
    name: 'a member without an id',
    group: true,
    body: patch({ op: 'add', path: 'members', value: [{ display: 'Babs' }] }),
    scimType: 'invalidValue',
    detail:
      'Operations[0]: members[0] must be an object whose "value" is the member\'s id, as in {"value": "2819c223-7f76-453a-919d-413861904646"}, got an object',
  },
  {
    name: "removing a Group's displayName",
    group: true,
    body: patch({ op: 'remove', path: 'displayName' }),
    scimType: 'mutability',
    detail: 'Operations[0]: "displayName" is required and cannot be removed (RFC 7644 §3.5.2.2)',
  },
  {
    name: 'an explicit path to id on a Group (Okta sends id only inside path-less values)',
    group: true,
    body: patch({ op: 'replace', path: 'id', value: 'x' }),
    scimType: 'mutability',
    detail: 'Operations[0]: "id" is readOnly and cannot be changed by a client (RFC 7643 §2.2)',
  },
  {
    name: 'all or nothing: the second operation fails, so the first is not applied either',
    body: patch({ op: 'replace', path: 'active', value: false }, { op: 'replace', path: 'active', value: 'nope' }),
    scimType: 'invalidValue',
    detail: 'Operations[1]: attribute "active" must be a boolean (true or false), got the string "nope".',
  },
];

describe('applyPatch refuses, leaving the input untouched', () => {
  for (const c of errors) {
    test(c.name, () => {
      const [type, before] = c.group === true ? [groupResourceType, team] : [userResourceType, user];
      assertRefused(type, before, c.body, c);
    });
  }
});

describe('applyPatch on a User', () => {
  test('operations apply in order, each on the result of the previous', () => {
    const result = applyPatch(
      userResourceType,
      deepFreeze(structuredClone(user)),
      patch(
        { op: 'replace', path: 'active', value: false },
        { op: 'Replace', path: 'active', value: 'True' },
        { op: 'add', path: 'title', value: 'Guide' },
        { op: 'remove', path: 'title' },
      ),
    );
    assert.deepEqual(result, { doc: user, changed: [], members: NO_MEMBERS });
  });

  test('members on a User is not an attribute', () => {
    assert.throws(
      () => applyPatch(userResourceType, user, patch({ op: 'add', path: 'members', value: [{ value: 'a' }] })),
      (error: unknown) => error instanceof ScimError && error.scimType === 'invalidPath',
    );
  });
});
