import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ENTERPRISE_USER_SCHEMA_ID } from './enterprise-user-schema.js';
import { resolvePath } from './resolve-path.js';
import { groupResourceType, userResourceType } from './resource-types.js';
import { USER_SCHEMA_ID } from './user-schema.js';

test('resolvePath: names ignore case and come back in the schema spelling', () => {
  const table: [Parameters<typeof resolvePath>[1], string | undefined, string | undefined, boolean][] = [
    [{ attr: 'USERNAME' }, 'userName', undefined, false],
    [{ attr: 'name', sub: 'GIVENNAME' }, 'name', 'givenName', false],
    [{ attr: 'externalid' }, 'externalId', undefined, false],
    [{ attr: 'meta', sub: 'lastmodified' }, 'meta', 'lastModified', false],
    [{ uri: USER_SCHEMA_ID.toUpperCase(), attr: 'userName' }, 'userName', undefined, false],
    [{ uri: USER_SCHEMA_ID, attr: 'externalId' }, 'externalId', undefined, false],
    [{ uri: ENTERPRISE_USER_SCHEMA_ID, attr: 'manager', sub: 'value' }, 'manager', 'value', true],
    [{ uri: ENTERPRISE_USER_SCHEMA_ID, attr: 'userName' }, undefined, undefined, false],
    [{ attr: 'employeeNumber' }, undefined, undefined, false],
    [{ attr: 'name', sub: 'nope' }, undefined, undefined, false],
  ];
  for (const [path, attr, sub, isExtension] of table) {
    const resolved = resolvePath(userResourceType, path);
    assert.equal(resolved?.attribute.name, attr, JSON.stringify(path));
    assert.equal(resolved?.sub?.name, sub, JSON.stringify(path));
    if (resolved) assert.equal(resolved.isExtension, isExtension, JSON.stringify(path));
  }
});

test('resolvePath: a Group has members and no userName', () => {
  assert.equal(resolvePath(groupResourceType, { attr: 'members', sub: 'value' })?.sub?.name, 'value');
  assert.equal(resolvePath(groupResourceType, { attr: 'userName' }), undefined);
});
