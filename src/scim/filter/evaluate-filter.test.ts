import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type AttributeDef, attr, findAttribute } from '../schema/attribute.js';
import { groupSchema } from '../schema/group-schema.js';
import { userSchema } from '../schema/user-schema.js';
import { checkValueFilter } from './check-filter.js';
import { matchesValueFilter } from './evaluate-filter.js';
import { parseFilter } from './parse-filter.js';

const emails = findAttribute(userSchema.attributes, 'emails');
const members = findAttribute(groupSchema.attributes, 'members');
const photos = findAttribute(userSchema.attributes, 'photos');
if (!emails || !members || !photos) throw new Error('schema changed');

// A made-up multi-valued attribute with number and dateTime sub-attributes, for the operators
// our schemas have no sub-attribute of that type for.
const badges = attr('badges', 'complex', {
  multiValued: true,
  subAttributes: [
    attr('level', 'integer'),
    attr('score', 'decimal'),
    attr('since', 'dateTime'),
    attr('code', 'binary'),
  ],
});

const work = { value: 'Babs@Example.com', type: 'work', primary: true };
const home = { value: 'babs@jensen.org', type: 'home' };

describe('matchesValueFilter', () => {
  const cases: { filter: string; element: Record<string, unknown>; attribute?: typeof emails; expected: boolean }[] = [
    // RFC 7644 §3.5.2 examples of value paths.
    { filter: 'type eq "work"', element: work, expected: true },
    { filter: 'type eq "work"', element: home, expected: false },
    {
      filter: 'value eq "2819c223-7f76-453a-919d-413861904646"',
      element: { value: '2819c223-7f76-453a-919d-413861904646' },
      attribute: members,
      expected: true,
    },
    // caseExact false (emails.value, emails.type): compare ignoring case.
    { filter: 'value eq "babs@example.com"', element: work, expected: true },
    { filter: 'TYPE EQ "WORK"', element: work, expected: true },
    // caseExact true (members.value, photos.value): exact.
    { filter: 'value eq "ABC"', element: { value: 'abc' }, attribute: members, expected: false },
    {
      filter: 'value eq "https://photos/A"',
      element: { value: 'https://photos/a' },
      attribute: photos,
      expected: false,
    },
    { filter: 'value co "EXAMPLE"', element: work, expected: true },
    { filter: 'value sw "babs@"', element: work, expected: true },
    { filter: 'value ew ".COM"', element: work, expected: true },
    { filter: 'value ew ".org"', element: work, expected: false },
    { filter: 'value gt "a"', element: work, expected: true },
    { filter: 'value lt "a"', element: work, expected: false },
    { filter: 'value ge "babs@example.com"', element: work, expected: true },
    { filter: 'value le "BABS@EXAMPLE.COM"', element: work, expected: true },
    { filter: 'type ne "work"', element: home, expected: true },
    { filter: 'type ne "work"', element: { value: 'x' }, expected: true },
    { filter: 'primary eq true', element: work, expected: true },
    { filter: 'primary eq true', element: home, expected: false },
    { filter: 'primary ne true', element: home, expected: true },
    { filter: 'primary eq "True"', element: work, expected: true },
    { filter: 'primary eq false', element: { primary: false }, expected: true },
    { filter: 'primary pr', element: home, expected: false },
    { filter: 'type pr', element: home, expected: true },
    { filter: 'display pr', element: { display: '' }, expected: false },
    { filter: 'type eq null', element: { value: 'x' }, expected: true },
    { filter: 'type ne null', element: home, expected: true },
    { filter: 'type eq "work" and primary eq true', element: work, expected: true },
    { filter: 'type eq "work" and primary eq true', element: { type: 'work' }, expected: false },
    { filter: 'type eq "home" or primary eq true', element: work, expected: true },
    { filter: 'not (type eq "work")', element: home, expected: true },
    { filter: 'not (type eq "work")', element: work, expected: false },
    // A stored value of the wrong type (a document written before a schema change) is absent.
    { filter: 'value eq "3"', element: { value: 3 }, expected: false },
    { filter: 'value ne "3"', element: { value: 3 }, expected: true },
    { filter: 'primary eq "false"', element: { primary: false }, expected: true },
    { filter: 'primary eq true', element: { primary: 'true' }, expected: false },
    { filter: 'level gt 2', element: { level: 3 }, attribute: badges, expected: true },
    { filter: 'level le 2', element: { level: 3 }, attribute: badges, expected: false },
    { filter: 'score eq 1.5', element: { score: 1.5 }, attribute: badges, expected: true },
    {
      filter: 'since gt "2024-01-01T00:00:00Z"',
      element: { since: '2024-01-01T01:00:00+00:30' },
      attribute: badges,
      expected: true,
    },
    {
      filter: 'since eq "2024-01-01T00:00:00Z"',
      element: { since: '2024-01-01T01:00:00+01:00' },
      attribute: badges,
      expected: true,
    },
  ];
  for (const c of cases) {
    test(`${c.filter} on ${JSON.stringify(c.element)}`, () => {
      const attribute: AttributeDef = c.attribute ?? emails;
      const checked = checkValueFilter({ schema: undefined, isExtension: false, attribute }, parseFilter(c.filter));
      assert.equal(matchesValueFilter(checked, c.element), c.expected);
    });
  }
});
