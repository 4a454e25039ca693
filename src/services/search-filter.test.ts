import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseFilter } from '../scim/filter/parse-filter.js';
import { printFilter } from '../scim/filter/print-filter.js';
import { groupResourceType, userResourceType } from '../scim/schema/resource-types.js';
import { ScimError } from '../scim/scim-error.js';
import { filtersPerType } from './search-filter.js';

/** [User, Group]: the filter each store gets, printed, or whether every/no resource matches. */
function perType(filter: string): (string | boolean)[] {
  return filtersPerType(parseFilter(filter), [userResourceType, groupResourceType]).map((f) =>
    typeof f === 'boolean' ? f : printFilter(f),
  );
}

describe('filtersPerType (RFC 7644 §3.4.2.2 at the root)', () => {
  test('attributes both types define go to both stores unchanged', () => {
    for (const filter of ['externalId eq "x"', 'meta.lastModified gt "2024-01-01T00:00:00Z"', 'displayName co "e"']) {
      assert.deepEqual(perType(filter), [filter, filter]);
    }
  });

  test('an attribute one type does not define leaves that type out', () => {
    const table: [string, (string | boolean)[]][] = [
      ['userName sw "a"', ['userName sw "a"', false]],
      ['not (userName sw "a")', ['not (userName sw "a")', false]],
      ['emails[type eq "work"]', ['emails[type eq "work"]', false]],
      [
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department pr',
        ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department pr', false],
      ],
      ['members[value eq "u1"]', [false, 'members[value eq "u1"]']],
      ['members.value eq "u1"', [false, 'members.value eq "u1"']],
      [
        'urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "x"',
        [false, 'urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "x"'],
      ],
      // Each type lacks one of the two: neither can match, which is an empty answer, not a 400.
      ['userName eq "x" and members.value eq "y"', [false, false]],
      ['userName eq "x" or members.value eq "y"', [false, false]],
    ];
    for (const [filter, expected] of table) assert.deepEqual(perType(filter), expected, filter);
  });

  test('an attribute no type defines is 400 invalidFilter with its position', () => {
    for (const [filter, position] of [
      ['nosuch eq "x"', 1],
      ['userName eq "x" or nosuch pr', 20],
      ['emails[nosuch eq "x"]', 8],
      ['name.nosuch eq "x"', 1],
    ] as const) {
      assert.throws(
        () => perType(filter),
        (error: unknown) =>
          error instanceof ScimError &&
          error.scimType === 'invalidFilter' &&
          error.code === 'filter.unknownAttribute' &&
          error.detail.includes(`position ${position}`),
        filter,
      );
    }
  });

  test('meta.resourceType is decided per type and the rest simplified around it', () => {
    const table: [string, (string | boolean)[]][] = [
      ['meta.resourceType eq "User"', [true, false]],
      ['meta.resourceType eq "user"', [false, false]],
      ['meta.resourceType ne "User"', [false, true]],
      ['not (meta.resourceType eq "Group")', [true, false]],
      ['meta.resourceType pr', [true, true]],
      ['meta.resourceType eq null', [false, false]],
      ['meta.resourceType ne null', [true, true]],
      ['meta.resourceType sw "Gr"', [false, true]],
      ['meta.resourceType gt "H"', [true, false]],
      ['meta.resourceType le "Group"', [false, true]],
      ['meta.resourceType eq "User" and externalId eq "x"', ['externalId eq "x"', false]],
      ['meta.resourceType eq "User" or externalId eq "x"', [true, 'externalId eq "x"']],
      [
        '(meta.resourceType eq "User" and active eq true) or displayName sw "S"',
        ['active eq true or displayName sw "S"', 'displayName sw "S"'],
      ],
      // Decided before the unknown-attribute rule: groups never see the User attribute active.
      ['meta.resourceType eq "Group" or active eq true', ['active eq true', true]],
      ['meta.resourceType eq "User" and active eq true', ['active eq true', false]],
      ['meta.resourceType eq "Group" and active eq true', [false, false]],
    ];
    for (const [filter, expected] of table) assert.deepEqual(perType(filter), expected, filter);
  });

  test('a bad meta.resourceType comparison is 400 invalidFilter', () => {
    for (const filter of ['meta.resourceType eq 5', 'meta.resourceType gt null', 'meta.resourceType eq true']) {
      assert.throws(
        () => perType(filter),
        (error: unknown) => error instanceof ScimError && error.scimType === 'invalidFilter',
        filter,
      );
    }
  });
});
