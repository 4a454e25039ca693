import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertInert, HOSTILE, readable, TEST_ORG } from '../../../test/helpers/view-records.js';
import type { OrgHealthReport } from '../../services/index.js';
import { healthBody } from './health.js';

const NOW = Date.UTC(2026, 11, 3, 12);

const report = (overrides: Partial<OrgHealthReport> = {}): OrgHealthReport => ({
  orgId: TEST_ORG.id,
  at: NOW,
  since: NOW - 86_400_000,
  cut: false,
  coveredSince: NOW - 86_400_000,
  lastRequest: {
    id: 'l-1',
    at: NOW - 60_000,
    status: 409,
    method: 'POST',
    path: '/scim/v2/Users',
    errorCode: 'user.userNameTaken',
    requestId: 'r-1',
  },
  requests: 40,
  errors: 4,
  errorRate: 0.1,
  serverErrors: 0,
  alarms: 0,
  topErrors: [
    {
      code: 'user.userNameTaken',
      status: 409,
      count: 4,
      lastAt: NOW - 60_000,
      cause: 'Another user holds it.',
      remedy: 'Free it.',
    },
  ],
  webhooks: [
    {
      webhookId: 'w-1',
      url: 'https://receiver.example/hooks',
      scope: 'organization',
      state: 'disabled',
      disabledReason: '50 failures',
      backlog: 12,
      failingSince: NOW - 3_600_000,
      lastStatus: 503,
      lastError: 'Service Unavailable',
      lastAttemptAt: NOW - 60_000,
    },
  ],
  tokens: [
    {
      kind: 'expiring',
      tokenId: 't-1',
      hint: 'pscim_AbCd',
      label: 'Entra production',
      expiresAt: NOW + 5 * 86_400_000,
      lastUsedAt: NOW - 60_000,
      daysLeft: 5,
      text: 'token pscim_AbCd… (Entra production) expires 2026-12-08T12:00:00.000Z (in 5 d): rotate it',
    },
  ],
  verdict: { unhealthy: true, reasons: ['10.0 % of 40 requests in the last 24 h were refused or failed'] },
  ...overrides,
});

test('the verdict and reasons first, then the figures, the frequent errors with cause and remedy, webhooks', () => {
  const page = readable(healthBody(TEST_ORG, report()));
  assert.match(page, /badge-bad">unhealthy/);
  assert.match(page, /<li>10\.0 % of 40 requests in the last 24 h were refused or failed<\/li>/);
  assert.match(page, /log\/l-1">.*<\/a> <span class="badge badge-warn">409/);
  assert.match(page, /Errors<\/dt><dd>4 <span class="muted">\(10\.0 %/);
  assert.match(page, /<code>user\.userNameTaken<\/code><\/td>[\s\S]*Another user holds it\.<\/td>\s*<td>Free it\./);
  assert.match(page, /badge-bad">disabled<\/span><br><span class="muted">50 failures/);
  assert.match(page, /12 events/);
  assert.match(page, /log\?status=4xx&since=2026-12-02T12%3A00/);
  assert.match(
    page,
    /<h2>Tokens<\/h2>[\s\S]*badge-warn">expiring<\/span> token pscim_AbCd… \(Entra production\) expires/,
  );
});

test('a quiet organization says the IdP has not called; a cut window says how far it reaches', () => {
  const quiet = readable(
    healthBody(
      TEST_ORG,
      report({
        lastRequest: null,
        requests: 0,
        errors: 0,
        errorRate: 0,
        topErrors: [],
        webhooks: [],
        tokens: [],
        verdict: { unhealthy: false, reasons: [] },
      }),
    ),
  );
  assert.match(quiet, /badge-ok">healthy/);
  assert.match(quiet, /No token expires within 30 days/);
  assert.match(quiet, /the IdP has not called/);
  assert.match(quiet, /No errors in the window/);
  assert.match(quiet, /No webhook receives/);
  assert.match(
    readable(healthBody(TEST_ORG, report({ cut: true, coveredSince: NOW - 3_600_000 }))),
    /the day held more/,
  );
});

test('paths, receiver URLs and their errors are text', () => {
  const base = report();
  const [hook] = base.webhooks;
  const [token] = base.tokens;
  assert.ok(hook && token && base.lastRequest);
  assertInert(
    healthBody(
      TEST_ORG,
      report({
        lastRequest: { ...base.lastRequest, path: HOSTILE },
        webhooks: [{ ...hook, url: HOSTILE, lastError: HOSTILE, disabledReason: HOSTILE }],
        tokens: [{ ...token, label: HOSTILE, text: HOSTILE }],
        verdict: { unhealthy: true, reasons: [HOSTILE] },
      }),
    ),
    assert,
  );
});
