import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkListRequest, checkSortBy, notFilterableError, notSortableError } from './list-check.js';
import { type ListRequest, listResponse, parseAttributeOptions, parseListRequest } from './list-request.js';
import { groupResourceType, userResourceType } from './schema/resource-types.js';
import { ScimError } from './scim-error.js';

const limits = { defaultCount: 100, maxCount: 1000 };
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('parseListRequest: query strings (RFC 7644 §3.4.2)', () => {
  const cases: [string, Record<string, unknown>, ListRequest][] = [
    ['no parameters', {}, { startIndex: 1, count: 100, sortOrder: 'ascending' }],
    [
      'RFC 7644 §3.4.2.4 pagination example',
      { startIndex: '1', count: '10' },
      { startIndex: 1, count: 10, sortOrder: 'ascending' },
    ],
    [
      'Entra test connection',
      { filter: 'userName eq "7b6b4f24-5bd6-4e2a-9a4d-8c2d0c1e8f0a"' },
      {
        filter: {
          kind: 'compare',
          path: { attr: 'userName' },
          op: 'eq',
          value: '7b6b4f24-5bd6-4e2a-9a4d-8c2d0c1e8f0a',
          at: 0,
        },
        startIndex: 1,
        count: 100,
        sortOrder: 'ascending',
      },
    ],
    [
      'Entra group probe',
      { excludedAttributes: 'members', filter: 'displayName eq "x"' },
      {
        filter: { kind: 'compare', path: { attr: 'displayName' }, op: 'eq', value: 'x', at: 0 },
        startIndex: 1,
        count: 100,
        sortOrder: 'ascending',
        excludedAttributes: [{ attr: 'members' }],
      },
    ],
    [
      'sorting and attributes',
      {
        sortBy: 'name.familyName',
        sortOrder: 'Descending',
        attributes: ` userName, name.givenName,,${ENTERPRISE}:employeeNumber `,
      },
      {
        startIndex: 1,
        count: 100,
        sortBy: { attr: 'name', sub: 'familyName' },
        sortOrder: 'descending',
        attributes: [
          { attr: 'userName' },
          { attr: 'name', sub: 'givenName' },
          { uri: ENTERPRISE, attr: 'employeeNumber' },
        ],
      },
    ],
    [
      'startIndex below 1 is read as 1',
      { startIndex: '0', count: '5' },
      { startIndex: 1, count: 5, sortOrder: 'ascending' },
    ],
    ['negative startIndex', { startIndex: '-7' }, { startIndex: 1, count: 100, sortOrder: 'ascending' }],
    ['negative count is read as 0', { count: '-3' }, { startIndex: 1, count: 0, sortOrder: 'ascending' }],
    ['count 0 asks for totalResults only', { count: '0' }, { startIndex: 1, count: 0, sortOrder: 'ascending' }],
    ['count above the maximum is capped', { count: '5000' }, { startIndex: 1, count: 1000, sortOrder: 'ascending' }],
    [
      'huge numbers stay safe integers',
      { startIndex: '99999999999999999999999' },
      { startIndex: Number.MAX_SAFE_INTEGER, count: 100, sortOrder: 'ascending' },
    ],
    [
      'parameter names in another case',
      { StartIndex: '3', COUNT: '2', sortorder: 'descending', ExcludedAttributes: 'groups' },
      { startIndex: 3, count: 2, sortOrder: 'descending', excludedAttributes: [{ attr: 'groups' }] },
    ],
    [
      'attributes wins over excludedAttributes',
      { attributes: 'userName', excludedAttributes: 'emails' },
      { startIndex: 1, count: 100, sortOrder: 'ascending', attributes: [{ attr: 'userName' }] },
    ],
    [
      'a repeated parameter arrives as an array',
      { attributes: ['userName', 'emails,active'] },
      {
        startIndex: 1,
        count: 100,
        sortOrder: 'ascending',
        attributes: [{ attr: 'userName' }, { attr: 'emails' }, { attr: 'active' }],
      },
    ],
    [
      'attributes with a value filter (Microsoft reference server), a comma in its literal kept',
      { attributes: 'userName,emails[type eq "work"].value, emails[value co ","]' },
      {
        startIndex: 1,
        count: 100,
        sortOrder: 'ascending',
        attributes: [
          { attr: 'userName' },
          {
            attr: 'emails',
            sub: 'value',
            filter: { kind: 'compare', path: { attr: 'type' }, op: 'eq', value: 'work', at: 7 },
          },
          { attr: 'emails', filter: { kind: 'compare', path: { attr: 'value' }, op: 'co', value: ',', at: 7 } },
        ],
      },
    ],
    [
      'an empty attributes list is no list',
      { attributes: ' , ' },
      { startIndex: 1, count: 100, sortOrder: 'ascending' },
    ],
  ];
  for (const [name, params, expected] of cases) {
    test(name, () => assert.deepEqual(parseListRequest(params, limits), expected));
  }
});

describe('parseListRequest: POST /.search bodies (RFC 7644 §3.4.3)', () => {
  test('RFC 7644 §3.4.3 example', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      attributes: ['displayName', 'userName'],
      filter: 'displayName sw "smith"',
      startIndex: 1,
      count: 10,
    };
    assert.deepEqual(parseListRequest(body, limits), {
      filter: { kind: 'compare', path: { attr: 'displayName' }, op: 'sw', value: 'smith', at: 0 },
      startIndex: 1,
      count: 10,
      sortOrder: 'ascending',
      attributes: [{ attr: 'displayName' }, { attr: 'userName' }],
    });
  });

  test('excludedAttributes as an array', () => {
    assert.deepEqual(parseListRequest({ excludedAttributes: ['members', 'meta.version'], count: 2 }, limits), {
      startIndex: 1,
      count: 2,
      sortOrder: 'ascending',
      excludedAttributes: [{ attr: 'members' }, { attr: 'meta', sub: 'version' }],
    });
  });
});

describe('parseListRequest: errors', () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    [
      'bad filter',
      { filter: 'userName equals "x"' },
      'invalidFilter',
      'Expected a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after "userName" at position 10, found "equals"',
    ],
    [
      'empty filter',
      { filter: '' },
      'invalidFilter',
      'The filter is empty; write an expression such as userName eq "bjensen"',
    ],
    [
      'filter given twice',
      { filter: ['a pr', 'b pr'] },
      'invalidFilter',
      'The filter parameter must be one string; give it once',
    ],
    ['fractional count', { count: '1.5' }, 'invalidValue', 'count must be an integer, not "1.5"'],
    ['fractional count in a body', { count: 2.5 }, 'invalidValue', 'count must be an integer, not 2.5'],
    ['word as startIndex', { startIndex: 'first' }, 'invalidValue', 'startIndex must be an integer, not "first"'],
    ['empty count', { count: '' }, 'invalidValue', 'count must be an integer, not ""'],
    ['sortOrder', { sortOrder: 'up' }, 'invalidValue', 'sortOrder must be "ascending" or "descending", not "up"'],
    [
      'sortBy with a filter',
      { sortBy: 'emails[type eq "work"]' },
      'invalidValue',
      'Invalid sortBy entry "emails[type eq \\"work\\"]": Expected only an attribute name, found "[" at position 7',
    ],
    [
      'excludedAttributes with a value filter: RFC 7644 gives it no meaning',
      { excludedAttributes: 'emails[type eq "work"]' },
      'invalidValue',
      'Invalid excludedAttributes entry "emails[type eq \\"work\\"]": excludedAttributes takes attribute names only; a value filter there has no meaning in RFC 7644 (§3.4.2.5, §3.10). Exclude the whole attribute or a sub-attribute, such as emails.display, or select values with attributes=emails[type eq "work"]',
    ],
    [
      'attributes with a value filter on a single-valued attribute',
      { attributes: 'name[givenName eq "Ada"]' },
      'invalidFilter',
      'attributes entry "name[givenName eq "Ada"]" filters "name", which is not a multi-valued complex attribute; value filters select values of attributes such as emails',
    ],
    [
      'attributes with a value filter naming no sub-attribute',
      { attributes: 'emails[kind eq "work"]' },
      'invalidFilter',
      '"kind" is not a sub-attribute of "emails" (position 8); inside "emails[...]" use one of: value, display, type, primary',
    ],
    [
      'attributes with an unclosed value filter',
      { attributes: 'emails[type eq "work"' },
      'invalidFilter',
      'Invalid attributes entry "emails[type eq \\"work\\"": Missing "]" to close "emails[" at position 7',
    ],
    [
      'attributes whose value filters together pass the term limit',
      { attributes: Array.from({ length: 26 }, () => 'emails[type eq "a" and value pr]') },
      'invalidFilter',
      'The value filters of attributes have more than 50 terms (comparisons and "pr" tests) together, the limit',
    ],
    [
      'attributes of the wrong type',
      { attributes: [1] },
      'invalidValue',
      'attributes must be a comma-separated string or an array of attribute names, not [1]',
    ],
  ];
  for (const [name, params, scimType, detail] of cases) {
    test(name, () => {
      assert.throws(
        () => parseListRequest(params, limits),
        (error: unknown) => {
          if (!(error instanceof ScimError)) return false;
          assert.deepEqual(
            { status: error.status, scimType: error.scimType, detail: error.detail },
            { status: 400, scimType, detail },
          );
          return true;
        },
      );
    });
  }
});

describe('parseAttributeOptions', () => {
  const cases: [Record<string, unknown>, ReturnType<typeof parseAttributeOptions>][] = [
    [{}, {}],
    [{ excludedAttributes: 'members' }, { excludedAttributes: [{ attr: 'members' }] }],
    [{ attributes: 'id', excludedAttributes: 'members' }, { attributes: [{ attr: 'id' }] }],
  ];
  for (const [params, expected] of cases) {
    test(JSON.stringify(params), () => assert.deepEqual(parseAttributeOptions(params), expected));
  }
});

describe('listResponse', () => {
  test('RFC 7644 §3.4.2 ListResponse', () => {
    assert.deepEqual(listResponse([{ id: 'a' }, { id: 'b' }], 12, 3), {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 12,
      startIndex: 3,
      itemsPerPage: 2,
      Resources: [{ id: 'a' }, { id: 'b' }],
    });
  });

  test('Entra test connection gets an empty page', () => {
    assert.deepEqual(listResponse([], 0, 1), {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });
  });
});

describe('checkListRequest: the checks that need the resource type, before any store is asked', () => {
  test('the filter and sortBy come back checked; the rest as parsed', () => {
    const parsed = parseListRequest(
      { filter: 'emails[primary eq "True"]', sortBy: 'NAME.familyName', sortOrder: 'descending', count: '5' },
      limits,
    );
    const checked = checkListRequest(userResourceType, parsed);
    assert.deepEqual(
      { ...checked, filter: undefined, sortBy: undefined },
      { ...parsed, filter: undefined, sortBy: undefined },
    );
    assert.equal(checked.filter?.kind === 'valuePath' && checked.filter.filter.kind === 'compare', true);
    if (checked.filter?.kind === 'valuePath' && checked.filter.filter.kind === 'compare') {
      assert.equal(checked.filter.filter.value, true);
    }
    assert.deepEqual(
      [checked.sortBy?.attr, checked.sortBy?.resolved.attribute.name, checked.sortBy?.resolved.sub?.name],
      ['NAME', 'name', 'familyName'],
    );
  });

  test('a query without filter or sortBy is unchanged', () => {
    const parsed = parseListRequest({ startIndex: '3' }, limits);
    assert.deepEqual(checkListRequest(groupResourceType, parsed), parsed);
  });

  test('a filter naming an attribute the type does not have is refused here, not by a store', () => {
    const parsed = parseListRequest({ filter: 'userName eq "x"' }, limits);
    assert.throws(
      () => checkListRequest(groupResourceType, parsed),
      (error: unknown) => error instanceof ScimError && error.code === 'filter.unknownAttribute',
    );
  });
});

describe('checkSortBy (RFC 7644 §3.4.2.3)', () => {
  test('an attribute, or a sub-attribute of a complex one, resolves', () => {
    for (const [path, attr, sub] of [
      [{ attr: 'userName' }, 'userName', undefined],
      [{ attr: 'meta', sub: 'LASTMODIFIED' }, 'meta', 'lastModified'],
      [{ uri: ENTERPRISE, attr: 'manager', sub: 'value' }, 'manager', 'value'],
      // RFC-valid (the primary value orders); whether the store can is its own question.
      [{ attr: 'emails', sub: 'value' }, 'emails', 'value'],
    ] as const) {
      const { resolved } = checkSortBy(userResourceType, path);
      assert.deepEqual([resolved.attribute.name, resolved.sub?.name], [attr, sub]);
    }
  });

  const refused: [string, Parameters<typeof checkSortBy>[1], string][] = [
    ['an unknown attribute', { attr: 'noSuchAttribute' }, 'sortBy "noSuchAttribute" is not an attribute of User'],
    ['an attribute of the other type', { attr: 'members' }, 'sortBy "members" is not an attribute of User'],
    [
      'a complex attribute',
      { attr: 'name' },
      'sortBy "name" is complex; sort by one of its sub-attributes, such as name.formatted (RFC 7644 §3.4.2.3)',
    ],
    [
      'a multi-valued complex attribute',
      { attr: 'emails' },
      'sortBy "emails" is complex; sort by one of its sub-attributes, such as emails.value (RFC 7644 §3.4.2.3)',
    ],
  ];
  for (const [why, path, detail] of refused) {
    test(`refuses ${why}`, () => {
      assert.throws(
        () => checkSortBy(userResourceType, path),
        (error: unknown) => {
          assert.ok(error instanceof ScimError);
          assert.deepEqual(
            [error.status, error.scimType, error.code, error.detail],
            [400, 'invalidValue', 'list.sortBy', detail],
          );
          return true;
        },
      );
    });
  }
});

describe('the answers to what a store cannot do', () => {
  test('an attribute the store cannot filter on is 400 invalidFilter, with the position and what it can', () => {
    const error = notFilterableError({ resourceType: 'User', path: 'password', at: 0, filterable: ['id', 'userName'] });
    assert.deepEqual(
      [error.status, error.scimType, error.code, error.detail],
      [
        400,
        'invalidFilter',
        'filter.unsupportedAttribute',
        'Filtering User resources on "password" (position 1) is not supported; filterable: id, userName',
      ],
    );
  });

  test('a sortBy the store cannot order by is 400 invalidValue', () => {
    const error = notSortableError({ resourceType: 'Group', path: 'members.value' });
    assert.deepEqual(
      [error.status, error.scimType, error.code, error.detail],
      [400, 'invalidValue', 'list.sortBy', 'sortBy "members.value" is not a sortable attribute of Group'],
    );
  });
});
