import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ListPositions, MEMORY_TTL_MS } from './list-positions.js';

const key = (id: string) => ({ value: null, id });

test('a position is kept against the stamp of its reading and given back', () => {
  const lists = new ListPositions();
  const stamp = lists.stamp();
  lists.keepPosition('org', 'users', 100, key('u-99'), stamp);
  lists.keepCount('org', 'users', 1000, stamp);
  assert.deepEqual(lists.position('org', 'users', 100), key('u-99'));
  assert.equal(lists.count('org', 'users'), 1000);
  assert.equal(lists.position('org', 'users', 200), undefined);
  assert.equal(lists.position('other-org', 'users', 100), undefined);
});

test("a write in the organization forgets what was read before it, and only that organization's", async () => {
  const lists = new ListPositions();
  const stamp = lists.stamp();
  lists.keepPosition('org', 'users', 100, key('u-99'), stamp);
  lists.keepPosition('other', 'users', 100, key('u-99'), stamp);
  await lists.wrote('org', async () => undefined);
  assert.equal(lists.position('org', 'users', 100), undefined);
  assert.deepEqual(lists.position('other', 'users', 100), key('u-99'));
  // A reading that began before the write is not kept either.
  lists.keepCount('org', 'users', 5, stamp);
  assert.equal(lists.count('org', 'users'), undefined);
});

test('a transaction marks when it writes and again when it ends', async () => {
  const lists = new ListPositions();
  const tx = lists.inTransaction();
  assert.equal(tx.memory, undefined, 'reads inside a transaction use no memory');
  await tx.wrote('org', async () => undefined);
  // Read while the transaction is open (another connection sees the old rows)...
  const stamp = lists.stamp();
  lists.keepPosition('org', 'users', 7, key('u-6'), stamp);
  assert.deepEqual(lists.position('org', 'users', 7), key('u-6'));
  // ...and out of date once it commits.
  tx.ended();
  assert.equal(lists.position('org', 'users', 7), undefined);
});

test('what is kept ages out, for writes this store cannot see', () => {
  let now = 0;
  const lists = new ListPositions(undefined, () => now);
  lists.keepPosition('org', 'users', 7, key('u-6'), lists.stamp());
  now += MEMORY_TTL_MS;
  assert.deepEqual(lists.position('org', 'users', 7), key('u-6'));
  now += 1;
  assert.equal(lists.position('org', 'users', 7), undefined);
});

test("another process's commit (SQLite's data_version) forgets everything", () => {
  let version = 1;
  const lists = new ListPositions(() => version);
  lists.keepPosition('org', 'users', 7, key('u-6'), lists.stamp());
  assert.deepEqual(lists.position('org', 'users', 7), key('u-6'));
  version = 2;
  assert.equal(lists.position('org', 'users', 7), undefined);
  lists.keepPosition('org', 'users', 7, key('u-6'), lists.stamp());
  assert.deepEqual(lists.position('org', 'users', 7), key('u-6'));
});

test('memory stays bounded whatever the number of pages, lists and organizations', async () => {
  const lists = new ListPositions();
  const early = lists.stamp();
  lists.keepPosition('first', 'users', 1, key('x'), early);
  for (let i = 0; i < 20_000; i++) {
    const stamp = lists.stamp();
    lists.keepPosition(`org-${i % 50}`, `list-${i % 7}`, i, key(`u-${i}`), stamp);
    lists.keepCount(`org-${i % 50}`, `list-${i}`, i, stamp);
    await lists.wrote(`writer-${i}`, async () => undefined);
  }
  const { positions, counts, orgs } = lists.size;
  assert.ok(positions <= 4096, `${positions} positions`);
  assert.ok(counts <= 1024, `${counts} counts`);
  assert.ok(orgs <= 10_000, `${orgs} organizations`);
  // An organization whose own mark was forgotten is held to the highest forgotten one.
  await lists.wrote('first', async () => undefined);
  for (let i = 0; i < 10_001; i++) lists.mark(`more-${i}`);
  lists.keepPosition('first', 'users', 2, key('y'), early);
  assert.equal(lists.position('first', 'users', 2), undefined);
});
