import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AttrPath } from '../attr-path.js';
import type { Filter } from '../filter/ast.js';
import { parseAttrPath } from '../lexer.js';
import { parseAttributeOptions } from '../list-request.js';
import { attr, type ResourceTypeDef } from '../schema/attribute.js';
import { groupResourceType, userResourceType } from '../schema/resource-types.js';
import { invalidValue, ScimError } from '../scim-error.js';
import { type ProjectionOptions, project, wantsAttribute } from './project.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** Paths as a client writes them, parsed the way list-request.ts parses them. */
const paths = (...texts: string[]): AttrPath[] => texts.map((t) => parseAttrPath(t, (d) => invalidValue(d)));
const opts = (attributes?: string[], excludedAttributes?: string[]): ProjectionOptions => ({
  ...(attributes ? { attributes: paths(...attributes) } : {}),
  ...(excludedAttributes ? { excludedAttributes: paths(...excludedAttributes) } : {}),
});

const meta = {
  resourceType: 'User',
  created: '2010-01-23T04:56:22Z',
  lastModified: '2011-05-13T04:42:34Z',
  location: 'https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646',
  version: 'W/"3694e05e9dff591"',
};
const emails = [
  { value: 'bjensen@example.com', type: 'work', primary: true },
  { value: 'babs@jensen.org', type: 'home' },
];
const enterprise = {
  employeeNumber: '701984',
  department: 'Tour Operations',
  manager: { value: '26118915-6090-4610-87a4-49d0ca5f5f45', displayName: 'John Smith' },
};
const user: Record<string, unknown> = {
  schemas: [USER, ENTERPRISE],
  id: '2819c223-7f76-453a-919d-413861904646',
  externalId: 'bjensen',
  userName: 'Bjensen@example.com',
  name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
  displayName: 'Babs Jensen',
  active: true,
  password: 't1meMa$heen',
  emails,
  groups: [{ value: 'e9e30dba', $ref: 'https://example.com/v2/Groups/e9e30dba', display: 'Tour Guides' }],
  [ENTERPRISE]: enterprise,
  meta,
};
const { password: _password, ...userWithoutPassword } = user;
// `schemas` lists the extension only when the projection keeps some of it (RFC 7643 §3).
const always = { schemas: [USER], id: '2819c223-7f76-453a-919d-413861904646' };
const alwaysWithExtension = { ...always, schemas: [USER, ENTERPRISE] };

describe('project: users (RFC 7644 §3.4.2.5, §3.9; RFC 7643 §7)', () => {
  const cases: [string, ProjectionOptions, Record<string, unknown>][] = [
    ['no options: everything but "never" attributes', opts(), userWithoutPassword],
    ['attributes=userName keeps the "always" ones', opts(['userName']), { ...always, userName: 'Bjensen@example.com' }],
    ['attributes=name.givenName', opts(['name.givenName']), { ...always, name: { givenName: 'Barbara' } }],
    ['attributes=emails', opts(['emails']), { ...always, emails }],
    [
      'attributes=emails.value',
      opts(['emails.value']),
      { ...always, emails: [{ value: 'bjensen@example.com' }, { value: 'babs@jensen.org' }] },
    ],
    [
      'attributes=name.givenName,name (the whole wins)',
      opts(['name.givenName', 'name']),
      { ...always, name: user.name },
    ],
    [
      'attributes ignore case',
      opts(['USERNAME', 'Name.GivenName', 'urn:ietf:params:scim:schemas:extension:ENTERPRISE:2.0:User:EmployeeNumber']),
      {
        ...alwaysWithExtension,
        userName: 'Bjensen@example.com',
        name: { givenName: 'Barbara' },
        [ENTERPRISE]: { employeeNumber: '701984' },
      },
    ],
    [
      'attributes with an extension attribute',
      opts([`${ENTERPRISE}:employeeNumber`]),
      { ...alwaysWithExtension, [ENTERPRISE]: { employeeNumber: '701984' } },
    ],
    [
      'attributes with an extension sub-attribute',
      opts([`${ENTERPRISE}:manager.displayName`]),
      { ...alwaysWithExtension, [ENTERPRISE]: { manager: { displayName: 'John Smith' } } },
    ],
    [
      'attributes with the extension URN alone',
      opts([ENTERPRISE]),
      { ...alwaysWithExtension, [ENTERPRISE]: enterprise },
    ],
    [
      'attributes with the core URN alone',
      opts([USER]),
      (() => {
        const { [ENTERPRISE]: _ext, ...rest } = userWithoutPassword;
        return { ...rest, schemas: [USER] };
      })(),
    ],
    [
      'attributes with a core-URN-prefixed name',
      opts([`${USER}:displayName`]),
      { ...always, displayName: 'Babs Jensen' },
    ],
    [
      'attributes=meta.lastModified',
      opts(['meta.lastModified']),
      { ...always, meta: { lastModified: meta.lastModified } },
    ],
    ['attributes=password returns nothing more', opts(['password']), always],
    ['attributes naming unknown attributes', opts(['nosuch', 'name.nosuch', 'urn:x:y:z']), always],
    [
      'attributes win over excludedAttributes',
      opts(['userName'], ['userName']),
      { ...always, userName: 'Bjensen@example.com' },
    ],
    [
      'excludedAttributes=emails,name.formatted,meta.version',
      opts(undefined, ['emails', 'name.formatted', 'meta.version']),
      (() => {
        const { emails: _emails, ...rest } = userWithoutPassword;
        return {
          ...rest,
          name: { familyName: 'Jensen', givenName: 'Barbara' },
          meta: { ...meta, version: undefined },
        };
      })(),
    ],
    [
      'excludedAttributes=id,schemas cannot remove "always" ones',
      opts(undefined, ['id', 'schemas']),
      userWithoutPassword,
    ],
    [
      'excludedAttributes with the extension URN alone',
      opts(undefined, [ENTERPRISE]),
      (() => {
        const { [ENTERPRISE]: _ext, ...rest } = userWithoutPassword;
        return { ...rest, schemas: [USER] };
      })(),
    ],
    [
      'excludedAttributes with an extension attribute',
      opts(undefined, [`${ENTERPRISE}:manager`, `${ENTERPRISE}:department`]),
      { ...userWithoutPassword, [ENTERPRISE]: { employeeNumber: '701984' } },
    ],
    ['excludedAttributes naming unknown attributes', opts(undefined, ['members', 'nosuch']), userWithoutPassword],
  ];
  for (const [name, options, expected] of cases) {
    test(name, () => {
      // `meta: { version: undefined }` above stands for "version removed".
      const clean = JSON.parse(JSON.stringify(expected)) as unknown;
      assert.deepEqual(project(userResourceType, user, options), clean);
    });
  }

  test('elements left empty are dropped, and an attribute left empty is omitted', () => {
    const resource = {
      schemas: [USER],
      id: '1',
      emails: [{ value: 'a@x' }, { value: 'b@x', type: 'work' }],
      name: { familyName: 'J' },
    };
    assert.deepEqual(project(userResourceType, resource, opts(['emails.type', 'name.givenName'])), {
      schemas: [USER],
      id: '1',
      emails: [{ type: 'work' }],
    });
  });

  test('does not modify its input', () => {
    const before = JSON.stringify(user);
    project(userResourceType, user, opts(['emails.value']));
    project(userResourceType, user, opts(undefined, ['name.givenName']));
    assert.equal(JSON.stringify(user), before);
  });
});

describe('project: groups', () => {
  const members = [
    {
      value: '2819c223-7f76-453a-919d-413861904646',
      $ref: 'https://example.com/v2/Users/2819c223',
      display: 'Babs Jensen',
    },
  ];
  const group = {
    schemas: [GROUP],
    id: 'e9e30dba',
    displayName: 'Tour Guides',
    members,
    meta: { resourceType: 'Group' },
  };
  const cases: [string, ProjectionOptions, Record<string, unknown>][] = [
    ['no options', opts(), group],
    // Entra probes /Groups with excludedAttributes=members.
    [
      'excludedAttributes=members',
      opts(undefined, ['members']),
      { schemas: [GROUP], id: 'e9e30dba', displayName: 'Tour Guides', meta: { resourceType: 'Group' } },
    ],
    [
      'attributes=members.value',
      opts(['members.value']),
      { schemas: [GROUP], id: 'e9e30dba', members: [{ value: members[0]?.value }] },
    ],
    [
      'excludedAttributes=members.$ref',
      opts(undefined, ['members.$REF']),
      { ...group, members: [{ value: members[0]?.value, display: 'Babs Jensen' }] },
    ],
  ];
  for (const [name, options, expected] of cases) {
    test(name, () => assert.deepEqual(project(groupResourceType, group, options), expected));
  }
});

describe('project: returned characteristics of sub-attributes (RFC 7643 §7)', () => {
  // No built-in schema has "request" attributes or "always"/"never" sub-attributes, so a test type.
  const type: ResourceTypeDef = {
    id: 'Thing',
    name: 'Thing',
    endpoint: '/Things',
    description: '',
    schema: {
      id: 'urn:example:Thing',
      name: 'Thing',
      description: '',
      attributes: [
        attr('plain', 'string'),
        attr('onRequest', 'string', { returned: 'request' }),
        attr('x', 'complex', {
          subAttributes: [
            attr('a', 'string'),
            attr('b', 'string', { returned: 'request' }),
            attr('c', 'string', { returned: 'always' }),
            attr('d', 'string', { returned: 'never' }),
          ],
        }),
      ],
    },
    extensions: [],
  };
  const thing = {
    schemas: ['urn:example:Thing'],
    id: 't',
    plain: 'p',
    onRequest: 'r',
    x: { a: 'A', b: 'B', c: 'C', d: 'D' },
  };
  const base = { schemas: ['urn:example:Thing'], id: 't' };
  const cases: [string, ProjectionOptions, Record<string, unknown>][] = [
    ['no options', opts(), { ...base, plain: 'p', x: { a: 'A', c: 'C' } }],
    ['attributes=onRequest', opts(['onRequest']), { ...base, onRequest: 'r' }],
    ['attributes=x', opts(['x']), { ...base, x: { a: 'A', c: 'C' } }],
    ['attributes=x.b', opts(['x.b']), { ...base, x: { b: 'B', c: 'C' } }],
    ['attributes=x,x.b', opts(['x', 'x.b']), { ...base, x: { a: 'A', b: 'B', c: 'C' } }],
    ['attributes=x.d', opts(['x.d']), { ...base, x: { c: 'C' } }],
    ['excludedAttributes=x.c,x.a', opts(undefined, ['x.c', 'x.a']), { ...base, plain: 'p', x: { c: 'C' } }],
    ['excludedAttributes=x', opts(undefined, ['x']), { ...base, plain: 'p' }],
    ['excludedAttributes=plain', opts(undefined, ['plain']), { ...base, x: { a: 'A', c: 'C' } }],
  ];
  for (const [name, options, expected] of cases) {
    test(name, () => assert.deepEqual(project(type, thing, options), expected));
  }
});

describe('wantsAttribute', () => {
  const cases: [string, ResourceTypeDef, ProjectionOptions, string, boolean][] = [
    ['members by default', groupResourceType, opts(), 'members', true],
    ['members excluded (Entra group probe)', groupResourceType, opts(undefined, ['members']), 'members', false],
    ['members excluded, other case', groupResourceType, opts(undefined, ['MEMBERS']), 'members', false],
    ['one sub-attribute of members excluded', groupResourceType, opts(undefined, ['members.display']), 'members', true],
    ['attributes without members', groupResourceType, opts(['displayName']), 'members', false],
    ['attributes with members.value', groupResourceType, opts(['members.value']), 'members', true],
    ['id is always wanted', groupResourceType, opts(undefined, ['id']), 'id', true],
    ['schemas is always wanted', groupResourceType, opts(['displayName']), 'schemas', true],
    ['groups by default', userResourceType, opts(), 'groups', true],
    ['groups not among attributes', userResourceType, opts(['userName']), 'groups', false],
    ['password never', userResourceType, opts(['password']), 'password', false],
    ['extension by default', userResourceType, opts(), ENTERPRISE, true],
    ['extension attribute named', userResourceType, opts([`${ENTERPRISE}:employeeNumber`]), ENTERPRISE, true],
    ['extension URN named', userResourceType, opts([ENTERPRISE]), ENTERPRISE, true],
    ['extension not among attributes', userResourceType, opts(['userName']), ENTERPRISE, false],
    ['extension excluded', userResourceType, opts(undefined, [ENTERPRISE]), ENTERPRISE, false],
    [
      'one extension attribute excluded',
      userResourceType,
      opts(undefined, [`${ENTERPRISE}:manager`]),
      ENTERPRISE,
      true,
    ],
  ];
  for (const [name, type, options, attrName, expected] of cases) {
    test(name, () => assert.equal(wantsAttribute(type, options, attrName), expected));
  }
});

describe('project: attributes with a value filter (Microsoft SCIM reference server)', () => {
  // Parsed as the routes parse them, so that what is tested is what a request gets.
  const selected = (...attributes: string[]): ProjectionOptions => parseAttributeOptions({ attributes });
  const three = [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
    { value: 'b.jensen@example.com', type: 'Work', display: 'second work' },
  ];
  const resource = { ...user, emails: three };
  const cases: [string, ProjectionOptions, Record<string, unknown>][] = [
    [
      'emails[type eq "work"] keeps the matching values whole (type is caseExact false)',
      selected('emails[type eq "work"]'),
      { ...always, emails: [three[0], three[2]] },
    ],
    [
      'emails[type eq "work"].value keeps only their value',
      selected('emails[type eq "work"].value'),
      { ...always, emails: [{ value: 'bjensen@example.com' }, { value: 'b.jensen@example.com' }] },
    ],
    [
      'emails[primary pr] selects the one value that says it is primary',
      selected('emails[primary pr].value'),
      { ...always, emails: [{ value: 'bjensen@example.com' }] },
    ],
    [
      'emails[not (primary pr)] the others',
      selected('emails[not (primary pr)].value'),
      { ...always, emails: [{ value: 'babs@jensen.org' }, { value: 'b.jensen@example.com' }] },
    ],
    [
      'a filter matching nothing leaves the attribute out',
      selected('userName', 'emails[type eq "other"]'),
      {
        ...always,
        userName: 'Bjensen@example.com',
      },
    ],
    [
      'entries add up: every value gets type, the home one also its value',
      selected('emails.type', 'emails[type eq "home"].value'),
      { ...always, emails: [{ type: 'work' }, { value: 'babs@jensen.org', type: 'home' }, { type: 'Work' }] },
    ],
    [
      'the whole attribute wins over a filter on it',
      selected('emails[type eq "home"]', 'emails'),
      { ...always, emails: three },
    ],
    [
      'two filters on one attribute are a union',
      selected('emails[type eq "home"].value', 'emails[display pr]'),
      { ...always, emails: [{ value: 'babs@jensen.org' }, three[2]] },
    ],
    [
      'a filter on groups (readOnly, server-computed) works the same',
      selected('groups[display sw "tour"].value'),
      { ...always, groups: [{ value: 'e9e30dba' }] },
    ],
    [
      'an attribute the resource type does not have is ignored, filter or not',
      selected('userName', 'members[value eq "x"]'),
      { ...always, userName: 'Bjensen@example.com' },
    ],
  ];
  for (const [name, options, expected] of cases) {
    test(name, () => assert.deepEqual(project(userResourceType, resource, options), expected));
  }

  test('group members are filtered as they are projected (a page at a time in the routes)', () => {
    const page = {
      members: [
        { value: 'u1', type: 'User', display: 'Ada' },
        { value: 't1', type: 'Group', display: 'Legal' },
      ],
    };
    const options = selected('members[type eq "User"].value');
    assert.equal(wantsAttribute(groupResourceType, options, 'members'), true);
    assert.deepEqual(project(groupResourceType, page, options), { members: [{ value: 'u1' }] });
  });

  test('a value filter on a single-valued attribute is refused', () => {
    assert.throws(
      () =>
        project(userResourceType, user, {
          attributes: [{ uri: ENTERPRISE, attr: 'manager', filter: present('value') }],
        }),
      (error: unknown) => error instanceof ScimError && error.scimType === 'invalidFilter',
    );
  });
});

function present(attrName: string): Filter {
  return { kind: 'present', path: { attr: attrName }, at: 0 };
}
