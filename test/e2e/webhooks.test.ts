import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { toDirectoryEvent } from '../../src/services/directory-events.js';
import type { RunningWorker, WebhookSettings, WorkerLog } from '../../src/services/index.js';
import { runCliInProcess } from '../helpers/cli.js';
import { TEST_OPERATOR } from '../helpers/records.js';
import { spawnService } from '../helpers/service-process.js';
import { newTenant, type RunningServer, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';
import { type Received, WebhookReceiver, waitFor } from '../helpers/webhook-receiver.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const MS_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Small figures, so that retries and polls take milliseconds and the file stays fast. */
const FAST: WebhookSettings = {
  pollIntervalMs: 20,
  concurrency: 4,
  timeoutMs: 2_000,
  backoffBaseMs: 20,
  backoffMaxMs: 200,
  disableAfterMs: 0,
  disableAfterAttempts: 0,
  discoverIntervalMs: 50,
};

/** Worker logs, kept so a test can fail on an error the worker only logged. */
function recordingLog(): WorkerLog & { errors: unknown[] } {
  const errors: unknown[] = [];
  return { errors, info() {}, warn() {}, error: (fields) => errors.push(fields) };
}

/** An Entra-shaped client of one tenant. */
function entra(server: RunningServer, token: string) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await scimRequest(`${server.scimUrl}${path}`, { method, token, ...(body ? { body } : {}) });
    assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${res.text}`);
    return res.body;
  };
  return {
    createUser: async (n: number, tag: string) =>
      (
        await call('POST', '/Users', {
          schemas: [USER, ENTERPRISE],
          externalId: `${tag}-oid-${n}`,
          userName: `${tag}.user${n}@contoso.com`,
          active: true,
          emails: [{ primary: true, type: 'work', value: `${tag}.user${n}@contoso.com` }],
          name: { givenName: `Given${n}`, familyName: `Family${n}` },
        })
      ).id as string,
    deactivate: (id: string) =>
      call('PATCH', `/Users/${id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
      }),
    createGroup: async (tag: string) =>
      (
        await call('POST', '/Groups', {
          schemas: [GROUP, MS_GROUP],
          externalId: `${tag}-g`,
          displayName: `${tag} team`,
          members: [],
        })
      ).id as string,
    addMembers: (groupId: string, ids: string[]) =>
      call('PATCH', `/Groups/${groupId}`, {
        schemas: [PATCH],
        Operations: [{ op: 'Add', path: 'members', value: ids.map((value) => ({ $ref: null, value })) }],
      }),
    removeMember: (groupId: string, id: string) =>
      call('PATCH', `/Groups/${groupId}`, {
        schemas: [PATCH],
        Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: id }] }],
      }),
    deleteUser: (id: string) => call('DELETE', `/Users/${id}`),
  };
}

/** The first half and second half of one tenant's sync, so the receiver can go down between them. */
async function syncFirstHalf(client: ReturnType<typeof entra>, tag: string) {
  const users: string[] = [];
  for (let n = 0; n < 4; n++) users.push(await client.createUser(n, tag));
  const group = await client.createGroup(tag);
  await client.addMembers(group, users.slice(0, 3));
  return { users, group };
}

async function syncSecondHalf(client: ReturnType<typeof entra>, tag: string, s: { users: string[]; group: string }) {
  const [a, b, , d] = s.users as [string, string, string, string];
  await client.deactivate(a);
  await client.removeMember(s.group, b);
  await client.createUser(9, tag);
  await client.addMembers(s.group, [d]);
  await client.deleteUser(d);
}

/**
 * What one organization's receiver saw, checked: every signature valid, the events exactly the
 * feed's (bodies as the feed gives them), first arrivals in cursor order with none missing, and a
 * repeat only right after the same event (a retry), never of an older one.
 */
async function assertDelivered(server: RunningServer, receiver: WebhookReceiver, orgId: string): Promise<Received[]> {
  const got = receiver.of(orgId);
  const feed = (await server.store.events.list(orgId, 0, 1000)).map(toDirectoryEvent);
  assert.ok(feed.length > 0);
  for (const r of got) assert.ok(r.verifiedBy.length > 0, `signature of ${r.id} did not verify`);
  const firsts: Received[] = [];
  for (const r of got) {
    const last = firsts.at(-1);
    if (last && last.id === r.id) continue;
    firsts.push(r);
  }
  assert.deepEqual(
    firsts.map((r) => r.body.cursor),
    feed.map((e) => e.cursor),
    'each event once, in cursor order (repeats only as retries of the one just sent)',
  );
  assert.deepEqual(
    firsts.map((r) => r.body),
    feed.map((e) => JSON.parse(JSON.stringify(e))),
  );
  for (const r of got) assert.equal(r.id, r.body.id, 'webhook-id is the event id');
  assert.equal(receiver.maxInFlight.get(orgId), 1, 'never two sends of one organization at once');
  return got;
}

for (const backend of testStores()) {
  describe(`webhooks on ${backend.name}`, () => {
    let server: RunningServer;
    let receiver: WebhookReceiver;
    const workers: RunningWorker[] = [];

    before(async () => {
      server = await startServer(backend);
    });
    after(async () => {
      for (const w of workers) await w.stop();
      await receiver?.stop();
      await server.close();
    });

    function startWorker(on: RunningServer, settings: WebhookSettings = FAST) {
      const log = recordingLog();
      const worker = on.services.webhookDelivery.start(settings, log);
      workers.push(worker);
      return { worker, log };
    }

    test('an Entra sync reaches a receiver that goes down and comes back: all of it, in order, signed', async () => {
      const t1 = await newTenant(server.services, 'outage-1');
      const t2 = await newTenant(server.services, 'outage-2');
      receiver = new WebhookReceiver([]);
      await receiver.start();
      const added = await server.services.webhooks.add(TEST_OPERATOR, { url: receiver.url, description: 'all orgs' });
      receiver.secrets = [added.secret];
      assert.match(added.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
      const { worker, log } = startWorker(server);

      const c1 = entra(server, t1.token);
      const c2 = entra(server, t2.token);
      const [s1, s2] = await Promise.all([syncFirstHalf(c1, 'a'), syncFirstHalf(c2, 'b')]);
      await waitFor('the first half delivered', async () => {
        const last = await server.store.events.lastCursor(t1.orgId);
        return receiver.of(t1.orgId).some((r) => r.body.cursor === last);
      });

      await receiver.stop();
      await Promise.all([syncSecondHalf(c1, 'a', s1), syncSecondHalf(c2, 'b', s2)]);
      const refused = async () => {
        const log = await server.services.webhooks.deliveries(added.webhook.id, { limit: 500 });
        return log.items.filter((d) => d.status === null && /ECONNREFUSED/.test(d.error ?? '')).length >= 4;
      };
      await waitFor('refused attempts in the delivery log', refused);
      const failing = await server.services.webhooks.get(added.webhook.id);
      assert.equal(failing.state, 'failing');
      assert.ok(failing.backlog > 0);

      await receiver.start();
      worker.wake();
      await waitFor('every event delivered', async () => {
        const view = await server.services.webhooks.get(added.webhook.id);
        return view.backlog === 0 && view.state === 'enabled' && view.organizations.length >= 2;
      });
      for (const t of [t1, t2]) await assertDelivered(server, receiver, t.orgId);
      const types = receiver.of(t1.orgId).map((r) => r.body.type);
      for (const type of [
        'user.created',
        'user.deactivated',
        'team.created',
        'team.member_added',
        'team.member_removed',
        'user.deleted',
      ]) {
        assert.ok(types.includes(type), `${type} delivered`);
      }
      const statuses = new Set(
        (await server.services.webhooks.deliveries(added.webhook.id, { limit: 500 })).items.map((d) => d.status),
      );
      assert.ok(statuses.has(200) && statuses.has(null));
      assert.deepEqual(log.errors, []);
      await worker.stop();
      await server.services.webhooks.remove(TEST_OPERATOR, added.webhook.id);
    });

    test('a streak of failures disables the webhook; enable replays what it missed', async () => {
      const t = await newTenant(server.services, 'streak');
      const local = new WebhookReceiver([]);
      await local.start();
      try {
        local.respond = 503;
        const added = await server.services.webhooks.add(TEST_OPERATOR, { url: local.url, orgId: t.orgId });
        local.secrets = [added.secret];
        const { worker, log } = startWorker(server, { ...FAST, disableAfterAttempts: 3 });
        const client = entra(server, t.token);
        await client.createUser(1, 'streak');
        await waitFor(
          'disabled after 3 attempts',
          async () => (await server.services.webhooks.get(added.webhook.id)).state === 'disabled',
        );
        const disabled = await server.services.webhooks.get(added.webhook.id);
        assert.match(disabled.disabledReason ?? '', /3 attempts.*HTTP 503/);
        const attempts = local.of(t.orgId).length;
        assert.equal(attempts, 3);

        // While disabled: more changes, nothing sent.
        local.respond = 200;
        await client.createUser(2, 'streak');
        await client.createGroup('streak');
        const log503 = await server.services.webhooks.deliveries(added.webhook.id, { limit: 10 });
        assert.deepEqual(
          log503.items.map((d) => [d.status, d.attempt, d.responseExcerpt]),
          [
            [503, 3, 'receiver says 503'],
            [503, 2, 'receiver says 503'],
            [503, 1, 'receiver says 503'],
          ],
        );
        assert.equal(local.of(t.orgId).length, attempts);

        const enabled = await server.services.webhooks.enable(TEST_OPERATOR, added.webhook.id);
        assert.equal(enabled.enabled, true);
        await waitFor(
          'the missed events replayed',
          async () => (await server.services.webhooks.get(added.webhook.id)).backlog === 0,
        );
        await assertDelivered(server, local, t.orgId);
        assert.deepEqual(log.errors, []);
        const trail = await server.services.auditTrail.list({ orgId: t.orgId, limit: 10 });
        assert.ok(trail.some((e) => e.action === 'webhook.enabled' && e.targetId === added.webhook.id));
        await worker.stop();
      } finally {
        await local.stop();
      }
    });

    test('rotate-secret: during the grace a receiver holding either secret verifies; after it only the new one', async () => {
      const t = await newTenant(server.services, 'rotate');
      const local = new WebhookReceiver([]);
      await local.start();
      try {
        const added = await server.services.webhooks.add(TEST_OPERATOR, { url: local.url, orgId: t.orgId });
        const rotated = await server.services.webhooks.rotateSecret(TEST_OPERATOR, added.webhook.id, {
          graceMs: 3_600_000,
        });
        assert.notEqual(rotated.secret, added.secret);
        assert.ok(rotated.webhook.previousSecretExpiresAt !== null);
        local.secrets = [added.secret, rotated.secret];
        const ping = await server.services.webhooks.test(TEST_OPERATOR, added.webhook.id);
        assert.equal(ping.status, 200);
        const { worker } = startWorker(server);
        await entra(server, t.token).createUser(1, 'rotate');
        worker.wake();
        await waitFor('the event delivered', () => local.of(t.orgId).some((r) => r.body.type === 'user.created'));
        for (const r of local.of(t.orgId)) assert.deepEqual(r.verifiedBy, [0, 1], 'old and new secret both verify');
        assert.equal(local.of(t.orgId)[0]?.body.type, 'webhook.test');

        await server.services.webhooks.rotateSecret(TEST_OPERATOR, added.webhook.id, { graceMs: 0 });
        const third = (await server.services.webhooks.rotateSecret(TEST_OPERATOR, added.webhook.id, { graceMs: 0 }))
          .secret;
        local.secrets = [added.secret, rotated.secret, third];
        const after = await server.services.webhooks.test(TEST_OPERATOR, added.webhook.id);
        assert.equal(after.ok, true);
        assert.deepEqual(local.received.at(-1)?.verifiedBy, [2]);
        await worker.stop();
      } finally {
        await local.stop();
      }
    });

    test('the CLI: add prints the secret once, list, test, disable, enable, deliveries, rotate-secret, remove', async () => {
      const t = await newTenant(server.services, 'cli');
      const local = new WebhookReceiver([]);
      await local.start();
      const cli = (...args: string[]) => runCliInProcess(server.databaseUrl, ['webhook', ...args]);
      try {
        const bad = await cli('add', '--url', 'ftp://example.test/x', '--org', t.orgId);
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /http:\/\/ or https:\/\//);
        const noOrg = await cli('add', '--url', local.url, '--org', 'no-such-org');
        assert.equal(noOrg.code, 3);
        const added = await cli('add', '--url', local.url, '--org', t.orgId, '--description', 'ops', '--json');
        assert.equal(added.code, 0, added.stderr);
        const { id, secret } = JSON.parse(added.stdout);
        local.secrets = [secret];
        const listed = JSON.parse((await cli('list', '--org', t.orgId, '--json')).stdout);
        assert.equal(listed.length, 1);
        assert.equal(listed[0].id, id);
        assert.equal(listed[0].state, 'enabled');
        assert.equal(JSON.stringify(listed).includes(secret), false, 'list never shows a secret');
        const table = await cli('list');
        assert.match(table.stdout, /STATE/);

        const tested = await cli('test', id);
        assert.equal(tested.code, 0, tested.stderr);
        assert.match(tested.stdout, /200/);
        local.respond = 418;
        const refused = await cli('test', id);
        assert.equal(refused.code, 1);
        assert.match(refused.stdout, /418/);

        assert.equal((await cli('disable', id)).code, 0);
        assert.equal(JSON.parse((await cli('list', '--org', t.orgId, '--json')).stdout)[0].state, 'disabled');
        assert.equal((await cli('enable', id)).code, 0);
        const deliveries = await cli('deliveries', id, '--limit', '1', '--json');
        assert.equal(deliveries.code, 0, deliveries.stderr);
        assert.deepEqual(
          JSON.parse(deliveries.stdout).map((d: { status: number }) => d.status),
          [418],
        );
        assert.equal((await cli('deliveries', id, '--limit', '0')).code, 2);
        assert.equal((await cli('rotate-secret', id, '--grace', 'soon')).code, 2);
        const rotated = await cli('rotate-secret', id, '--grace', '1h');
        assert.equal(rotated.code, 0, rotated.stderr);
        assert.match(rotated.stdout, /whsec_/);
        assert.equal((await cli('remove', id)).code, 0);
        assert.equal((await cli('test', id)).code, 3);
        const trail = await server.services.auditTrail.list({ orgId: t.orgId, limit: 20 });
        const actions = trail.map((e) => e.action);
        for (const a of [
          'webhook.added',
          'webhook.tested',
          'webhook.disabled',
          'webhook.enabled',
          'webhook.secretRotated',
          'webhook.removed',
        ]) {
          assert.ok(actions.includes(a), `${a} in the audit trail`);
        }
      } finally {
        await local.stop();
      }
    });

    test('the service as npm start runs it delivers, and SIGTERM cuts a send in flight and frees its lease', async () => {
      const t = await newTenant(server.services, 'process');
      const local = new WebhookReceiver([]);
      await local.start();
      try {
        const added = await server.services.webhooks.add(TEST_OPERATOR, { url: local.url, orgId: t.orgId });
        local.secrets = [added.secret];
        local.holdMs = 60_000;
        const service = await spawnService({
          databaseUrl: server.databaseUrl,
          env: {
            WEBHOOK_POLL_INTERVAL_MS: '20',
            // A shutdown that waited for the receiver would take this long: far from the bound
            // below, so that a slow exit on a loaded machine cannot pass for one.
            WEBHOOK_TIMEOUT_MS: '120000',
            METRICS_TOKEN: 'metrics-secret-for-this-test',
          },
        });
        const created = await scimRequest(`${service.origin}/scim/v2/Users`, {
          method: 'POST',
          token: t.token,
          body: { schemas: [USER], userName: 'proc@contoso.com', externalId: 'proc-1', active: true },
        });
        assert.equal(created.status, 201, 'the SCIM request answers while the receiver holds its answer');
        await waitFor('the send in flight', () => local.of(t.orgId).length === 1);
        const [leased] = (await server.services.webhooks.get(added.webhook.id)).organizations;
        assert.equal(leased?.lastCursor, 0);
        // What an SRE alerts on: the event held by the receiver is backlog; no attempt has ended.
        const scraped = await fetch(`${service.origin}/metrics`, {
          headers: { authorization: 'Bearer metrics-secret-for-this-test' },
        });
        const metrics = await scraped.text();
        assert.equal(scraped.status, 200);
        assert.match(metrics, /^scim_webhook_backlog_events [1-9]\d*$/m);
        assert.match(metrics, /^scim_webhooks_disabled \d+$/m);
        assert.match(metrics, /^scim_webhook_failing_pairs \d+$/m);
        assert.doesNotMatch(metrics, /scim_webhook_delivery_attempts_total\{outcome="delivered"\} [1-9]/);
        const stopping = Date.now();
        assert.equal(await service.stop('SIGTERM'), 0);
        assert.ok(Date.now() - stopping < 30_000, 'shutdown does not wait for the receiver');
        const cursor = await server.store.webhooks.cursors(added.webhook.id, { limit: 1 });
        assert.equal(cursor[0]?.leaseOwner, null, 'the lease was released before the store closed');
        assert.equal(cursor[0]?.lastCursor, 0, 'the cut send is not counted as delivered');
      } finally {
        await local.stop();
      }
    });

    if (backend.name === 'postgres') {
      test('two instances on one database deliver one sync: no event in flight twice, order kept', async () => {
        const second = await startServer(backend, { databaseUrl: server.databaseUrl });
        const local = new WebhookReceiver([]);
        await local.start();
        try {
          local.holdMs = 15;
          const tenants = await Promise.all([1, 2, 3].map((n) => newTenant(server.services, `pair-${n}`)));
          const added = await server.services.webhooks.add(TEST_OPERATOR, { url: local.url });
          local.secrets = [added.secret];
          const a = startWorker(server);
          const b = startWorker(second);
          await Promise.all(
            tenants.map(async (t, n) => {
              const client = entra(n % 2 === 0 ? server : second, t.token);
              const s = await syncFirstHalf(client, `p${n}`);
              await syncSecondHalf(client, `p${n}`, s);
            }),
          );
          await waitFor(
            'every event delivered',
            async () => (await server.services.webhooks.get(added.webhook.id)).backlog === 0,
          );
          for (const t of tenants) {
            const got = await assertDelivered(server, local, t.orgId);
            assert.equal(new Set(got.map((r) => r.id)).size, got.length, 'no event sent twice: no failure was caused');
          }
          assert.deepEqual([...a.log.errors, ...b.log.errors], []);
          await a.worker.stop();
          await b.worker.stop();
        } finally {
          await local.stop();
          await second.close();
        }
      });
    }
  });
}
