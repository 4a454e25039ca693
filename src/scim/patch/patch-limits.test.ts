import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deepFreeze, refusal } from '../../../test/helpers/patch-kit.js';
import { MAX_FILTER_TERMS, MAX_PATCH_OPERATIONS, MAX_VALUES_PER_ATTRIBUTE, PATCH_WORK_BUDGET } from '../limits.js';
import type { ResourceDoc, ScimValue } from '../resource-doc.js';
import { groupResourceType, userResourceType } from '../schema/resource-types.js';
import { ScimError } from '../scim-error.js';
import { applyPatch, type PatchResult } from './apply-patch.js';
import { normalizeOps, PATCH_OP_SCHEMA_ID } from './normalize-ops.js';

/*
 * What one PATCH may cost (limits.ts): the value cap holds for PATCH results, and the work budget
 * stops operation × element × term products that the separate caps allow. Documents with more
 * values than the cap stand for resources stored before it existed.
 */

const patch = (doc: ResourceDoc, operations: readonly unknown[]): PatchResult =>
  applyPatch(userResourceType, deepFreeze(structuredClone(doc)), {
    schemas: [PATCH_OP_SCHEMA_ID],
    Operations: operations,
  });

const tooExpensive = (where: string) => ({
  status: 400,
  scimType: 'tooMany',
  code: 'patch.tooExpensive',
  detail: `${where}: The PATCH is too expensive: its value filters and value comparisons need more than ${PATCH_WORK_BUDGET} steps, the limit for one PATCH (a step tests one value against one filter term, or compares two values); send fewer operations or simpler filters, or split the change into several PATCH requests`,
});

const tooManyValues = (where: string, count: number) => ({
  status: 400,
  scimType: 'invalidValue',
  code: 'value.tooManyValues',
  detail: `${where}: attribute "emails" would have ${count} values; at most ${MAX_VALUES_PER_ATTRIBUTE} are accepted per attribute`,
});

const address = (i: number) => `user${i}@example.com`;
const emails = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => ({ value: address(from + i), type: 'work' }));
const user = (list: readonly ScimValue[]): ResourceDoc => ({
  userName: 'victim@example.com',
  active: true,
  emails: list,
});

test(`${MAX_PATCH_OPERATIONS} operations are accepted, one more is refused`, () => {
  const ops = (count: number) => Array.from({ length: count }, () => ({ op: 'replace', path: 'active', value: true }));
  assert.equal(normalizeOps({ Operations: ops(MAX_PATCH_OPERATIONS) }).length, MAX_PATCH_OPERATIONS);
  assert.deepEqual(
    refusal(() => normalizeOps({ Operations: ops(MAX_PATCH_OPERATIONS + 1) })),
    {
      status: 400,
      scimType: 'invalidSyntax',
      code: 'patch.tooManyOperations',
      detail: 'A PATCH may carry at most 1000 operations, got 1001',
    },
  );
});

describe('the audit: 1,800 long e-mails and 60 remove operations of 50 "co" terms each', () => {
  const long = Array.from({ length: 1800 }, (_, i) => ({ value: `${'a'.repeat(480)}${i}@example.com`, display: 'x' }));
  const filter = Array.from({ length: MAX_FILTER_TERMS }, (_, i) => `value co "b${i}"`).join(' or ');
  const operations = Array.from({ length: 60 }, () => ({ op: 'remove', path: `emails[${filter}].display` }));

  test('on a user stored before the caps, the budget stops it in the first operation', () => {
    // 1,800 elements × 50 terms = 90,000 units for Operations[0], past the 5,000 of the budget.
    assert.deepEqual(
      refusal(() => patch(user(long), operations)),
      tooExpensive('Operations[0]'),
    );
  });

  test('on a user at the value cap, after the first operation', () => {
    // 100 elements × 50 terms = 5,000 units per operation: one of them spends the budget exactly.
    const atCap = user(long.slice(0, MAX_VALUES_PER_ATTRIBUTE));
    assert.deepEqual(
      refusal(() => patch(atCap, operations)),
      tooExpensive('Operations[1]'),
    );
    assert.deepEqual(patch(atCap, operations.slice(0, 1)).changed, []);
  });

  test('such a user can still be deactivated and shrunk', () => {
    const result = patch(user(long), [
      { op: 'replace', path: 'active', value: false },
      { op: 'remove', path: 'emails[value ew "17@example.com"]' },
    ]);
    assert.equal(result.doc.active, false);
    // 17, 117, 217, ... 1717: eighteen values end in 17.
    assert.equal((result.doc.emails as readonly unknown[]).length, 1800 - 18);
  });
});

describe('add to a multi-valued attribute', () => {
  test(`skips values already there (ignoring case) and may fill the attribute to ${MAX_VALUES_PER_ATTRIBUTE}`, () => {
    const incoming = [
      ...emails(10, 90),
      ...emails(5).map((e) => ({ ...e, value: e.value.toUpperCase() })),
      { value: address(95), type: 'work' },
    ];
    const result = patch(user(emails(90)), [{ op: 'add', path: 'emails', value: incoming }]);
    assert.deepEqual(result.doc.emails, emails(100));
    assert.deepEqual(result.changed, ['emails']);
  });

  test('one value past the cap is 400 naming the limit', () => {
    assert.deepEqual(
      refusal(() => patch(user(emails(100)), [{ op: 'add', path: 'emails', value: [{ value: address(100) }] }])),
      tooManyValues('Operations[0]', 101),
    );
  });

  test('operations that each fit but together pass the cap are refused at the one that crosses it', () => {
    const ops = [
      { op: 'add', path: 'emails', value: emails(60) },
      { op: 'add', path: 'emails', value: emails(60, 60) },
    ];
    assert.deepEqual(
      refusal(() => patch(user([]), ops)),
      tooManyValues('Operations[1]', 120),
    );
  });

  test('Entra\'s emails[type eq "work"].value creating a value past the cap is refused too', () => {
    const list = emails(100).map((e) => ({ ...e, type: 'home' }));
    assert.deepEqual(
      refusal(() => patch(user(list), [{ op: 'add', path: 'emails[type eq "work"].value', value: 'new@example.com' }])),
      tooManyValues('Operations[0]', 101),
    );
  });

  test(`a value of ${MAX_VALUES_PER_ATTRIBUTE + 1} elements is refused before any is compared`, () => {
    assert.deepEqual(
      refusal(() => patch(user([]), [{ op: 'add', path: 'emails', value: emails(101) }])),
      {
        status: 400,
        scimType: 'invalidValue',
        code: 'value.tooManyValues',
        detail: 'Operations[0]: attribute "emails" has 101 values; at most 100 are accepted per attribute.',
      },
    );
  });

  test('re-adding a value 1,000 times runs into the budget (each add keys 101 values)', () => {
    const ops = Array.from({ length: 1000 }, () => ({ op: 'add', path: 'emails', value: emails(1) }));
    assert.deepEqual(
      refusal(() => patch(user(emails(100)), ops)),
      tooExpensive('Operations[49]'),
    );
  });
});

describe("Entra's remove by value", () => {
  test(`removes exactly the values named, ignoring case, from ${MAX_VALUES_PER_ATTRIBUTE} values`, () => {
    const named = emails(50, 25).map((e) => ({ value: e.value.toUpperCase() }));
    const notMatching = { value: address(0), type: 'home' };
    const result = patch(user(emails(100)), [{ op: 'Remove', path: 'emails', value: [...named, notMatching] }]);
    assert.deepEqual(result.doc.emails, [...emails(25), ...emails(25, 75)]);
  });

  test('removes 100 named values from a user stored with 1,800', () => {
    const named = emails(100, 1000).map((e) => ({ value: e.value }));
    const result = patch(user(emails(1800)), [{ op: 'Remove', path: 'emails', value: named }]);
    assert.deepEqual(result.doc.emails, [...emails(1000), ...emails(700, 1100)]);
  });

  test(`naming more than ${MAX_VALUES_PER_ATTRIBUTE} values in one operation is refused like any value`, () => {
    const named = emails(101).map((e) => ({ value: e.value }));
    assert.equal(
      refusal(() => patch(user(emails(200)), [{ op: 'Remove', path: 'emails', value: named }])).code,
      'value.tooManyValues',
    );
  });
});

test('a value nested 5,000 levels deep is read only as deep as the schema goes', () => {
  let object: unknown = 'x';
  let array: unknown = 'x';
  for (let i = 0; i < 5000; i++) {
    object = { value: object };
    array = [array];
  }
  const outcomes = [
    [{ op: 'add', value: { name: object, title: object } }],
    [{ op: 'add', path: 'emails', value: object }],
    [{ op: 'add', path: 'emails', value: [{ value: 'a@x', display: array }] }],
    [{ op: 'replace', path: 'name', value: object }],
    [{ op: 'remove', path: 'emails', value: array }],
    [{ op: 'add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager', value: object }],
  ].map((ops) => {
    try {
      patch(user(emails(2)), ops);
      return 'applied';
    } catch (error) {
      return error instanceof ScimError ? error.code : String(error);
    }
  });
  // `name` has no `value` sub-attribute: the unknown key is dropped and nothing is left to set.
  assert.deepEqual(outcomes, ['value.type', 'value.type', 'value.type', 'applied', 'value.type', 'value.type']);
});

describe('legitimate IdP PATCHes stay far below the budget', () => {
  test('20 Entra operations on a user with 10 e-mails, several filters of three terms', () => {
    const ops = Array.from({ length: 20 }, (_, i) =>
      i % 2 === 0
        ? { op: 'Replace', path: 'emails[type eq "work" and primary eq true or value eq "x"].display', value: `W${i}` }
        : { op: 'Add', path: 'emails', value: [{ value: address(i), type: 'work' }] },
    );
    const list = emails(10).map((e, i) => (i === 0 ? { ...e, primary: true } : e));
    const result = patch(user(list), ops);
    // The adds of user1..user9 find them already there; user11..user19 are new.
    assert.equal((result.doc.emails as readonly unknown[]).length, 15);
    assert.deepEqual((result.doc.emails as readonly ScimValue[])[0], {
      ...emails(1)[0],
      primary: true,
      display: 'W18',
    });
  });

  test('Group members are not values of the document: 5,000 added in one PATCH', () => {
    const members = Array.from({ length: 5000 }, (_, i) => ({ value: `user-${i}` }));
    const result = applyPatch(
      groupResourceType,
      { displayName: 'Everyone' },
      { schemas: [PATCH_OP_SCHEMA_ID], Operations: [{ op: 'add', path: 'members', value: members }] },
    );
    assert.equal(result.members.add.length, 5000);
  });
});
