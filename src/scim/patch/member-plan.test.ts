import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseFilter } from '../filter/parse-filter.js';
import { ScimError } from '../scim-error.js';
import {
  EMPTY_MEMBER_PLAN,
  isEmptyMemberPlan,
  type MemberPlan,
  MemberPlanBuilder,
  memberIdsOf,
  parseMemberRefs,
  planAdd,
  planRemove,
  planReplaceAll,
} from './member-plan.js';

type Step =
  | { readonly kind: 'add'; readonly ids: readonly string[] }
  | { readonly kind: 'remove'; readonly ids: readonly string[] }
  | { readonly kind: 'replaceAll'; readonly ids: readonly string[] };

const refs = (ids: readonly string[]) => ids.map((value) => ({ value }));

function applyStep(p: MemberPlan, step: Step): MemberPlan {
  switch (step.kind) {
    case 'add':
      return planAdd(p, refs(step.ids));
    case 'remove':
      return planRemove(p, step.ids);
    case 'replaceAll':
      return planReplaceAll(p, refs(step.ids));
  }
}

function plan(steps: readonly Step[]): MemberPlan {
  return steps.reduce(applyStep, EMPTY_MEMBER_PLAN);
}

/** The documented way to run a plan: reset (replaceAll / removeAll), then remove, then add. */
function runPlan(p: MemberPlan, current: ReadonlySet<string>): Set<string> {
  const out = new Set(p.replaceAll?.map((r) => r.value) ?? (p.removeAll === true ? [] : current));
  for (const id of p.remove) out.delete(id);
  for (const ref of p.add) out.add(ref.value);
  return out;
}

/** The operations one by one, as RFC 7644 §3.5.2 describes them. */
function runSteps(steps: readonly Step[], current: ReadonlySet<string>): Set<string> {
  let out = new Set(current);
  for (const step of steps) {
    if (step.kind === 'add') for (const id of step.ids) out.add(id);
    if (step.kind === 'remove') for (const id of step.ids) out.delete(id);
    if (step.kind === 'replaceAll') out = new Set(step.ids);
  }
  return out;
}

describe('member plan', () => {
  const cases: { name: string; steps: Step[]; expected: MemberPlan }[] = [
    { name: 'add', steps: [{ kind: 'add', ids: ['a', 'b'] }], expected: { add: refs(['a', 'b']), remove: [] } },
    {
      name: 'adding twice keeps one',
      steps: [
        { kind: 'add', ids: ['a', 'a'] },
        { kind: 'add', ids: ['a'] },
      ],
      expected: { add: refs(['a']), remove: [] },
    },
    { name: 'remove', steps: [{ kind: 'remove', ids: ['a'] }], expected: { add: [], remove: ['a'] } },
    {
      name: 'add then remove cancels the add and still removes',
      steps: [
        { kind: 'add', ids: ['a'] },
        { kind: 'remove', ids: ['a'] },
      ],
      expected: { add: [], remove: ['a'] },
    },
    {
      name: 'remove then add cancels the remove',
      steps: [
        { kind: 'remove', ids: ['a'] },
        { kind: 'add', ids: ['a'] },
      ],
      expected: { add: refs(['a']), remove: [] },
    },
    {
      name: 'replace with nothing is removeAll',
      steps: [{ kind: 'replaceAll', ids: [] }],
      expected: { add: [], remove: [], removeAll: true },
    },
    {
      name: 'removeAll then add becomes replaceAll',
      steps: [
        { kind: 'replaceAll', ids: [] },
        { kind: 'add', ids: ['a'] },
      ],
      expected: { add: [], remove: [], replaceAll: refs(['a']) },
    },
    {
      name: 'a later replaceAll discards earlier adds and removes',
      steps: [
        { kind: 'add', ids: ['a'] },
        { kind: 'remove', ids: ['b'] },
        { kind: 'replaceAll', ids: ['c'] },
      ],
      expected: { add: [], remove: [], replaceAll: refs(['c']) },
    },
    {
      name: 'removing the last of a replaceAll is removeAll',
      steps: [
        { kind: 'replaceAll', ids: ['c'] },
        { kind: 'remove', ids: ['c'] },
      ],
      expected: { add: [], remove: [], removeAll: true },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(plan(c.steps), c.expected);
    });
  }

  test('the empty plan is empty', () => {
    assert.equal(isEmptyMemberPlan(EMPTY_MEMBER_PLAN), true);
    assert.equal(isEmptyMemberPlan(plan([{ kind: 'remove', ids: ['a'] }])), false);
  });

  test('property: running the plan equals running the operations one by one', () => {
    const id = fc.constantFrom('a', 'b', 'c', 'd', 'e');
    const ids = fc.array(id, { maxLength: 4 });
    const step: fc.Arbitrary<Step> = fc.oneof(
      ids.map((list) => ({ kind: 'add' as const, ids: list })),
      ids.map((list) => ({ kind: 'remove' as const, ids: list })),
      ids.map((list) => ({ kind: 'replaceAll' as const, ids: list })),
    );
    fc.assert(
      fc.property(fc.uniqueArray(id), fc.array(step, { maxLength: 8 }), (current, steps) => {
        const p = plan(steps);
        const start = new Set(current);
        assert.deepEqual([...runPlan(p, start)].sort(), [...runSteps(steps, start)].sort());
        // The normal form documented on MemberPlan.
        const reset = p.replaceAll !== undefined || p.removeAll === true;
        assert.ok(!(p.replaceAll !== undefined && p.removeAll === true));
        if (reset) assert.deepEqual([p.add, p.remove], [[], []]);
        if (p.replaceAll !== undefined) assert.ok(p.replaceAll.length > 0);
        const added = new Set(p.add.map((r) => r.value));
        assert.ok(p.remove.every((r) => !added.has(r)));
        assert.equal(added.size, p.add.length);
      }),
      { numRuns: 500 },
    );
  });

  test('property: one builder fed every operation of a PATCH gives the plan the pure steps give', () => {
    const id = fc.constantFrom('a', 'b', 'c', 'd', 'e');
    const ids = fc.array(id, { maxLength: 4 });
    const step: fc.Arbitrary<Step> = fc.oneof(
      ids.map((list) => ({ kind: 'add' as const, ids: list })),
      ids.map((list) => ({ kind: 'remove' as const, ids: list })),
      ids.map((list) => ({ kind: 'replaceAll' as const, ids: list })),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 10 }), (steps) => {
        const builder = new MemberPlanBuilder();
        for (const s of steps) {
          if (s.kind === 'add') builder.add(refs(s.ids));
          if (s.kind === 'remove') builder.remove(s.ids);
          if (s.kind === 'replaceAll') builder.replaceAll(refs(s.ids));
        }
        assert.deepEqual(builder.build(), plan(steps));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseMemberRefs', () => {
  test('Entra and Okta shapes', () => {
    assert.deepEqual(
      parseMemberRefs(
        [{ $ref: null, value: 'u1' }, { value: 'u2', display: 'Babs', type: 'User' }, { Value: 'u3' }],
        'Operations[0]',
      ),
      [{ value: 'u1' }, { value: 'u2', display: 'Babs', type: 'User' }, { value: 'u3' }],
    );
    assert.deepEqual(parseMemberRefs([{ value: 't1', type: 'Group' }], 'Operations[0]'), [
      { value: 't1', type: 'Group' },
    ]);
    assert.deepEqual(parseMemberRefs(null, 'Operations[0]'), []);
    assert.deepEqual(parseMemberRefs([], 'Operations[0]'), []);
  });

  test('an element without a value is refused', () => {
    assert.throws(
      () => parseMemberRefs([{ value: 'u1' }, { display: 'Babs' }], 'Operations[2]'),
      (error: unknown) =>
        error instanceof ScimError &&
        error.scimType === 'invalidValue' &&
        error.detail ===
          'Operations[2]: members[1] must be an object whose "value" is the member\'s id, as in {"value": "2819c223-7f76-453a-919d-413861904646"}, got an object',
    );
  });

  // RFC 7643 §2.4, and what POST, PUT and a PATCH of any other multi-valued attribute answer
  // (schema/coerce-value.ts): no IdP fixture sends anything but an array of objects.
  const refused: { name: string; value: unknown; detail: string }[] = [
    {
      name: 'a bare id string',
      value: 'u1',
      detail:
        'Operations[0]: attribute "members" must be an array (it is multi-valued, RFC 7643 §2.4), got the string "u1".',
    },
    {
      name: 'a lone object',
      value: { value: 'u1' },
      detail: 'Operations[0]: attribute "members" must be an array (it is multi-valued, RFC 7643 §2.4), got an object.',
    },
    {
      name: 'a string element',
      value: [{ value: 'u1' }, 'u2'],
      detail: 'Operations[0]: attribute "members[1]" must be an object such as {"value": "..."}, got the string "u2".',
    },
    {
      name: 'a value that is not a string',
      value: [{ value: 7 }],
      detail: 'Operations[0]: attribute "members[0].value" must be a string, got the number 7.',
    },
  ];
  for (const c of refused) {
    test(`${c.name} is refused as POST refuses it`, () => {
      assert.throws(
        () => parseMemberRefs(c.value, 'Operations[0]'),
        (error: unknown) =>
          error instanceof ScimError &&
          error.status === 400 &&
          error.scimType === 'invalidValue' &&
          error.detail === c.detail,
      );
    });
  }
});

describe('memberIdsOf', () => {
  const accepted: { filter: string; ids: string[] }[] = [
    { filter: 'value eq "u1"', ids: ['u1'] },
    { filter: 'VALUE eq "u1" or value eq "u2" or value eq "u3"', ids: ['u1', 'u2', 'u3'] },
  ];
  for (const c of accepted) {
    test(c.filter, () => assert.deepEqual(memberIdsOf(parseFilter(c.filter), 'Operations[0]'), c.ids));
  }
  for (const filter of [
    'value ne "u1"',
    'value eq "u1" and type eq "User"',
    'display eq "Babs"',
    'value sw "u"',
    'not (value eq "u1")',
    'value eq 1',
  ]) {
    test(`refuses ${filter}`, () => {
      assert.throws(
        () => memberIdsOf(parseFilter(filter), 'Operations[0]'),
        (error: unknown) =>
          error instanceof ScimError &&
          error.scimType === 'invalidFilter' &&
          error.detail.includes('members can be selected only by id'),
      );
    });
  }
});
