import Type, { type Static } from 'typebox';
import {
  type DirectoryEvent,
  type OrgRecord,
  type UserDetail,
  type UserRecord,
  type UserState,
  userState,
} from '../../services/index.js';
import type { ConsolePage } from '../admin-routes.js';
import { type BadgeTone, badge, date, type Html, html, orgPath, query } from '../html.js';
import { actorText, OrgParams, orDash, orgTrail, sectionLinks, visible } from './org-section.js';

/** Users per page of the unfiltered list, and events shown on a user's page. */
export const USERS_PAGE_SIZE = 50;
export const USER_EVENTS_SHOWN = 50;

const UsersQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 512 })),
  /** The last user of the page before: pages are keyset reads, whatever the organization's size. */
  after: Type.Optional(Type.String({ maxLength: 64 })),
});
const UserParams = Type.Object({ orgId: Type.String({ maxLength: 64 }), userId: Type.String({ maxLength: 64 }) });

const STATE_TONES: Readonly<Record<UserState, BadgeTone>> = {
  active: 'ok',
  deactivated: 'warn',
  'deleted by the IdP': 'muted',
};
export const stateBadge = (state: UserState): Html => badge(state, STATE_TONES[state]);

/**
 * The search form and either what it found or the organization's newest users, paged: `next` is
 * the id the next (older) page starts after, `after` whether this is a later page.
 */
export function usersListBody(
  org: OrgRecord,
  search: string,
  users: readonly UserRecord[],
  paging: { next: string | undefined; after: boolean } | undefined,
): Html {
  const base = orgPath(org.id, 'users');
  return html`${sectionLinks(org.id, 'users')}
    <form class="row" method="get" action="${base}" role="search">
      <label>Find by userName, e-mail or externalId <input type="search" name="q" value="${search}" size="40"></label>
      <button type="submit">Find</button>
      ${search !== '' && html`<a href="${base}">Show all</a>`}
    </form>
    ${
      users.length === 0
        ? html`<p class="muted">${search === '' ? 'No users yet.' : html`No user of this organization has the userName, e-mail or externalId “${visible(search)}”. <a href="${orgPath(org.id, 'log')}${query({ find: search })}">Look for requests naming it in the log</a>.`}</p>`
        : html`<table>
      <thead><tr><th>userName</th><th>State</th><th>externalId</th><th>Managed by</th><th>Last change</th></tr></thead>
      <tbody>${users.map(
        (u) => html`<tr>
        <td><a href="${orgPath(org.id, `users/${encodeURIComponent(u.id)}`)}">${visible(u.userName)}</a></td>
        <td>${stateBadge(userState(u))}</td>
        <td class="mono">${u.externalId === null ? orDash(null) : visible(u.externalId)}</td>
        <td>${u.scimManaged ? 'the IdP' : 'Parallel'}</td>
        <td>${date(u.updatedAt)}</td>
      </tr>`,
      )}</tbody>
    </table>`
    }
    ${
      paging &&
      (paging.after || paging.next !== undefined) &&
      html`<nav class="pager" aria-label="Pages">
      ${paging.after && html`<a href="${base}">Newest users</a>`}
      ${paging.next !== undefined && html`<a href="${base}${query({ after: paging.next })}" rel="next">Older users</a>`}
    </nav>`
    }`;
}

/** A user as the IdP left it: state, link, who manages it, teams, and its events newest first. */
export function userBody(org: OrgRecord, detail: UserDetail, events: readonly DirectoryEvent[]): Html {
  const { user } = detail;
  const emails = Array.isArray(user.doc.emails)
    ? user.doc.emails.flatMap((e) =>
        e !== null && typeof e === 'object' && typeof (e as { value?: unknown }).value === 'string'
          ? [(e as { value: string }).value]
          : [],
      )
    : [];
  const displayName = typeof user.doc.displayName === 'string' ? user.doc.displayName : null;
  const log = orgPath(org.id, 'log');
  return html`${sectionLinks(org.id, 'users')}
    <dl class="facts user">
      <dt>userName</dt><dd class="subject">${visible(user.userName)}</dd>
      <dt>State</dt><dd>${stateBadge(detail.state)}${user.deletedAt ? html` since ${date(user.deletedAt)}: the account is retained, a create of the same person links it back` : ''}</dd>
      <dt>Display name</dt><dd>${displayName === null ? orDash(null) : visible(displayName)}</dd>
      <dt>E-mails</dt><dd>${emails.length === 0 ? orDash(null) : visible(emails.join(', '))}</dd>
      <dt>Linked externalId</dt><dd class="mono">${user.externalId === null ? html`<span class="muted">not linked</span>` : visible(user.externalId)}</dd>
      <dt>Managed by</dt><dd>${detail.managedBy === 'idp' ? 'the IdP (its next sync may change what support changes)' : 'Parallel (invited outside SCIM, or unlinked)'}</dd>
      <dt>Created</dt><dd>${date(user.createdAt)}</dd>
      <dt>Last change</dt><dd>${date(user.updatedAt)} <span class="muted">(version ${user.version})</span></dd>
      <dt>Id</dt><dd class="mono">${user.id}</dd>
    </dl>
    <nav class="links" aria-label="Related">
      <a href="${log}${query({ resource: user.id })}">Every request about this user</a>
      <a href="${log}${query({ find: user.userName })}">Every request naming its userName</a>
    </nav>
    <h2>Teams</h2>
    ${
      detail.teams.length === 0
        ? html`<p class="muted">In no team.</p>`
        : html`<ul>${detail.teams.map(
            (t) =>
              html`<li><a href="${orgPath(org.id, `teams/${encodeURIComponent(t.teamId)}`)}">${visible(t.displayName)}</a>${t.type === 'indirect' ? html` <span class="muted">(through a nested team)</span>` : ''}</li>`,
          )}</ul>`
    }
    <h2>Events, newest first</h2>
    ${
      events.length === 0
        ? html`<p class="muted">No directory events recorded for this user.</p>`
        : html`<table>
      <thead><tr><th>Time</th><th>Event</th><th>By</th><th>Changed</th><th>Cursor</th></tr></thead>
      <tbody>${events.map(
        (e) => html`<tr>
        <td>${date(Date.parse(e.occurredAt))}</td>
        <td><code>${e.type}</code></td>
        <td>${actorText(e.actor)}</td>
        <td>${changedText(e.data)}</td>
        <td>${e.cursor}</td>
      </tr>`,
      )}</tbody>
    </table>`
    }`;
}

/** What an event's data says changed: its `changed` names, or for membership the team. */
function changedText(data: unknown): Html | string {
  if (data === null || typeof data !== 'object') return orDash(null);
  const d = data as { changed?: unknown; team?: { displayName?: unknown }; linked?: unknown; account?: unknown };
  if (Array.isArray(d.changed) && d.changed.length > 0) return visible(d.changed.map(String).join(', '));
  if (d.team && typeof d.team.displayName === 'string') return html`team ${visible(d.team.displayName)}`;
  if (d.linked === true) return 'linked an existing account';
  if (typeof d.account === 'string') return `account ${d.account}`;
  return orDash(null);
}

/** /orgs/:orgId/users and /orgs/:orgId/users/:userId. */
export const userPages: ConsolePage = (scope, ctx) => {
  scope.get(
    '/orgs/:orgId/users',
    { schema: { params: OrgParams, querystring: UsersQuery } },
    async (request, reply) => {
      const { orgId } = request.params as Static<typeof OrgParams>;
      const { q, after } = request.query as Static<typeof UsersQuery>;
      const org = await ctx.services.organizations.get(orgId);
      const search = q?.trim() ?? '';
      let body: Html;
      if (search !== '') {
        body = usersListBody(org, search, await ctx.services.userSupport.find(orgId, search), undefined);
      } else {
        const found = await ctx.services.users.pageForAdmin(orgId, {
          ...(after !== undefined ? { after } : {}),
          limit: USERS_PAGE_SIZE,
        });
        body = usersListBody(org, search, found.items, { next: found.next, after: after !== undefined });
      }
      return ctx.page(request, reply, { title: `Users · ${org.name}`, body, trail: orgTrail(org) });
    },
  );

  scope.get('/orgs/:orgId/users/:userId', { schema: { params: UserParams } }, async (request, reply) => {
    const { orgId, userId } = request.params as Static<typeof UserParams>;
    const org = await ctx.services.organizations.get(orgId);
    const detail = await ctx.services.userSupport.show(orgId, userId);
    const events = await ctx.services.eventsFeed.forResource(orgId, userId, { limit: USER_EVENTS_SHOWN });
    return ctx.page(request, reply, {
      title: visible(detail.user.userName),
      body: userBody(org, detail, events),
      trail: orgTrail(org, ['Users', orgPath(orgId, 'users')]),
    });
  });
};
