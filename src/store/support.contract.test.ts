import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { orgRecord, T0, userRecord } from '../../test/helpers/records.js';
import { testStores } from '../../test/helpers/stores.js';
import type { AuditEntry } from './audit-trail-store.js';
import type { Store, TokenRecord } from './store.js';
import { UniqueViolation } from './store-errors.js';

/*
 * What support's actions need of the store (issue 10), the same on both backends: the audit
 * trail, organizations by external ref and name, tokens expired or revoked together, users by what
 * a ticket quotes.
 */

function entry(n: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: `01900000-0000-7000-8000-${String(n).padStart(12, '0')}`,
    at: T0 + n,
    actorKind: 'cli',
    actorId: null,
    actorLabel: 'jane',
    orgId: 'org-a',
    action: 'token.issued',
    targetType: 'token',
    targetId: `t-${n}`,
    detail: { n },
    requestId: `req-${n}`,
    ...overrides,
  };
}

const token = (orgId: string, id: string, overrides: Partial<TokenRecord> = {}): TokenRecord => ({
  orgId,
  id,
  tokenHash: `hash-${id}`,
  hint: 'pscim_ab',
  label: null,
  createdAt: T0,
  expiresAt: null,
  revokedAt: null,
  lastUsedAt: null,
  ...overrides,
});

for (const backend of testStores()) {
  describe(`support store on ${backend.name}`, () => {
    let store: Store;
    let close: () => Promise<void>;
    before(async () => {
      ({ store, close } = await backend.open());
    });
    after(async () => {
      await close();
    });

    test('the audit trail reads newest first, narrowed by organization, actor, action and time, bounded', async () => {
      for (let n = 1; n <= 6; n++) {
        await store.auditTrail.append(
          entry(n, {
            ...(n % 2 === 0 ? { orgId: 'org-b', actorLabel: 'sam' } : {}),
            ...(n === 5 ? { action: 'org.deleted', orgId: null } : {}),
          }),
        );
      }
      const ids = (list: AuditEntry[]) => list.map((e) => e.targetId);
      assert.deepEqual(ids(await store.auditTrail.list({ limit: 3 })), ['t-6', 't-5', 't-4']);
      assert.deepEqual(ids(await store.auditTrail.list({ orgId: 'org-a', limit: 10 })), ['t-3', 't-1']);
      assert.deepEqual(ids(await store.auditTrail.list({ actorLabel: 'sam', limit: 10 })), ['t-6', 't-4', 't-2']);
      assert.deepEqual(ids(await store.auditTrail.list({ action: 'org.deleted', limit: 10 })), ['t-5']);
      assert.deepEqual(ids(await store.auditTrail.list({ since: T0 + 4, until: T0 + 6, limit: 10 })), ['t-5', 't-4']);
      assert.deepEqual(ids(await store.auditTrail.list({ before: entry(3).id, limit: 10 })), ['t-2', 't-1']);
      const [first] = await store.auditTrail.list({ action: 'org.deleted', limit: 1 });
      assert.deepEqual(first, entry(5, { action: 'org.deleted', orgId: null }), 'read back as written');
    });

    test('an entry written in a rolled-back transaction is not kept', async () => {
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.auditTrail.append(entry(100, { action: 'rolled.back' }));
          throw new Error('the action failed');
        }),
      );
      assert.deepEqual(await store.auditTrail.list({ action: 'rolled.back', limit: 5 }), []);
    });

    test('external refs are unique when set; organizations are found by id, ref or name ignoring case', async () => {
      await store.insertOrg(orgRecord('ref-1', { name: 'Straße AG', externalRef: 'main-1' }));
      await store.insertOrg(orgRecord('ref-2', { name: 'Other', externalRef: null }));
      await store.insertOrg(orgRecord('ref-3', { name: 'Third', externalRef: null }));
      await assert.rejects(
        store.insertOrg(orgRecord('ref-4', { externalRef: 'main-1' })),
        (e) => e instanceof UniqueViolation && e.key === 'externalRef',
      );
      const other = await store.getOrg('ref-2');
      assert.ok(other);
      await assert.rejects(
        store.updateOrg({ ...other, externalRef: 'main-1' }),
        (e) => e instanceof UniqueViolation && e.key === 'externalRef',
      );
      const ids = async (value: string) => (await store.findOrgs(value, 10)).map((o) => o.id);
      assert.deepEqual(await ids('main-1'), ['ref-1']);
      assert.deepEqual(await ids('STRASSE ag'), ['ref-1'], 'the name by full case folding');
      assert.deepEqual(await ids('ref-3'), ['ref-3']);
      assert.deepEqual(await ids('nothing'), []);
      assert.equal((await store.getOrg('ref-1'))?.externalRef, 'main-1');
    });

    test('expireToken sets the expiry; revokeOrgTokens revokes only that organization', async () => {
      await store.insertOrg(orgRecord('tok-a'));
      await store.insertOrg(orgRecord('tok-b'));
      await store.insertToken(token('tok-a', 'ta-1'));
      await store.insertToken(token('tok-a', 'ta-2', { revokedAt: T0 }));
      await store.insertToken(token('tok-b', 'tb-1'));
      await store.expireToken('tok-a', 'ta-1', T0 + 99);
      assert.equal((await store.findTokenById('ta-1'))?.expiresAt, T0 + 99);
      assert.equal(await store.revokeOrgTokens('tok-a', T0 + 5), 1, 'the one not yet revoked');
      assert.equal((await store.findTokenById('ta-1'))?.revokedAt, T0 + 5);
      assert.equal((await store.findTokenById('ta-2'))?.revokedAt, T0, 'an earlier revocation stays');
      assert.equal((await store.findTokenById('tb-1'))?.revokedAt, null);
    });

    test('findUsers: userName and e-mail ignoring case, externalId exactly, retained accounts included, bounded', async () => {
      await store.insertOrg(orgRecord('find-a'));
      await store.insertOrg(orgRecord('find-b'));
      const mail = (value: string) => ({ emails: [{ value, type: 'work' }] });
      await store.insertUser(
        userRecord('find-a', 'u1', 'Jane@Contoso.com', {
          externalId: 'X-1',
          doc: { userName: 'Jane@Contoso.com', ...mail('jane.doe@contoso.com') },
        }),
      );
      await store.insertUser(
        userRecord('find-a', 'u2', 'gone@contoso.com', { deletedAt: T0, active: false, scimManaged: false }),
      );
      await store.insertUser(
        userRecord('find-a', 'u3', 'shared@contoso.com', {
          doc: { userName: 'shared@contoso.com', ...mail('team@contoso.com') },
        }),
      );
      await store.insertUser(
        userRecord('find-a', 'u4', 'also@contoso.com', {
          doc: { userName: 'also@contoso.com', ...mail('TEAM@contoso.com') },
        }),
      );
      await store.insertUser(userRecord('find-b', 'u9', 'jane@contoso.com', { externalId: 'X-1' }));
      const ids = async (value: string, limit = 10) =>
        (await store.findUsers('find-a', value, limit)).map((u) => u.id).sort();
      assert.deepEqual(await ids('jane@contoso.com'), ['u1']);
      assert.deepEqual(await ids('JANE.DOE@contoso.com'), ['u1']);
      assert.deepEqual(await ids('X-1'), ['u1'], 'never another organization');
      assert.deepEqual(await ids('x-1'), []);
      assert.deepEqual(await ids('gone@contoso.com'), ['u2']);
      assert.deepEqual(await ids('team@contoso.com'), ['u3', 'u4']);
      assert.equal((await ids('team@contoso.com', 1)).length, 1);
    });
  });
}
