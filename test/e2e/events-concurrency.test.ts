import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiGet, type Json } from '../helpers/feed.js';
import { TEST_OPERATOR } from '../helpers/records.js';
import { newTenant, type RunningServer, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const WRITERS = 30;

/**
 * Cursors are given at commit: with writers committing at once (PostgreSQL runs them in parallel,
 * SQLite one after another), a reader polling the feed must see every page continue exactly where
 * the last one ended, never a cursor below one it already read, and nothing missing at the end.
 */
for (const backend of testStores()) {
  describe(`event cursors under concurrent writers on ${backend.name}`, () => {
    let server: RunningServer;
    let key: string;

    before(async () => {
      server = await startServer(backend, {
        config: { tenantLimit: { concurrency: 8, maxQueue: 256, maxWaitMs: 30_000 } },
        pool: { poolSize: 12 },
      });
      key = (await server.services.serviceKeys.issue(TEST_OPERATOR)).key;
    });
    after(async () => {
      await server.close();
    });

    test(`${WRITERS} parallel creates, then ${WRITERS} parallel PATCHes, while a reader polls`, async () => {
      const t = await newTenant(server.services, 'Concurrent');
      const other = await newTenant(server.services, 'Concurrent other');
      const scim = (token: string, method: string, path: string, body: unknown) =>
        scimRequest(`${server.scimUrl}${path}`, { token, method, body });

      const seen: Json[] = [];
      let next = 0;
      let pages = 0;
      let writing = true;
      const poll = async () => {
        const res = await apiGet(server.origin, 'events', { org: t.orgId, after: next, limit: 7 }, key);
        assert.equal(res.status, 200, res.text);
        const cursors = res.body.events.map((e: Json) => e.cursor);
        if (cursors.length > 0) {
          assert.equal(cursors[0], next + 1, `page ${pages} starts right after ${next}: got ${cursors}`);
          cursors.forEach((c: number, i: number) => {
            assert.equal(c, next + 1 + i, `no gap and no step back within page ${pages}: ${cursors}`);
          });
        }
        seen.push(...res.body.events);
        next = res.body.next;
        pages += 1;
        return res.body.hasMore as boolean;
      };
      const reader = (async () => {
        while (writing) {
          await poll();
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      })();

      const created = await Promise.all(
        Array.from({ length: WRITERS }, async (_, i) => {
          // The other organization writes at the same time: its commits never take this one's cursors.
          const [mine] = await Promise.all([
            scim(t.token, 'POST', '/Users', { schemas: [USER], userName: `w${i}@c.test` }),
            scim(other.token, 'POST', '/Users', { schemas: [USER], userName: `w${i}@o.test` }),
          ]);
          assert.equal(mine.status, 201, mine.text);
          return mine.body.id as string;
        }),
      );
      await Promise.all(
        created.map(async (id, i) => {
          const res = await scim(t.token, 'PATCH', `/Users/${id}`, {
            schemas: [PATCH],
            Operations: [{ op: 'replace', path: 'active', value: i % 2 === 0 }],
          });
          assert.equal(res.status, 200, res.text);
        }),
      );
      writing = false;
      await reader;
      while (await poll());

      assert.ok(pages > 2, `the reader polled while writers ran (${pages} pages)`);
      const expected = WRITERS * 2 - WRITERS / 2; // half the PATCHes change nothing (active already true)
      assert.deepEqual(
        seen.map((e) => e.cursor),
        Array.from({ length: expected }, (_, i) => i + 1),
      );
      assert.equal(seen.filter((e) => e.type === 'user.created').length, WRITERS);
      assert.equal(seen.filter((e) => e.type === 'user.deactivated').length, WRITERS / 2);
      assert.equal(await server.store.events.lastCursor(other.orgId), WRITERS);
    });
  });
}
