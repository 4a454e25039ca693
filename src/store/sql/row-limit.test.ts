import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { coldKysely } from '../../../test/helpers/cold-kysely.js';
import type { Database } from './db-schema.js';
import { rowLimit } from './row-limit.js';

test('a row limit is written into the SQL text, and only a row count is', () => {
  const q = coldKysely<Database>('sqlite').selectFrom('users').select('id').limit(rowLimit(101)).compile();
  assert.equal(q.sql, 'select "id" from "users" limit 101');
  assert.deepEqual(q.parameters, []);
  for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
    assert.throws(() => rowLimit(bad), RangeError, String(bad));
  }
});

test('every LIMIT of the store, built or in a template, goes through rowLimit (migrations aside: they are frozen)', () => {
  const store = join(import.meta.dirname, '..');
  const offenders: string[] = [];
  for (const name of readdirSync(store, { recursive: true, encoding: 'utf8' })) {
    if (!name.endsWith('.ts') || name.endsWith('.test.ts') || name.includes('migrations')) continue;
    if (name.endsWith('row-limit.ts')) continue;
    const source = readFileSync(join(store, name), 'utf8');
    // A builder's .limit(...), or LIMIT in a sql`...` template.
    for (const match of source.matchAll(/\.limit\((?!rowLimit\()|\blimit \$\{(?!rowLimit\()/gi)) {
      offenders.push(`${name}: ${source.slice(match.index, match.index + 40).split('\n')[0]}`);
    }
  }
  assert.deepEqual(offenders, []);
});
