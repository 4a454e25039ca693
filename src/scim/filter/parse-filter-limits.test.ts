import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { refusal } from '../../../test/helpers/patch-kit.js';
import {
  MAX_FILTER_LENGTH,
  MAX_FILTER_TERMS,
  MAX_FILTER_VALUE_LENGTH,
  MAX_SUBSTRING_PATTERN_LENGTH,
} from '../limits.js';
import { parsePath } from '../path/parse-path.js';
import { parseFilter } from './parse-filter.js';

/** The caps on what one filter may ask (limits.ts), for list filters and PATCH value paths alike. */

const chain = (terms: number, term: (i: number) => string, joiner = ' or ') =>
  Array.from({ length: terms }, (_, i) => term(i)).join(joiner);

describe('terms per filter', () => {
  test(`${MAX_FILTER_TERMS} comparisons and "pr" tests are accepted`, () => {
    const text = chain(MAX_FILTER_TERMS, (i) => (i % 2 === 0 ? `a${i} eq ${i}` : `a${i} pr`));
    assert.equal(parseFilter(text).kind, 'or');
  });

  test(`term ${MAX_FILTER_TERMS + 1} is 400 filter.tooManyTerms at its position`, () => {
    const text = chain(MAX_FILTER_TERMS + 1, (i) => `x eq ${i}`);
    assert.deepEqual(
      refusal(() => parseFilter(text)),
      {
        status: 400,
        scimType: 'invalidFilter',
        code: 'filter.tooManyTerms',
        detail: `The filter has more than 50 terms (comparisons and "pr" tests), the limit; term 51 starts at position ${text.lastIndexOf('x eq') + 1}`,
      },
    );
  });

  test('terms inside value paths, parentheses and not count alike', () => {
    const inner = chain(25, (i) => `value eq "${i}"`);
    assert.equal(parseFilter(`emails[${inner}] or not (${chain(25, (i) => `a${i} pr`, ' and ')})`).kind, 'or');
    assert.equal(
      refusal(() => parseFilter(`emails[${inner}] or not (${chain(26, (i) => `a${i} pr`, ' and ')})`)).code,
      'filter.tooManyTerms',
    );
  });

  test('a PATCH value path has the same cap, as invalidFilter', () => {
    const filter = (terms: number) => `emails[${chain(terms, (i) => `value co "b${i}"`)}].display`;
    assert.equal(parsePath(filter(MAX_FILTER_TERMS)).subAttr, 'display');
    assert.deepEqual(
      refusal(() => parsePath(filter(MAX_FILTER_TERMS + 1))),
      {
        status: 400,
        scimType: 'invalidFilter',
        code: 'filter.tooManyTerms',
        detail: `The path has more than 50 terms (comparisons and "pr" tests), the limit; term 51 starts at position ${filter(51).lastIndexOf('value co') + 1}`,
      },
    );
  });
});

describe('string literals', () => {
  test(`a value of ${MAX_FILTER_VALUE_LENGTH} characters is accepted, one more is filter.valueTooLong`, () => {
    assert.equal(parseFilter(`userName eq "${'x'.repeat(MAX_FILTER_VALUE_LENGTH)}"`).kind, 'compare');
    assert.deepEqual(
      refusal(() => parseFilter(`userName eq "${'x'.repeat(MAX_FILTER_VALUE_LENGTH + 1)}"`)),
      {
        status: 400,
        scimType: 'invalidFilter',
        code: 'filter.valueTooLong',
        detail: 'The string at position 13 in the filter is 513 characters long; values may be at most 512',
      },
    );
  });

  test('escapes count as the characters they stand for', () => {
    assert.equal(parseFilter(`userName eq "${'\\u00e4'.repeat(MAX_FILTER_VALUE_LENGTH)}"`).kind, 'compare');
  });

  for (const op of ['co', 'sw', 'ew']) {
    test(`a "${op}" value of ${MAX_SUBSTRING_PATTERN_LENGTH} characters is accepted, one more is filter.patternTooLong`, () => {
      assert.equal(parseFilter(`title ${op} "${'a'.repeat(MAX_SUBSTRING_PATTERN_LENGTH)}"`).kind, 'compare');
      assert.deepEqual(
        refusal(() => parseFilter(`title ${op} "${'a'.repeat(MAX_SUBSTRING_PATTERN_LENGTH + 1)}"`)),
        {
          status: 400,
          scimType: 'invalidFilter',
          code: 'filter.patternTooLong',
          detail: `The "${op}" value at position 10 is 257 characters long; "co", "sw" and "ew" values may be at most 256`,
        },
      );
    });
  }

  test('other operators take values up to the general limit', () => {
    assert.equal(parseFilter(`title gt "${'a'.repeat(MAX_SUBSTRING_PATTERN_LENGTH + 1)}"`).kind, 'compare');
  });

  test('inside a PATCH value path, as invalidFilter', () => {
    assert.equal(
      refusal(() => parsePath(`emails[value co "${'b'.repeat(MAX_SUBSTRING_PATTERN_LENGTH + 1)}"].display`)).code,
      'filter.patternTooLong',
    );
  });
});

test(`a filter of exactly ${MAX_FILTER_LENGTH} characters within the other caps is accepted`, () => {
  const terms = chain(7, (i) => `a${i} eq "${'x'.repeat(500)}"`);
  const text = `${terms} or b eq "${'y'.repeat(MAX_FILTER_LENGTH - terms.length - 11)}"`;
  assert.equal(text.length, MAX_FILTER_LENGTH);
  assert.equal(parseFilter(text).kind, 'or');
});
