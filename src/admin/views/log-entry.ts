import { causeOf, type LogRecord, type OrgRecord } from '../../services/index.js';
import { date, type Html, html, orgPath, query } from '../html.js';
import { orDash, statusBadge, visible } from './org-section.js';

/**
 * One request as support needs it to answer "why did this user not sync?": what it was about,
 * what it changed or why it was refused (the code, the detail the IdP saw, and what the code
 * means), how long it took, which client and token sent it, and where to look next.
 */
export function logEntryBody(org: OrgRecord, e: LogRecord): Html {
  const explained = causeOf(e.errorCode);
  const outcome = e.status >= 500 ? 'failed on our side' : e.status >= 400 ? 'refused' : 'done';
  return html`<dl class="facts log-entry">
      <dt>Time</dt><dd>${date(e.at)}</dd>
      <dt>Answer</dt><dd>${statusBadge(e.status)} ${outcome}</dd>
      <dt>Request</dt><dd class="mono">${e.method} ${visible(e.path)}</dd>
      <dt>About</dt><dd>${about(e)}</dd>
      <dt>Resource</dt><dd>${resourceLink(org.id, e)}</dd>
      <dt>What changed</dt><dd>${e.summary === null ? orDash(null) : visible(e.summary)}</dd>
      <dt>Error code</dt><dd>${e.errorCode === null ? orDash(null) : html`<code>${e.errorCode}</code>`}</dd>
      <dt>Error detail</dt><dd>${e.errorDetail === null ? orDash(null) : html`<span class="error-detail">${visible(e.errorDetail)}</span>`}</dd>
      ${
        e.errorCode !== null &&
        html`<dt>Cause</dt><dd class="cause">${explained ? explained.cause : html`<span class="muted">No explanation is recorded for this code; the detail above is what the IdP saw.</span>`}</dd>
      ${explained && html`<dt>What to do</dt><dd class="remedy">${explained.remedy}</dd>`}`
      }
      <dt>Duration</dt><dd>${e.durationMs} ms</dd>
      <dt>User agent</dt><dd>${e.userAgent === null ? orDash(null) : visible(e.userAgent)}</dd>
      <dt>Token</dt><dd>${e.tokenId === null ? orDash(null) : html`<a class="mono" href="${orgPath(org.id)}">${e.tokenId}</a>`}</dd>
      <dt>Request id</dt><dd class="mono">${visible(e.requestId)}</dd>
      <dt>Entry id</dt><dd class="mono">${e.id}</dd>
    </dl>
    <nav class="links" aria-label="Related">${related(org.id, e)}</nav>`;
}

function about(e: LogRecord): Html | string {
  if (e.subjectName === null && e.subjectExternalId === null) return orDash(null);
  const name = e.resourceType === 'Group' ? 'displayName' : 'userName';
  return html`${e.subjectName !== null && html`${name} <strong class="subject">${visible(e.subjectName)}</strong>`}
    ${e.subjectExternalId !== null && html`externalId <span class="mono">${visible(e.subjectExternalId)}</span>`}`;
}

function resourceLink(orgId: string, e: LogRecord): Html | string {
  if (e.resourceId === null)
    return e.resourceType === null ? orDash(null) : html`${e.resourceType} <span class="muted">(none stored)</span>`;
  const section = e.resourceType === 'User' ? 'users' : e.resourceType === 'Group' ? 'teams' : undefined;
  const label = e.resourceType === 'Group' ? 'team' : (e.resourceType ?? 'resource').toLowerCase();
  if (section === undefined) return html`${label} <span class="mono">${e.resourceId}</span>`;
  return html`${label} <a class="mono" href="${orgPath(orgId, `${section}/${encodeURIComponent(e.resourceId)}`)}">${e.resourceId}</a>`;
}

/** Where support looks next: the person's page or search, their other requests, this request's entries. */
function related(orgId: string, e: LogRecord): Html[] {
  const links: Html[] = [];
  const log = orgPath(orgId, 'log');
  const users = e.resourceType !== 'Group';
  if (e.resourceId !== null && (e.resourceType === 'User' || e.resourceType === 'Group')) {
    const section = users ? 'users' : 'teams';
    links.push(
      html`<a href="${orgPath(orgId, `${section}/${encodeURIComponent(e.resourceId)}`)}">Open the ${users ? 'user' : 'team'}</a>`,
    );
    links.push(html`<a href="${log}${query({ resource: e.resourceId })}">Every request about it</a>`);
  } else if (e.subjectName !== null || e.subjectExternalId !== null) {
    const value = e.subjectName ?? e.subjectExternalId ?? '';
    const section = users ? 'users' : 'teams';
    links.push(
      html`<a href="${orgPath(orgId, section)}${query({ q: value })}">Find ${users ? 'users' : 'teams'} like “${visible(value)}”</a>`,
    );
  }
  const subject = e.subjectName ?? e.subjectExternalId;
  if (subject !== null)
    links.push(html`<a href="${log}${query({ find: subject })}">Every request naming “${visible(subject)}”</a>`);
  links.push(html`<a href="${log}${query({ requestId: e.requestId })}">Entries of this request id</a>`);
  return links;
}
