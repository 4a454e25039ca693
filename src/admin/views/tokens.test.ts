import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readable, TEST_ORG } from '../../../test/helpers/view-records.js';
import type { TokenRecord } from '../../services/index.js';
import { tokenSection } from './tokens.js';

const NOW = Date.UTC(2026, 11, 3, 12);
const DAY = 86_400_000;

const token = (id: string, label: string, fields: Partial<TokenRecord>): TokenRecord => ({
  orgId: TEST_ORG.id,
  id,
  tokenHash: `hash-${id}`,
  hint: `pscim_${id}`,
  label,
  createdAt: NOW - DAY,
  expiresAt: null,
  revokedAt: null,
  lastUsedAt: null,
  ...fields,
});

/** The row of the token labelled `label`. */
const row = (page: string, label: string): string =>
  page.split('<tr>').find((r) => r.includes(`<td>${label}</td>`)) ?? assert.fail(`no row for ${label}`);

test('the token list shows each expiry with the time left, and flags the ones ending within 30 days', () => {
  const page = readable(
    tokenSection(
      TEST_ORG.id,
      [
        token('year', 'a year', { expiresAt: NOW + 365 * DAY }),
        token('soon', 'ending', { expiresAt: NOW + 12 * DAY }),
        token('ever', 'forever', {}),
        token('gone', 'ended', { expiresAt: NOW - 2 * DAY }),
      ],
      'csrf',
      NOW,
    ),
  );
  assert.match(
    row(page, 'a year'),
    /badge-ok">active<[\s\S]*2027-12-03 12:00:00 UTC<\/time> <span class="muted">\(in 365 d\)/,
  );
  assert.match(row(page, 'ending'), /badge-warn">active, expires soon<[\s\S]*\(in 12 d\)/);
  assert.match(row(page, 'forever'), /badge-ok">active<[\s\S]*<span class="muted">never<\/span>/);
  assert.match(row(page, 'ended'), /badge-muted">expired<[\s\S]*\(EXPIRED\)/);
  assert.doesNotMatch(row(page, 'ended'), /Rotate/, 'an ended token has no actions');
  assert.match(
    row(page, 'a year'),
    /<select name="expiresIn"[^>]*><option value="">new one: 1 year \(default\)<\/option>/,
  );
});

test('the issue form offers the default year first and "never" only as an explicit choice', () => {
  const page = readable(tokenSection(TEST_ORG.id, [], 'csrf', NOW));
  const options = [...page.matchAll(/<option value="([^"]*)">([^<]*)<\/option>/g)]
    .map((m) => [m[1], m[2]])
    .filter(([, l]) => !l?.startsWith('old one') && !l?.startsWith('new one'));
  assert.deepEqual(options, [
    ['', '1 year (default)'],
    ['90d', '90 days'],
    ['30d', '30 days'],
    ['never', 'never expires'],
  ]);
});
