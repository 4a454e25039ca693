import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testStores } from '../../test/helpers/stores.js';
import type { Operator } from './audit.js';
import { createServices, ScimError, type Services } from './index.js';
import { PASSWORD_LINK_TTL_MS } from './staff.js';
import { SESSION_POLICY, THROTTLE_POLICY } from './staff-sessions.js';

const CLI: Operator = { kind: 'cli', operator: 'tester' };
const PASSWORD = 'a long enough password';
const MINUTE = 60_000;

for (const backend of testStores()) {
  describe(`staff accounts, sessions and setup links on ${backend.name}`, () => {
    let db: Awaited<ReturnType<typeof backend.open>>;
    let services: Services;
    let now = Date.now();
    before(async () => {
      db = await backend.open();
      services = createServices(db.store, () => now);
    });
    after(async () => {
      await db.close();
    });

    async function account(email: string): Promise<void> {
      const link = await services.staff.create(email, CLI);
      await services.staff.setPassword(link.secret, PASSWORD);
    }

    const signIn = (email: string, password = PASSWORD, address = '192.0.2.1') =>
      services.staffSessions.signIn({ email, password, address });

    test('a password link works once and not after its 24 hours', async () => {
      const link = await services.staff.create('links@example.com', CLI);
      assert.equal((await services.staff.linkState(link.secret)).state, 'valid');
      const stale = await services.staff.reset('links@example.com', CLI);
      assert.equal((await services.staff.linkState(link.secret)).state, 'expired', 'a reset ends older links');
      now += PASSWORD_LINK_TTL_MS;
      await assert.rejects(services.staff.setPassword(stale.secret, PASSWORD), (e: unknown) => {
        return e instanceof ScimError && e.status === 410;
      });
      const fresh = await services.staff.reset('LINKS@example.com', CLI);
      await services.staff.setPassword(fresh.secret, PASSWORD);
      await assert.rejects(services.staff.setPassword(fresh.secret, 'another long password'), ScimError);
      assert.equal((await signIn('links@example.com')).ok, true);
    });

    test('an account without a password, or an unknown e-mail, cannot sign in with any password', async () => {
      await services.staff.create('invited@example.com', CLI);
      assert.deepEqual(await signIn('invited@example.com', ''), { ok: false, reason: 'invalid' });
      assert.deepEqual(await signIn('nobody@example.com'), { ok: false, reason: 'invalid' });
    });

    test('a session ends after its idle time, and after its absolute time however active', async () => {
      await account('idle@example.com');
      const first = await signIn('idle@example.com');
      assert.ok(first.ok);
      assert.equal((await services.staffSessions.resume(first.sessionSecret))?.email, 'idle@example.com');
      now += SESSION_POLICY.idleMs - MINUTE;
      assert.ok(await services.staffSessions.resume(first.sessionSecret), 'activity keeps it alive');
      now += SESSION_POLICY.idleMs;
      assert.equal(await services.staffSessions.resume(first.sessionSecret), undefined, 'idle too long');

      const second = await signIn('idle@example.com');
      assert.ok(second.ok);
      const end = now + SESSION_POLICY.absoluteMs;
      while (now + SESSION_POLICY.idleMs / 2 < end) {
        now += SESSION_POLICY.idleMs / 2;
        assert.ok(await services.staffSessions.resume(second.sessionSecret));
      }
      now = end;
      assert.equal(await services.staffSessions.resume(second.sessionSecret), undefined, 'past its absolute end');
    });

    test('each sign-in gets a new session id and CSRF token; disabling ends every session', async () => {
      await account('two@example.com');
      const a = await signIn('two@example.com');
      const b = await signIn('two@example.com');
      assert.ok(a.ok && b.ok);
      assert.notEqual(a.sessionSecret, b.sessionSecret);
      assert.notEqual(a.staff.csrfToken, b.staff.csrfToken);
      await services.staff.disable('two@example.com', CLI);
      assert.equal(await services.staffSessions.resume(a.sessionSecret), undefined);
      assert.equal(await services.staffSessions.resume(b.sessionSecret), undefined);
      assert.deepEqual(await signIn('two@example.com'), { ok: false, reason: 'invalid' });
    });

    test('failures throttle the e-mail, then the address, for the rest of the window only', async () => {
      await account('guess@example.com');
      for (let i = 0; i < THROTTLE_POLICY.emailFailures; i++) {
        assert.equal((await signIn('guess@example.com', `wrong ${i}`)).ok, false);
      }
      const throttled = await signIn('guess@example.com');
      assert.equal(throttled.ok, false);
      assert.ok(
        !throttled.ok && throttled.reason === 'throttled' && throttled.retryAfterMs <= THROTTLE_POLICY.windowMs,
      );
      assert.equal(
        (await signIn('guess@example.com', PASSWORD, '198.51.100.7')).ok,
        false,
        'the e-mail, from anywhere',
      );
      now += THROTTLE_POLICY.windowMs + 1;
      assert.equal((await signIn('guess@example.com')).ok, true, 'the window passed');

      await account('office@example.com');
      for (let i = 0; i < THROTTLE_POLICY.addressFailures; i++) {
        await signIn(`spray${i}@example.com`, 'wrong', '203.0.113.9');
      }
      const sprayed = await signIn('office@example.com', PASSWORD, '203.0.113.9');
      assert.ok(!sprayed.ok && sprayed.reason === 'throttled', 'the address is throttled');
      assert.equal((await signIn('office@example.com', PASSWORD, '203.0.113.10')).ok, true, 'other addresses are not');
    });

    test('a setup link opens exactly once, even when two openings race, and not after it expires', async () => {
      const org = await services.organizations.create(CLI, 'Setup Co');
      const link = await services.setupLinks.create(org.id, CLI, { expiresInMs: 60 * MINUTE });
      const openings = await Promise.all([
        services.setupLinks.open(link.secret),
        services.setupLinks.open(link.secret),
      ]);
      assert.deepEqual(openings.map((o) => o.state).sort(), ['opened', 'used']);
      const opened = openings.find((o) => o.state === 'opened');
      assert.ok(opened?.state === 'opened');
      assert.equal(opened.org.id, org.id);
      const tokens = await services.tokens.list(org.id);
      assert.equal(tokens.length, 1, 'one token issued, none left over from the race');
      const [record] = await services.setupLinks.list(org.id);
      assert.equal(record?.tokenId, tokens[0]?.id);
      assert.notEqual(record?.secretHash, link.secret, 'only the hash is stored');

      const late = await services.setupLinks.create(org.id, CLI, { expiresInMs: MINUTE });
      now += MINUTE;
      assert.equal((await services.setupLinks.open(late.secret)).state, 'expired');
      assert.equal((await services.setupLinks.open('no-such-link')).state, 'unknown');
      await assert.rejects(services.setupLinks.create(org.id, CLI, { expiresInMs: 30 * 86_400_000 }), ScimError);
      await assert.rejects(services.setupLinks.create('no-such-org', CLI), ScimError);
    });
  });
}
