import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LogRecord, OrgRecord } from '../../services/index.js';
import { ScimError } from '../../services/index.js';
import { logListBody, parseLogFilters, parseTime } from './log.js';
import { logEntryBody } from './log-entry.js';

const ORG: OrgRecord = {
  id: '01900000-0000-7000-8000-000000000001',
  name: 'Contoso',
  scimEnabled: true,
  deleteMode: 'retain',
  createdAt: 0,
  updatedAt: 0,
};
const HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>';

/** Markup as a browser reads its attributes: the tag writes `/`, `=` and `&` as entities. */
const readable = (markup: { toString(): string }): string =>
  markup
    .toString()
    .replace(/&#x2F;/g, '/')
    .replace(/&#x3D;/g, '=')
    .replace(/&amp;/g, '&');

function entry(overrides: Partial<LogRecord> = {}): LogRecord {
  return {
    orgId: ORG.id,
    id: '01900000-0000-7000-8000-0000000000aa',
    at: Date.UTC(2026, 11, 3, 10, 0, 0),
    requestId: 'req-1',
    tokenId: 'tok-1',
    userAgent: 'Azure-AD-SCIM-Service/1.0',
    method: 'POST',
    path: '/scim/v2/Users',
    status: 409,
    resourceType: 'User',
    resourceId: null,
    summary: null,
    errorCode: 'user.userNameTaken',
    errorDetail: 'userName "jane@contoso.test" is already used by another user of this organization',
    durationMs: 12,
    subjectName: 'jane@contoso.test',
    subjectExternalId: 'e-1',
    ...overrides,
  };
}

describe('log filters', () => {
  test('each field becomes its query; blanks are no filter', () => {
    const parsed = parseLogFilters({
      status: '4xx',
      method: 'post',
      type: 'user',
      find: ' jane@contoso.test ',
      requestId: '',
      since: '2026-12-03T10:00',
      until: '2026-12-04',
    });
    assert.deepEqual(parsed.query, {
      status: 400,
      statusClass: true,
      method: 'POST',
      resourceType: 'User',
      subject: 'jane@contoso.test',
      since: Date.UTC(2026, 11, 3, 10, 0),
      until: Date.UTC(2026, 11, 4),
    });
    assert.deepEqual(parseLogFilters({ status: '409' }).query, { status: 409 });
    assert.deepEqual(parseLogFilters({}).query, {});
  });

  test('a value the log cannot filter by is refused by name', () => {
    const refused = (input: Parameters<typeof parseLogFilters>[0], pattern: RegExp) =>
      assert.throws(
        () => parseLogFilters(input),
        (e: unknown) => e instanceof ScimError && e.status === 400 && pattern.test(e.detail),
      );
    refused({ status: '4x' }, /"status" must be/);
    refused({ method: 'TRACE' }, /"method" must be one of/);
    refused({ type: 'Device' }, /"type" must be User or Group/);
    refused({ since: 'yesterday' }, /"since" must be a date/);
    refused({ since: '2026-12-04', until: '2026-12-03' }, /"since" must be before "until"/);
    refused({ before: "x' or 1=1" }, /"before" must be the id of a log entry/);
  });

  test('times without a zone are UTC; with one, as given', () => {
    assert.equal(parseTime('since', '2026-12-03T10:00:30'), Date.UTC(2026, 11, 3, 10, 0, 30));
    assert.equal(parseTime('since', '2026-12-03T10:00+01:00'), Date.UTC(2026, 11, 3, 9, 0));
  });
});

describe('log pages', () => {
  test('the list shows who each request was about, links each row, and pages by the last id', () => {
    const filters = parseLogFilters({ status: '4xx', find: 'jane@contoso.test' });
    const page = readable(logListBody(ORG, filters, [entry()], true));
    assert.match(
      page,
      /href="\/admin\/orgs\/01900000-0000-7000-8000-000000000001\/log\/01900000-0000-7000-8000-0000000000aa"/,
    );
    assert.match(page, /jane@contoso\.test/);
    assert.match(page, /<code>user\.userNameTaken<\/code>/);
    assert.match(page, /<option value="4xx" selected>/);
    assert.match(
      page,
      /\?status=4xx&find=jane%40contoso\.test&before=01900000-0000-7000-8000-0000000000aa" rel="next">Older entries/,
    );
    assert.doesNotMatch(logListBody(ORG, filters, [entry()], false).toString(), /Older entries/);
    assert.match(logListBody(ORG, parseLogFilters({}), [], false).toString(), /No request has reached/);
  });

  test('what the IdP sent is text, never markup, and controls are shown, not obeyed', () => {
    const hostile = entry({
      path: `/scim/v2/Users?filter=${HOSTILE}`,
      subjectName: `${HOSTILE}\u202egpj.exe`,
      userAgent: HOSTILE,
      errorDetail: HOSTILE,
      summary: HOSTILE,
    });
    for (const page of [
      logListBody(ORG, parseLogFilters({ find: HOSTILE }), [hostile], false).toString(),
      logEntryBody(ORG, hostile).toString(),
    ]) {
      assert.doesNotMatch(page, /<script>|<img/);
      assert.match(page, /&lt;script&gt;alert\(1\)&lt;&#x2F;script&gt;/);
      assert.doesNotMatch(page, /\u202e/);
      assert.match(page, /\\u202E/);
    }
  });

  test('the detail says the code, the detail, what the code means and what to do', () => {
    const page = readable(logEntryBody(ORG, entry()));
    assert.match(page, /<code>user\.userNameTaken<\/code>/);
    assert.match(page, /is already used by another user/);
    assert.match(page, /class="cause">Another user of the organization already holds this userName/);
    assert.match(page, /class="remedy">Find the other user/);
    assert.match(page, /12 ms/);
    assert.match(page, /Azure-AD-SCIM-Service\/1\.0/);
    assert.match(page, /href="\/admin\/orgs\/[^"]+\/users\?q=jane%40contoso\.test"/);
    assert.match(page, /href="\/admin\/orgs\/[^"]+\/log\?requestId=req-1"/);
  });

  test('a stored change links to its user, and a code without an explanation says so', () => {
    const done = readable(
      logEntryBody(
        ORG,
        entry({
          status: 201,
          errorCode: null,
          errorDetail: null,
          resourceId: 'u-1',
          summary: 'created userName="jane"',
        }),
      ),
    );
    assert.match(done, /href="\/admin\/orgs\/[^"]+\/users\/u-1">Open the user/);
    assert.match(done, /created userName=&quot;jane&quot;/);
    assert.doesNotMatch(done, /Cause/);
    const unknown = logEntryBody(ORG, entry({ errorCode: 'nosuch.code' })).toString();
    assert.match(unknown, /No explanation is recorded for this code/);
  });
});
