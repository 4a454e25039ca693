import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { refusal } from '../../../test/helpers/patch-kit.js';
import { MAX_SCHEMAS, MAX_VALUES_PER_ATTRIBUTE } from '../limits.js';
import { attr } from './attribute.js';
import { coerceValue, type Issue, parseResource } from './coerce.js';
import { ENTERPRISE_USER_SCHEMA_ID } from './enterprise-user-schema.js';
import { groupResourceType, userResourceType } from './resource-types.js';

/** The caps parseResource and coerceValue enforce (limits.ts), each at its limit and one past it. */

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = ENTERPRISE_USER_SCHEMA_ID;

const emails = (count: number) => Array.from({ length: count }, (_, i) => ({ value: `u${i}@example.com` }));

describe('values per multi-valued attribute', () => {
  test(`${MAX_VALUES_PER_ATTRIBUTE} e-mails are accepted`, () => {
    const doc = parseResource(userResourceType, { schemas: [USER], userName: 'jo', emails: emails(100) });
    assert.deepEqual(doc.emails, emails(100));
  });

  test(`${MAX_VALUES_PER_ATTRIBUTE + 1} e-mails are one issue naming the limit`, () => {
    assert.deepEqual(
      refusal(() => parseResource(userResourceType, { schemas: [USER], userName: 'jo', emails: emails(101) })),
      {
        status: 400,
        scimType: 'invalidValue',
        code: 'value.tooManyValues',
        detail: 'Attribute "emails" has 101 values; at most 100 are accepted per attribute.',
      },
    );
  });

  test('past the limit, no element is coerced (30,000 bad elements give one issue)', () => {
    const issues: Issue[] = [];
    const def = attr('phoneNumbers', 'string', { multiValued: true });
    const value = coerceValue(
      def,
      Array.from({ length: 30_000 }, () => 42),
      'phoneNumbers',
      issues,
    );
    assert.deepEqual(
      { value, issues },
      {
        value: undefined,
        issues: [
          {
            path: 'phoneNumbers',
            code: 'tooManyValues',
            message: 'Attribute "phoneNumbers" has 30000 values; at most 100 are accepted per attribute',
          },
        ],
      },
    );
  });

  test('Group members are rows, not document values: 5,000 are accepted', () => {
    const members = Array.from({ length: 5000 }, (_, i) => ({ value: `user-${i}` }));
    const doc = parseResource(groupResourceType, { schemas: [GROUP], displayName: 'Everyone', members });
    assert.equal((doc.members as readonly unknown[]).length, 5000);
  });
});

describe('schemas entries', () => {
  const urns = (count: number) => [USER, ...Array.from({ length: count - 1 }, (_, i) => `urn:example:ext:${i}`)];

  test(`${MAX_SCHEMAS} entries are accepted (unknown URNs without attributes are ignored)`, () => {
    assert.deepEqual(parseResource(userResourceType, { schemas: urns(20), userName: 'jo' }), { userName: 'jo' });
  });

  test(`${MAX_SCHEMAS + 1} entries are one issue naming the limit`, () => {
    assert.deepEqual(
      refusal(() => parseResource(userResourceType, { schemas: urns(21), userName: 'jo' })),
      {
        status: 400,
        scimType: 'invalidValue',
        code: 'value.tooManySchemas',
        detail: 'Attribute "schemas" has 21 entries; at most 20 are accepted.',
      },
    );
  });

  test('30,000 entries and 30,000 keys under them: one issue, the entries are not examined', () => {
    const body: Record<string, unknown> = { schemas: urns(30_000), userName: 'jo' };
    for (let i = 0; i < 30_000; i++) body[`urn:example:ext:${i}:badge`] = 'x';
    assert.deepEqual(
      refusal(() => parseResource(userResourceType, body)),
      {
        status: 400,
        scimType: 'invalidValue',
        code: 'value.tooManySchemas',
        detail: 'Attribute "schemas" has 30000 entries; at most 20 are accepted.',
      },
    );
  });

  test('unknown URNs at the limit, each keying attributes, are all reported', () => {
    const body: Record<string, unknown> = { schemas: urns(20), userName: 'jo' };
    for (let i = 0; i < 30_000; i++) body[`urn:example:ext:${i % 19}:badge${i}`] = 'x';
    const { detail, code } = refusal(() => parseResource(userResourceType, body));
    assert.equal(code, 'value.schemas');
    assert.match(detail, /^Attribute "urn:example:ext:0" belongs to a schema a User does not support; /);
    assert.match(detail, /; and 9 more problems\.$/);
  });
});

describe('URN-qualified keys', () => {
  test('one core-URN prefix is stripped; a key with the prefix repeated names nothing and is ignored', () => {
    const repeated = `${`${USER}:`.repeat(5000)}userName`;
    assert.deepEqual(parseResource(userResourceType, { [`${USER}:userName`]: 'jo', [repeated]: 'evil' }), {
      userName: 'jo',
    });
    assert.deepEqual(
      refusal(() => parseResource(userResourceType, { [repeated]: 'evil' })),
      {
        status: 400,
        scimType: 'invalidValue',
        code: 'value.required',
        detail: 'Attribute "userName" is required.',
      },
    );
  });

  test('an extension attribute behind a core prefix, or with its own prefix twice, is ignored', () => {
    const body = {
      userName: 'jo',
      [`${USER}:${ENTERPRISE}:department`]: 'Legal',
      [`${ENTERPRISE}:${ENTERPRISE}:department`]: 'Legal',
      [`${ENTERPRISE}:costCenter`]: '42',
    };
    assert.deepEqual(parseResource(userResourceType, body), { userName: 'jo', [ENTERPRISE]: { costCenter: '42' } });
  });
});
