import type { Static } from 'typebox';
import type { OrgHealthReport, OrgRecord, WebhookHealth } from '../../services/index.js';
import type { ConsolePage } from '../admin-routes.js';
import { badge, date, type Html, html, orgPath, query } from '../html.js';
import { OrgParams, orDash, orgTrail, sectionLinks, statusBadge, visible } from './org-section.js';

const pct = (fraction: number) => `${(Math.round(fraction * 1000) / 10).toFixed(1)} %`;

/** Is this customer's sync healthy: the verdict and its reasons first, then the figures behind it. */
export function healthBody(org: OrgRecord, r: OrgHealthReport): Html {
  const log = orgPath(org.id, 'log');
  const last = r.lastRequest;
  const window = r.cut
    ? html`since ${date(r.coveredSince)} <span class="muted">(the newest ${r.requests} requests; the day held more)</span>`
    : html`last 24 h <span class="muted">(since ${date(r.since)})</span>`;
  return html`${sectionLinks(org.id, 'health')}
    <section class="verdict">
      <p>${r.verdict.unhealthy ? badge('unhealthy', 'bad') : badge('healthy', 'ok')}</p>
      ${r.verdict.reasons.length > 0 && html`<ul class="reasons">${r.verdict.reasons.map((reason) => html`<li>${visible(reason)}</li>`)}</ul>`}
    </section>
    <dl class="facts health">
      <dt>Last request</dt><dd>${
        last
          ? html`<a href="${orgPath(org.id, `log/${encodeURIComponent(last.id)}`)}">${date(last.at)}</a> ${statusBadge(last.status)} <span class="mono">${last.method} ${visible(last.path)}</span>${last.errorCode && html` <code>${last.errorCode}</code>`}`
          : html`<span class="muted">none yet: the IdP has not called</span>`
      }</dd>
      <dt>Window</dt><dd>${window}</dd>
      <dt>Requests</dt><dd>${r.requests}</dd>
      <dt>Errors</dt><dd>${r.errors} <span class="muted">(${pct(r.errorRate)}; <a href="${log}${query({ status: '4xx', since: isoMinute(r.since) })}">4xx</a>, <a href="${log}${query({ status: '5xx', since: isoMinute(r.since) })}">5xx</a>)</span></dd>
      <dt>Server errors</dt><dd>${r.serverErrors}</dd>
      <dt>5xx or 401, last hour</dt><dd>${r.alarms}</dd>
    </dl>
    <h2>Most frequent errors</h2>
    ${
      r.topErrors.length === 0
        ? html`<p class="muted">No errors in the window.</p>`
        : html`<table class="top-errors">
      <thead><tr><th>Code</th><th>Status</th><th>Count</th><th>Last</th><th>Cause</th><th>What to do</th></tr></thead>
      <tbody>${r.topErrors.map(
        (e) => html`<tr>
        <td><code>${e.code}</code></td>
        <td>${statusBadge(e.status)}</td>
        <td>${e.count}</td>
        <td>${date(e.lastAt)}</td>
        <td>${e.cause ?? html`<span class="muted">not explained yet: see the entries' detail</span>`}</td>
        <td>${orDash(e.remedy)}</td>
      </tr>`,
      )}</tbody>
    </table>`
    }
    <h2>Tokens</h2>
    ${tokensSection(r.tokens)}
    <h2>Webhooks</h2>
    ${webhooksSection(r.webhooks)}`;
}

/** Tokens to act on before (or since) the IdP's sync fails: org-health.ts says which. */
function tokensSection(tokens: OrgHealthReport['tokens']): Html {
  if (tokens.length === 0) return html`<p class="muted">No token expires within 30 days, and none expired in use.</p>`;
  return html`<ul class="tokens">${tokens.map(
    (t) =>
      html`<li>${t.kind === 'expired' ? badge('expired', 'bad') : badge('expiring', 'warn')} ${visible(t.text)}</li>`,
  )}</ul>`;
}

function webhooksSection(webhooks: readonly WebhookHealth[]): Html {
  if (webhooks.length === 0) return html`<p class="muted">No webhook receives this organization's events.</p>`;
  return html`<table class="webhooks">
    <thead><tr><th>Receiver</th><th>Scope</th><th>State</th><th>Not delivered</th><th>Last attempt</th><th>Last answer</th></tr></thead>
    <tbody>${webhooks.map(
      (w) => html`<tr>
      <td class="mono">${visible(w.url)}</td>
      <td>${w.scope === 'deployment' ? 'every organization' : 'this organization'}</td>
      <td>${stateBadge(w)}${w.disabledReason && html`<br><span class="muted">${visible(w.disabledReason)}</span>`}${w.failingSince !== null && html`<br><span class="muted">failing since ${date(w.failingSince)}</span>`}</td>
      <td>${w.backlog === null ? orDash(null) : `${w.backlog} event${w.backlog === 1 ? '' : 's'}`}</td>
      <td>${date(w.lastAttemptAt)}</td>
      <td>${w.lastStatus !== null ? String(w.lastStatus) : ''}${w.lastError && html` ${visible(w.lastError)}`}${w.lastStatus === null && w.lastError === null ? orDash(null) : ''}</td>
    </tr>`,
    )}</tbody>
  </table>`;
}

const stateBadge = (w: WebhookHealth): Html =>
  w.state === 'disabled'
    ? badge('disabled', 'bad')
    : w.state === 'failing'
      ? badge('failing', 'warn')
      : badge('delivering', 'ok');

/** The log filter's `since` field (datetime-local, UTC) for a time. */
const isoMinute = (ms: number): string => new Date(ms).toISOString().slice(0, 16);

/** /orgs/:orgId/health. */
export const healthPage: ConsolePage = (scope, ctx) => {
  scope.get('/orgs/:orgId/health', { schema: { params: OrgParams } }, async (request, reply) => {
    const { orgId } = request.params as Static<typeof OrgParams>;
    const org = await ctx.services.organizations.get(orgId);
    const report = await ctx.services.health.report(orgId);
    return ctx.page(request, reply, {
      title: `Health · ${org.name}`,
      body: healthBody(org, report),
      trail: orgTrail(org),
    });
  });
};
