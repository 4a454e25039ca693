import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createServices } from '../../src/services/index.js';
import { DAY_MS, DEFAULT_TOKEN_LIFETIME_MS } from '../../src/services/token-expiry.js';
import { runCliInProcess } from '../helpers/cli.js';
import { TEST_OPERATOR } from '../helpers/records.js';
import { startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

// biome-ignore lint/suspicious/noExplicitAny: errors and CLI JSON are asserted field by field
type Json = any;

const METRICS_TOKEN = 'metrics-secret-0123456789';
const T0 = Date.UTC(2026, 11, 3, 12);

/** The value of an unlabelled gauge in a Prometheus text page; fails when absent or labelled. */
function gauge(page: string, name: string): number {
  const line = page.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  assert.ok(line, `${name} is exported`);
  const match = new RegExp(`^${name} (\\S+)$`).exec(line);
  assert.ok(match, `${name} has no labels (no organization ids): ${line}`);
  return Number(match[1]);
}

/**
 * Token lifecycle (issue 12 item 4): a default lifetime of a year, "never" only when asked for,
 * a rotation's new lifetime, and the gauge of tokens about to end. The services' clock is
 * injected, so time passes when the test says.
 */
describe('token lifecycle', () => {
  for (const backend of testStores()) {
    test(`a token lasts a year unless told otherwise; "never" is explicit; rotation starts a fresh year (${backend.name})`, async () => {
      const now = T0;
      const server = await startServer(backend, { clock: () => now });
      try {
        const { tokens, organizations } = server.services;
        const org = await organizations.create(TEST_OPERATOR, 'Lifetimes');
        const plain = await tokens.issue(TEST_OPERATOR, org.id);
        assert.equal(plain.record.expiresAt, T0 + 365 * DAY_MS, 'the default: one year');
        assert.equal((await server.store.findTokenById(plain.record.id))?.expiresAt, T0 + DEFAULT_TOKEN_LIFETIME_MS);
        const forever = await tokens.issue(TEST_OPERATOR, org.id, { expiresInMs: null });
        assert.equal(forever.record.expiresAt, null, 'never, when asked for');
        const short = await tokens.issue(TEST_OPERATOR, org.id, { expiresInMs: 90 * DAY_MS, label: 'okta' });
        assert.equal(short.record.expiresAt, T0 + 90 * DAY_MS);
        for (const expiresInMs of [0, -1, 3651 * DAY_MS, 1.5]) {
          await assert.rejects(
            tokens.issue(TEST_OPERATOR, org.id, { expiresInMs }),
            (e: Json) => e.code === 'token.expiry',
            `${expiresInMs} is refused`,
          );
        }
        assert.equal((await tokens.list(org.id)).length, 3, 'a refused issue wrote nothing');

        // Rotation: a fresh default lifetime, whatever the old token's was, unless told otherwise.
        const rotatedShort = await tokens.rotate(TEST_OPERATOR, short.record.id, { graceMs: 2 * 3_600_000 });
        assert.equal(rotatedShort.record.expiresAt, T0 + DEFAULT_TOKEN_LIFETIME_MS, 'a year, not 90 days');
        // The old one in its grace, rotated again by mistake, does not pass its two hours on.
        const again = await tokens.rotate(TEST_OPERATOR, short.record.id, { graceMs: 0 });
        assert.equal(again.record.expiresAt, T0 + DEFAULT_TOKEN_LIFETIME_MS);
        const ninety = await tokens.rotate(TEST_OPERATOR, rotatedShort.record.id, {
          graceMs: 0,
          expiresInMs: 90 * DAY_MS,
        });
        assert.equal(ninety.record.expiresAt, T0 + 90 * DAY_MS, 'a lifetime of its own when asked');
        const rotatedForever = await tokens.rotate(TEST_OPERATOR, forever.record.id, { graceMs: 0 });
        assert.equal(rotatedForever.record.expiresAt, T0 + DEFAULT_TOKEN_LIFETIME_MS, '"never" is not passed on');
        const keptForever = await tokens.rotate(TEST_OPERATOR, rotatedForever.record.id, {
          graceMs: 0,
          expiresInMs: null,
        });
        assert.equal(keptForever.record.expiresAt, null, 'rotate makes "never" only when asked');
        await assert.rejects(
          tokens.rotate(TEST_OPERATOR, keptForever.record.id, { expiresInMs: 0 }),
          (e: Json) => e.code === 'token.expiry',
        );
      } finally {
        await server.close();
      }
    });

    test(`GET /metrics counts the unreplaced tokens ending within 30 days, all organizations together, read at most once a minute (${backend.name})`, async () => {
      let now = T0;
      const server = await startServer(backend, { clock: () => now, config: { metricsToken: METRICS_TOKEN } });
      try {
        const { tokens, organizations } = server.services;
        const a = await organizations.create(TEST_OPERATOR, 'Ending A');
        const b = await organizations.create(TEST_OPERATOR, 'Ending B');
        const issue = (orgId: string, days: number | null, label: string) =>
          tokens.issue(TEST_OPERATOR, orgId, { expiresInMs: days === null ? null : days * DAY_MS, label });
        // Issued in the past, so they have ended by T0: 2 days ago (counted) and 10 days ago (not).
        now = T0 - 3 * DAY_MS;
        await issue(a.id, 1, 'ended recently');
        now = T0 - 11 * DAY_MS;
        await issue(a.id, 1, 'ended long ago');
        now = T0;
        await issue(a.id, 10, 'entra'); // counted
        await issue(b.id, 29, 'entra'); // counted: another organization, the same sum
        await issue(a.id, 40, 'later'); // beyond 30 days
        await issue(a.id, null, 'forever');
        const revoked = await issue(a.id, 5, 'revoked');
        await tokens.revoke(TEST_OPERATOR, revoked.record.id);
        // A rotation's old token ends within the grace, but its replacement outlives it.
        const rotating = await issue(b.id, 365, 'okta');
        await tokens.rotate(TEST_OPERATOR, rotating.record.id, { graceMs: 2 * DAY_MS });

        const scrape = async () => {
          const res = await fetch(`${server.origin}/metrics`, {
            headers: { authorization: `Bearer ${METRICS_TOKEN}` },
          });
          assert.equal(res.status, 200);
          return res.text();
        };
        const first = await scrape();
        assert.equal(gauge(first, 'scim_tokens_expiring'), 2);
        assert.equal(gauge(first, 'scim_tokens_expired_recently'), 1);
        assert.match(first, /# HELP scim_tokens_expiring Live SCIM tokens expiring within 30 days/);

        // Within the minute the figures are the last reading: scrapes do not each query.
        await issue(a.id, 3, 'soon');
        now += 59_000;
        assert.equal(gauge(await scrape(), 'scim_tokens_expiring'), 2, 'the cached reading');
        now += 1_000;
        assert.equal(gauge(await scrape(), 'scim_tokens_expiring'), 3, 'read again after a minute');
        // Time passes: the 29-day token is within the window still; the 40-day one enters it.
        now = T0 + 11 * DAY_MS;
        const later = await scrape();
        assert.equal(gauge(later, 'scim_tokens_expiring'), 2, 'the 29- and 40-day tokens');
        assert.equal(
          gauge(later, 'scim_tokens_expired_recently'),
          1,
          'the 10-day token (the 3-day one ended 8 days ago)',
        );
      } finally {
        await server.close();
      }
    });

    test(`an expiring token in use is warned about once an hour, and org health lists it (${backend.name})`, async () => {
      let now = T0;
      const server = await startServer(backend, { clock: () => now });
      try {
        const { tokens, organizations, health } = server.services;
        const org = await organizations.create(TEST_OPERATOR, 'Warned');
        const ending = await tokens.issue(TEST_OPERATOR, org.id, { expiresInMs: 20 * DAY_MS, label: 'Entra' });
        const fine = await tokens.issue(TEST_OPERATOR, org.id, { label: 'Okta' });
        const first = await tokens.authenticate(ending.token);
        assert.ok(first.ok);
        assert.deepEqual(first.expiryWarning, {
          orgId: org.id,
          tokenId: ending.record.id,
          label: 'Entra',
          expiresAt: new Date(T0 + 20 * DAY_MS).toISOString(),
          daysLeft: 20,
        });
        now += 3_599_999;
        const again = await tokens.authenticate(ending.token);
        assert.ok(again.ok && again.expiryWarning === undefined, 'not again within the hour');
        now += 1;
        const nextHour = await tokens.authenticate(ending.token);
        assert.ok(nextHour.ok && nextHour.expiryWarning?.daysLeft === 20, 'once more an hour later');
        const other = await tokens.authenticate(fine.token);
        assert.ok(other.ok && other.expiryWarning === undefined, 'a token with a year left is no news');

        const report = await health.report(org.id);
        assert.deepEqual(
          report.tokens.map((t) => [t.kind, t.tokenId, t.daysLeft]),
          [['expiring', ending.record.id, 20]],
        );
        assert.match(report.tokens[0]?.text ?? '', new RegExp(`token rotate --token ${ending.record.id}`));
        assert.equal(report.verdict.unhealthy, false, 'nothing fails yet');

        // Rotated: the replacement outlives it, so it is no longer a finding (nor is the new one).
        await tokens.rotate(TEST_OPERATOR, ending.record.id, { graceMs: DAY_MS, expiresInMs: 365 * DAY_MS });
        assert.deepEqual((await health.report(org.id)).tokens, []);

        // A token that ended while in use, not replaced: the IdP now gets 401s.
        const okta = await tokens.issue(TEST_OPERATOR, org.id, { expiresInMs: DAY_MS, label: 'JumpCloud' });
        await tokens.authenticate(okta.token); // its last use
        const unused = await tokens.issue(TEST_OPERATOR, org.id, { expiresInMs: DAY_MS, label: 'never used' });
        now += DAY_MS + 1;
        const afterEnd = await health.report(org.id);
        assert.deepEqual(
          afterEnd.tokens.map((t) => [t.kind, t.tokenId]),
          [['expired', okta.record.id]],
          'the one in use, not the unused one',
        );
        assert.notEqual(unused.record.id, okta.record.id);
        assert.match(afterEnd.tokens[0]?.text ?? '', /expired .* and was in use/);
      } finally {
        await server.close();
      }
    });
  }

  test('the CLI issues with a year by default or "never" when asked, and lists expiry and time left', async () => {
    const [backend] = testStores();
    assert.ok(backend);
    const server = await startServer(backend);
    try {
      const cli = (...args: string[]) => runCliInProcess(server.databaseUrl, args);
      const help = await cli('token', 'issue', '--help');
      assert.match(
        help.stdout.replace(/\s+/g, ' '),
        /"never" for a token that never expires \(default: 365d, one year\)/,
      );
      const org = JSON.parse((await cli('org', 'create', '--name', 'CliExpiry', '--json')).stdout);

      const plain = await cli('token', 'issue', '--org', org.id, '--label', 'entra');
      assert.equal(plain.code, 0, plain.stderr);
      assert.match(plain.stdout, /^expires: {2}\d{4}-\d\d-\d\dT[\d:.]+Z \(in 365 d\)$/m);
      const json = JSON.parse((await cli('token', 'issue', '--org', org.id, '--json')).stdout);
      const left = Date.parse(json.expiresAt) - Date.now();
      assert.ok(left > 364 * DAY_MS && left <= 365 * DAY_MS, `expires in ${left} ms`);
      const never = await cli('token', 'issue', '--org', org.id, '--expires-in', 'never', '--label', 'forever');
      assert.equal(never.code, 0, never.stderr);
      assert.match(never.stdout, /^expires: {2}never$/m);
      const bad = await cli('token', 'issue', '--org', org.id, '--expires-in', 'forever');
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--expires-in must look like 90d, 12h, 30m or 45s, or be "never"; got "forever"/);
      // A token that ended yesterday, issued through services whose clock is two days behind.
      const past = createServices(server.store, () => Date.now() - 2 * DAY_MS);
      await past.tokens.issue(TEST_OPERATOR, org.id, { expiresInMs: DAY_MS, label: 'ended' });
      const soon = await server.services.tokens.issue(TEST_OPERATOR, org.id, {
        expiresInMs: 5 * 3_600_000,
        label: 'soon',
      });

      const table = await cli('token', 'list', '--org', org.id);
      assert.equal(table.code, 0, table.stderr);
      const line = (label: string) => table.stdout.split('\n').find((l) => l.includes(label)) ?? '';
      assert.match(line('entra'), /\d{4}-\d\d-\d\d \(in 365 d\)/);
      assert.match(line('forever'), /\bnever\b/);
      assert.match(line('ended'), /expired .*EXPIRED \d{4}-\d\d-\d\d/);
      assert.match(table.stdout.split('\n').find((l) => l.includes(soon.record.id)) ?? '', /\(in [45] h\)/);
      const listed: Json[] = JSON.parse((await cli('token', 'list', '--org', org.id, '--json')).stdout);
      const byLabel = new Map(listed.map((t) => [t.label, t]));
      assert.equal(byLabel.get('entra').daysLeft, 365);
      assert.match(byLabel.get('entra').expiresAt, /^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
      assert.equal(byLabel.get('forever').expiresAt, null);
      assert.equal(byLabel.get('forever').daysLeft, null);
      assert.equal(byLabel.get('ended').state, 'expired');
      assert.equal(byLabel.get('ended').daysLeft, -1);

      // Rotation: a year by default, or what --expires-in says.
      const rotated = JSON.parse((await cli('token', 'rotate', '--token', json.id, '--grace', '1h', '--json')).stdout);
      const rotatedLeft = Date.parse(rotated.expiresAt) - Date.now();
      assert.ok(rotatedLeft > 364 * DAY_MS && rotatedLeft <= 365 * DAY_MS, `the new one expires in ${rotatedLeft} ms`);
      const forever = await cli('token', 'rotate', '--token', rotated.id, '--grace', '0', '--expires-in', 'never');
      assert.equal(forever.code, 0, forever.stderr);
      assert.match(forever.stdout, /^expires: {2}never$/m);
      assert.equal((await cli('token', 'rotate', '--token', rotated.id, '--expires-in', 'soon')).code, 2);

      const health = await cli('org', 'health', '--org', org.id);
      assert.match(health.stdout, /^ {2}- expiring: token pscim_\S+… \(soon\) expires .*\(in [45] h\): rotate it/m);
      const healthJson = JSON.parse((await cli('org', 'health', '--org', org.id, '--json')).stdout);
      assert.deepEqual(
        healthJson.tokens.map((t: Json) => [t.kind, t.tokenId]),
        [['expiring', soon.record.id]],
        'the unused ended token is no finding',
      );
    } finally {
      await server.close();
    }
  });
});
