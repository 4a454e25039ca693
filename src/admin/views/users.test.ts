import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertInert, HOSTILE, readable, TEST_ORG } from '../../../test/helpers/view-records.js';
import type { DirectoryEvent, UserDetail, UserRecord } from '../../services/index.js';
import { userBody, usersListBody } from './users.js';

const user = (overrides: Partial<UserRecord> = {}): UserRecord => ({
  orgId: TEST_ORG.id,
  id: 'u-1',
  userName: 'jane@contoso.test',
  externalId: 'e-1',
  active: true,
  scimManaged: true,
  doc: { userName: 'jane@contoso.test', displayName: 'Jane', emails: [{ value: 'jane@contoso.test', type: 'work' }] },
  version: 3,
  createdAt: Date.UTC(2026, 0, 1),
  updatedAt: Date.UTC(2026, 11, 1),
  ...overrides,
});

const event: DirectoryEvent = {
  id: 'ev-1',
  type: 'user.deactivated',
  version: 1,
  orgId: TEST_ORG.id,
  cursor: 7,
  occurredAt: '2026-12-01T00:00:00.000Z',
  actor: { kind: 'staff', staffId: 's-1', email: 'ann@example.com' },
  requestId: 'r-1',
  data: { user: {}, changed: ['active'] },
};

test('a user page shows state, link, manager, last change, teams and events newest first', () => {
  const detail: UserDetail = {
    user: user({ active: false }),
    state: 'deactivated',
    managedBy: 'idp',
    teams: [{ teamId: 't-1', displayName: 'Sales', type: 'indirect' }],
  };
  const page = readable(userBody(TEST_ORG, detail, [event]));
  assert.match(page, /badge-warn">deactivated/);
  assert.match(page, /Linked externalId<\/dt><dd class="mono">e-1/);
  assert.match(page, /Managed by<\/dt><dd>the IdP/);
  assert.match(page, /version 3/);
  assert.match(
    page,
    /href="\/admin\/orgs\/[^"]+\/teams\/t-1">Sales<\/a> <span class="muted">\(through a nested team\)/,
  );
  assert.match(page, /<code>user\.deactivated<\/code><\/td>\s*<td>support: ann@example\.com<\/td>\s*<td>active<\/td>/);
  assert.match(page, /log\?resource=u-1">Every request about this user/);
});

test('a user the IdP deleted says so; an unlinked one says it is not linked', () => {
  const retained: UserDetail = {
    user: user({ externalId: null, scimManaged: false, deletedAt: Date.UTC(2026, 11, 2) }),
    state: 'deleted by the IdP',
    managedBy: 'parallel',
    teams: [],
  };
  const page = readable(userBody(TEST_ORG, retained, []));
  assert.match(page, /deleted by the IdP<\/span> since/);
  assert.match(page, /not linked/);
  assert.match(page, /No directory events recorded/);
});

test('the list, and a search that found nobody points to the log', () => {
  const list = readable(usersListBody(TEST_ORG, '', [user()], { next: 'u-1', after: false }));
  assert.match(list, /href="\/admin\/orgs\/[^"]+\/users\/u-1">jane@contoso\.test/);
  assert.match(list, /users\?after=u-1" rel="next">Older users/);
  assert.doesNotMatch(list, /Newest users/);
  const later = readable(usersListBody(TEST_ORG, '', [user()], { next: undefined, after: true }));
  assert.match(later, /users">Newest users/);
  assert.doesNotMatch(later, /Older users/);
  const none = readable(usersListBody(TEST_ORG, 'nobody@contoso.test', [], undefined));
  assert.match(none, /log\?find=nobody%40contoso\.test">Look for requests naming it in the log/);
});

test('names, e-mails and ids the IdP sent are text', () => {
  const hostile = user({
    userName: HOSTILE,
    externalId: HOSTILE,
    doc: { displayName: HOSTILE, emails: [{ value: HOSTILE }] },
  });
  assertInert(usersListBody(TEST_ORG, HOSTILE, [hostile], undefined), assert);
  const detail: UserDetail = {
    user: hostile,
    state: 'active',
    managedBy: 'idp',
    teams: [{ teamId: 't', displayName: HOSTILE, type: 'direct' }],
  };
  assertInert(userBody(TEST_ORG, detail, [{ ...event, data: { changed: [HOSTILE] } }]), assert);
});
