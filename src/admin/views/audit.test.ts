import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertInert, HOSTILE, readable } from '../../../test/helpers/view-records.js';
import { type AuditEntry, ScimError } from '../../services/index.js';
import { auditBody, parseAuditFilters } from './audit.js';

const entry = (overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  id: '01900000-0000-7000-8000-0000000000bb',
  at: Date.UTC(2026, 11, 3),
  actorKind: 'staff',
  actorId: 's-1',
  actorLabel: 'ann@example.com',
  orgId: 'o-1',
  action: 'user.deactivated',
  targetType: 'user',
  targetId: 'u-1',
  detail: { userName: 'jane@contoso.test' },
  requestId: 'r-1',
  ...overrides,
});

test('who did what to which organization and target, newest first, paged by the last id', () => {
  const filters = parseAuditFilters({ org: 'o-1' });
  assert.deepEqual(filters.query, { orgId: 'o-1' });
  const page = readable(
    auditBody(
      filters,
      [
        entry(),
        entry({ actorKind: 'cli', actorLabel: 'root', orgId: null, targetType: 'serviceKey', targetId: 'k-1' }),
      ],
      true,
    ),
  );
  assert.match(page, /<td>ann@example\.com<\/td>\s*<td><code>user\.deactivated<\/code>/);
  assert.match(page, /orgs\/o-1\/users\/u-1">u-1/);
  assert.match(page, /<td>CLI: root<\/td>/);
  assert.match(page, /deployment/);
  assert.match(page, /\{&quot;userName&quot;:&quot;jane@contoso\.test&quot;\}/);
  assert.match(page, /audit\?org=o-1&before=01900000-0000-7000-8000-0000000000bb" rel="next">Older entries/);
});

test('a malformed page cursor is refused; recorded values are text', () => {
  assert.throws(
    () => parseAuditFilters({ before: 'nope' }),
    (e: unknown) => e instanceof ScimError && e.status === 400,
  );
  assertInert(
    auditBody(
      parseAuditFilters({ action: HOSTILE }),
      [entry({ detail: { userName: HOSTILE }, targetId: HOSTILE, action: 'user.erased' })],
      false,
    ),
    assert,
  );
});
