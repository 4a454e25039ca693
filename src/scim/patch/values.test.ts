import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { isScimObject, type ScimValue } from '../resource-doc.js';
import { attr } from '../schema/attribute.js';
import { PatchWork } from './patch-work.js';
import { appendDistinct, matchesPattern, removeMatching, sameUnder } from './values.js';

/*
 * The Set-based add dedupe and remove-by-value must decide exactly what the pairwise comparisons
 * (`sameUnder`, `matchesPattern`) they replace decided: same elements kept, in the same order.
 */

// `value` ignores case, `id` does not (RFC 7643 §2.2 caseExact), `primary` is a boolean.
const def = attr('things', 'complex', {
  multiValued: true,
  subAttributes: [
    attr('value', 'string'),
    attr('id', 'string', { caseExact: true }),
    attr('type', 'string'),
    attr('primary', 'boolean'),
  ],
});

// Few, case-varied letters (including the Greek final sigma foldCase maps, and a decomposed É),
// so that values equal under folding come up often.
const text = fc.string({ unit: fc.constantFrom('a', 'A', 'Σ', 'σ', 'ς', 'É', 'e\u0301'), maxLength: 2 });
const scalar: fc.Arbitrary<ScimValue> = fc.oneof(text, fc.boolean(), fc.constantFrom(0, 1, -0));
const element: fc.Arbitrary<ScimValue> = fc.oneof(
  {
    weight: 5,
    // `Value` and `extra` are keys the schema spells otherwise or not at all: compared strictly.
    arbitrary: fc.record(
      { value: scalar, Value: text, id: text, type: text, primary: fc.boolean(), extra: scalar },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: scalar },
);

/** The same value with its strings re-cased or decomposed: equal under folding, not always exactly. */
function variant(value: ScimValue): fc.Arbitrary<ScimValue> {
  if (typeof value === 'string') {
    return fc.constantFrom(value, value.toUpperCase(), value.toLowerCase(), value.normalize('NFD'));
  }
  if (isScimObject(value)) {
    return fc.record(Object.fromEntries(Object.entries(value).map(([key, sub]) => [key, variant(sub)])));
  }
  return fc.constant(value);
}

/** Some of an element's sub-attributes, as Entra names an element to remove. */
function partOf(value: ScimValue): fc.Arbitrary<ScimValue> {
  if (!isScimObject(value) || Object.keys(value).length === 0) return variant(value);
  return fc
    .subarray(Object.keys(value), { minLength: 1 })
    .chain((keys) => variant(Object.fromEntries(keys.map((key) => [key, value[key] as ScimValue]))));
}

/** A list, and a second list of fresh values mixed with variants of the first one's elements. */
const lists = (derive: (value: ScimValue) => fc.Arbitrary<ScimValue>) =>
  fc.array(element, { maxLength: 8 }).chain((first) =>
    fc.tuple(
      fc.constant(first),
      fc.array(first.length > 0 ? fc.oneof(element, fc.constantFrom(...first).chain(derive)) : element, {
        maxLength: 8,
      }),
    ),
  );

function pairwiseAppend(current: readonly ScimValue[], incoming: readonly ScimValue[]) {
  const out = [...current];
  const added = new Set<number>();
  for (const item of incoming) {
    if (out.some((existing) => sameUnder(def, existing, item))) continue;
    added.add(out.length);
    out.push(item);
  }
  return { out, added };
}

describe('appendDistinct', () => {
  test('equals the pairwise sameUnder dedupe (property)', () => {
    fc.assert(
      fc.property(lists(variant), ([current, incoming]) => {
        assert.deepEqual(appendDistinct(def, current, incoming, new PatchWork()), pairwiseAppend(current, incoming));
      }),
      { numRuns: 2000 },
    );
  });

  test('an incoming value equal to an existing one under folding is skipped, a caseExact one is not', () => {
    const current = [{ value: 'Ada@Example.com', id: 'X1' }];
    const { out, added } = appendDistinct(
      def,
      current,
      [
        { value: 'ada@example.COM', id: 'X1' },
        { value: 'ada@example.com', id: 'x1' },
      ],
      new PatchWork(),
    );
    assert.deepEqual(
      { out, added: [...added] },
      { out: [...current, { value: 'ada@example.com', id: 'x1' }], added: [1] },
    );
  });
});

describe('removeMatching', () => {
  test('equals filtering by pairwise matchesPattern (property)', () => {
    fc.assert(
      fc.property(lists(partOf), ([elements, patterns]) => {
        const expected = elements.filter((e) => !patterns.some((p) => matchesPattern(def, p, e)));
        assert.deepEqual(removeMatching(def, elements, patterns, new PatchWork()), expected);
      }),
      { numRuns: 2000 },
    );
  });

  test('a pattern names an element by the sub-attributes it gives', () => {
    const elements = [
      { value: 'a@x', type: 'work' },
      { value: 'A@X', type: 'home' },
      { value: 'b@x', type: 'work' },
    ];
    assert.deepEqual(
      removeMatching(def, elements, [{ value: 'a@x' }, { value: 'b@x', type: 'home' }], new PatchWork()),
      [{ value: 'b@x', type: 'work' }],
    );
  });
});
