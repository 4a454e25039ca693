import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Outcome, outcome } from '../../../test/helpers/scim-outcome.js';
import { parseListRequest } from '../list-request.js';
import { applyPatch } from '../patch/apply-patch.js';
import { PATCH_OP_SCHEMA_ID } from '../patch/normalize-ops.js';
import type { ResourceDoc } from '../resource-doc.js';
import { type AttributeType, attr, type ResourceTypeDef } from '../schema/attribute.js';
import { ENTERPRISE_USER_SCHEMA_ID } from '../schema/enterprise-user-schema.js';
import { groupResourceType, userResourceType } from '../schema/resource-types.js';
import type { CompareOp, FilterLiteral } from './ast.js';
import { type CheckedCompare, type CheckedFilter, checkFilter } from './check-filter.js';
import parity from './filter-parity.json' with { type: 'json' };
import { parseFilter } from './parse-filter.js';
import { printFilter } from './print-filter.js';

/** The PATCH route: a remove whose path is the value path, on a document with values to test. */
function patchRoute(type: ResourceTypeDef, doc: ResourceDoc, valuePath: string): Outcome {
  return outcome(() =>
    applyPatch(type, doc, { schemas: [PATCH_OP_SCHEMA_ID], Operations: [{ op: 'remove', path: valuePath }] }),
  );
}

const listRoute = (type: ResourceTypeDef, text: string): Outcome => outcome(() => checkFilter(type, parseFilter(text)));

const bjensen: ResourceDoc = {
  userName: 'bjensen@example.com',
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home', primary: false },
    { value: 'b@x.org' },
  ],
  phoneNumbers: [{ value: '+1 555 0100', type: 'mobile', primary: true }],
  photos: [{ value: 'https://photos.example.com/b.jpg' }],
  x509Certificates: [{ value: 'AAEC', primary: true }],
  addresses: [{ postalCode: '94105', primary: true }],
};

describe('one answer per value filter: PATCH path, list filter and attributes entry (filter-parity.json)', () => {
  for (const c of parity.cases) {
    const valuePath = `${c.attribute ?? 'emails'}[${c.filter}]`;
    test(`${valuePath}${c.refused ? ` is ${c.refused}` : ' is accepted'}`, () => {
      const byPatch = patchRoute(userResourceType, bjensen, valuePath);
      const byList = listRoute(userResourceType, valuePath);
      const byAttributes = outcome(() => parseListRequest({ attributes: valuePath }, { defaultCount: 1, maxCount: 1 }));
      // The same text in all three, so even the positions in the details agree.
      assert.deepEqual(byList, byPatch, 'list filter vs PATCH path');
      assert.deepEqual(byAttributes, byPatch, 'attributes entry vs PATCH path');
      if (c.refused === undefined) {
        assert.equal(byPatch, 'accepted');
      } else {
        assert.notEqual(byPatch, 'accepted');
        if (byPatch !== 'accepted') assert.deepEqual([byPatch.scimType, byPatch.code], ['invalidFilter', c.refused]);
      }
    });
  }
});

/*
 * The operator × type rule, written out here independently of FILTER_OPERATORS, and run over
 * every attribute type, every operator and every kind of literal, both on a single-valued
 * attribute (a list filter) and on the same type as a sub-attribute in a PATCH value path.
 */

const SIMPLE: readonly Exclude<AttributeType, 'complex'>[] = [
  'string',
  'reference',
  'binary',
  'boolean',
  'integer',
  'decimal',
  'dateTime',
];
const OPS: readonly CompareOp[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];
const LITERALS: readonly string[] = ['"x"', '"2024-05-01T12:00:00Z"', '"True"', '3', 'true', 'null'];

function expected(type: AttributeType, op: CompareOp, literal: string): string {
  const value: FilterLiteral = JSON.parse(literal);
  const presence = value === null && (op === 'eq' || op === 'ne');
  if (type === 'complex') return presence ? 'accepted' : 'filter.operatorType';
  const ordering = ['gt', 'ge', 'lt', 'le'].includes(op);
  const substring = ['co', 'sw', 'ew'].includes(op);
  if (type === 'boolean' && (ordering || substring)) return 'filter.operatorType';
  if (type === 'binary' && ordering) return 'filter.operatorType';
  if ((type === 'integer' || type === 'decimal' || type === 'dateTime') && substring) return 'filter.operatorType';
  if (value === null) return presence ? 'accepted' : 'filter.nullOperator';
  const fits =
    type === 'boolean'
      ? typeof value === 'boolean' || value === 'True'
      : type === 'integer' || type === 'decimal'
        ? typeof value === 'number'
        : type === 'dateTime'
          ? value === '2024-05-01T12:00:00Z'
          : typeof value === 'string';
  return fits ? 'accepted' : 'filter.valueType';
}

const name = (type: AttributeType) => `a${type}`;
const things: ResourceTypeDef = {
  id: 'Thing',
  name: 'Thing',
  endpoint: '/Things',
  description: 'One attribute of every type, and a multi-valued one with a sub-attribute of every type',
  schema: {
    id: 'urn:example:Thing',
    name: 'Thing',
    description: '',
    attributes: [
      ...SIMPLE.map((type) => attr(name(type), type)),
      attr('acomplex', 'complex', { subAttributes: [attr('part', 'string')] }),
      attr('items', 'complex', { multiValued: true, subAttributes: SIMPLE.map((type) => attr(name(type), type)) }),
    ],
  },
  extensions: [],
};
const thing: ResourceDoc = {
  items: [
    {
      astring: 'x',
      areference: 'https://x',
      abinary: 'AA==',
      aboolean: true,
      ainteger: 3,
      adecimal: 2.5,
      adateTime: '2024-05-01T12:00:00Z',
    },
  ],
};

describe('the operator × type rule is the same in a list filter and in a PATCH value path', () => {
  for (const type of [...SIMPLE, 'complex' as const]) {
    test(`${type} attributes`, () => {
      for (const op of OPS) {
        for (const literal of LITERALS) {
          const want = expected(type, op, literal);
          const single = listRoute(things, `${name(type)} ${op} ${literal}`);
          assert.equal(single === 'accepted' ? single : single.code, want, `${name(type)} ${op} ${literal}`);
          if (type === 'complex') continue;
          const valuePath = `items[${name(type)} ${op} ${literal}]`;
          const byPatch = patchRoute(things, thing, valuePath);
          assert.equal(byPatch === 'accepted' ? byPatch : byPatch.code, want, valuePath);
          assert.deepEqual(listRoute(things, valuePath), byPatch, valuePath);
        }
      }
      const presents = [`${name(type)} pr`, ...(type === 'complex' ? [] : [`items[${name(type)} pr]`])];
      for (const present of presents) assert.equal(listRoute(things, present), 'accepted', present);
    });
  }
});

describe('checkFilter: what a checked filter holds', () => {
  const leaf = (type: ResourceTypeDef, text: string): CheckedCompare => {
    const checked = checkFilter(type, parseFilter(text));
    const found = checked.kind === 'valuePath' ? checked.filter : checked;
    assert.equal(found.kind, 'compare');
    return found as CheckedCompare;
  };

  test('Entra legacy "True"/"False" become booleans, in any case, at the top and in a value path', () => {
    assert.equal(leaf(userResourceType, 'active eq "True"').value, true);
    assert.equal(leaf(userResourceType, 'active ne "fALSE"').value, false);
    assert.equal(leaf(userResourceType, 'emails[primary eq "TRUE"]').value, true);
    assert.equal(leaf(userResourceType, 'emails.primary eq "false"').value, false);
  });

  test('a dateTime comparison carries its instant and keeps the text as sent', () => {
    const checked = leaf(userResourceType, 'meta.lastModified gt "2011-05-13T04:42:34+02:00"');
    assert.deepEqual([checked.value, checked.instant], ['2011-05-13T04:42:34+02:00', Date.UTC(2011, 4, 13, 2, 42, 34)]);
  });

  test('paths resolve to the schema spelling; a multi-valued complex attribute alone is its value', () => {
    const names = (text: string) => {
      const { resolved } = leaf(userResourceType, text);
      return [resolved.schema?.id, resolved.attribute.name, resolved.sub?.name];
    };
    assert.deepEqual(names('USERNAME eq "x"'), ['urn:ietf:params:scim:schemas:core:2.0:User', 'userName', undefined]);
    assert.deepEqual(names('meta.LASTMODIFIED gt "2011-05-13T04:42:34Z"'), [undefined, 'meta', 'lastModified']);
    assert.deepEqual(names(`${ENTERPRISE_USER_SCHEMA_ID}:manager.VALUE eq "x"`), [
      ENTERPRISE_USER_SCHEMA_ID,
      'manager',
      'value',
    ]);
    assert.deepEqual(names('emails co "x"'), ['urn:ietf:params:scim:schemas:core:2.0:User', 'emails', 'value']);
    assert.deepEqual(names('emails[TYPE eq "work"]'), ['urn:ietf:params:scim:schemas:core:2.0:User', 'emails', 'type']);
  });

  test('checking a checked filter changes nothing: root search may check per type before the type list does', () => {
    for (const text of ['emails[primary eq "True"] and meta.created gt "2024-01-01T00:00:00Z"', 'emails pr']) {
      const once = checkFilter(userResourceType, parseFilter(text));
      assert.deepEqual(checkFilter(userResourceType, once), once);
    }
  });

  test('a checked filter is a Filter: it prints as what it means', () => {
    for (const [text, printed] of [
      [
        'emails[type eq "work" and primary eq true] or not (userName sw "a")',
        'emails[type eq "work" and primary eq true] or not (userName sw "a")',
      ],
      [
        'active eq "True" and meta.created ge "2024-01-01T00:00:00Z"',
        'active eq true and meta.created ge "2024-01-01T00:00:00Z"',
      ],
    ] as const) {
      const checked: CheckedFilter = checkFilter(userResourceType, parseFilter(text));
      assert.equal(printFilter(checked), printed);
    }
  });
});

describe('checkFilter: the details of a refusal', () => {
  const cases: [ResourceTypeDef, string, string, string][] = [
    [
      userResourceType,
      'nosuch eq "x"',
      'filter.unknownAttribute',
      'Unknown attribute "nosuch" at position 1 for resource type User',
    ],
    [
      groupResourceType,
      'displayName eq "x" or userName eq "x"',
      'filter.unknownAttribute',
      'Unknown attribute "userName" at position 23 for resource type Group',
    ],
    [
      userResourceType,
      'emails[color eq "red"]',
      'filter.unknownAttribute',
      '"color" is not a sub-attribute of "emails" (position 8); inside "emails[...]" use one of: value, display, type, primary',
    ],
    [
      userResourceType,
      'name[givenName eq "Ada"]',
      'filter.filterOnSingle',
      '"name[...]" at position 1 filters "name", which is not a multi-valued complex attribute; value filters select elements of attributes such as emails',
    ],
    [
      userResourceType,
      'active gt true',
      'filter.operatorType',
      '"active" is a boolean: gt does not apply to it (RFC 7644 §3.4.2.2); use eq, ne or pr (position 1)',
    ],
    [
      userResourceType,
      'meta.created co "2011"',
      'filter.operatorType',
      '"meta.created" is a date-time: co does not apply to it; use eq, ne, gt, ge, lt, le or pr (position 1)',
    ],
    [
      userResourceType,
      'emails[primary co "t"]',
      'filter.operatorType',
      '"emails.primary" is a boolean: co does not apply to it (RFC 7644 §3.4.2.2); use eq, ne or pr (position 8)',
    ],
    [
      userResourceType,
      'name sw "A"',
      'filter.operatorType',
      '"name" is complex: sw does not apply to it; compare one of its sub-attributes, such as "name.formatted" (position 1)',
    ],
    [
      userResourceType,
      'title gt null',
      'filter.nullOperator',
      '"title gt null" cannot be answered: only eq and ne compare with null; use "pr" or "eq null" (position 1)',
    ],
    [userResourceType, 'userName eq 5', 'filter.valueType', '"userName" compares with a string, got 5 (position 1)'],
    [
      userResourceType,
      'active eq "yes"',
      'filter.valueType',
      '"active" compares with true or false, got "yes" (position 1)',
    ],
    [
      userResourceType,
      'meta.created gt "yesterday"',
      'filter.valueType',
      '"meta.created" compares with an RFC 3339 date-time string, got "yesterday" (position 1)',
    ],
    [
      userResourceType,
      'meta.created gt "2024-01-01T00:00:00"',
      'filter.valueType',
      '"meta.created" compares with an RFC 3339 date-time string, got "2024-01-01T00:00:00" (position 1)',
    ],
  ];
  for (const [type, text, code, detail] of cases) {
    test(text, () => {
      assert.deepEqual(listRoute(type, text), { scimType: 'invalidFilter', code, detail });
    });
  }

  test('a nested value path (only a hand-built AST has one: the parser refuses it)', () => {
    const inner = parseFilter('emails[type eq "work"]');
    const outer = { kind: 'valuePath', path: { attr: 'emails' }, filter: inner, at: 0 } as const;
    assert.deepEqual(
      outcome(() => checkFilter(userResourceType, outer)),
      {
        scimType: 'invalidFilter',
        code: 'filter.nestedValuePath',
        detail: 'Value filters cannot nest: "emails[type eq "work"]" inside "emails[...]" (position 1)',
      },
    );
  });

  test('inside a value path a sub-attribute is named alone (a hand-built AST)', () => {
    const filter = parseFilter('emails[type eq "work"]');
    assert.equal(filter.kind, 'valuePath');
    if (filter.kind !== 'valuePath' || filter.filter.kind !== 'compare') return;
    const qualified = { ...filter, filter: { ...filter.filter, path: { attr: 'emails', sub: 'type' } } };
    const result = outcome(() => checkFilter(userResourceType, qualified));
    assert.equal(result === 'accepted' ? result : result.code, 'filter.unknownAttribute');
  });
});
