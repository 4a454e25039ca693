import Type, { type Static } from 'typebox';
import type { MemberPage, OrgRecord, TeamRecord } from '../../services/index.js';
import type { ConsolePage } from '../admin-routes.js';
import { date, type Html, html, orgPath, query } from '../html.js';
import { OrgParams, orDash, orgTrail, sectionLinks, visible } from './org-section.js';

/** Teams per page of the list, and members per page of a team. */
export const TEAMS_PAGE_SIZE = 50;
export const MEMBERS_PAGE_SIZE = 100;

const TeamsQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 512 })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
});
const TeamParams = Type.Object({ orgId: Type.String({ maxLength: 64 }), teamId: Type.String({ maxLength: 64 }) });
const MembersQuery = Type.Object({ after: Type.Optional(Type.String({ maxLength: 64 })) });

/** The search form and the teams in displayName order, paged. */
export function teamsListBody(
  org: OrgRecord,
  search: string,
  teams: readonly TeamRecord[],
  paging: { page: number; pages: number; total: number },
): Html {
  const base = orgPath(org.id, 'teams');
  return html`${sectionLinks(org.id, 'teams')}
    <form class="row" method="get" action="${base}" role="search">
      <label>Find by the start of the displayName <input type="search" name="q" value="${search}" size="40"></label>
      <button type="submit">Find</button>
      ${search !== '' && html`<a href="${base}">Show all</a>`}
    </form>
    ${
      teams.length === 0
        ? html`<p class="muted">${search === '' ? 'No teams yet.' : html`No team's displayName starts with “${visible(search)}”.`}</p>`
        : html`<p class="muted">${paging.total} team${paging.total === 1 ? '' : 's'}</p>
    <table>
      <thead><tr><th>displayName</th><th>externalId</th><th>Last change</th><th>Id</th></tr></thead>
      <tbody>${teams.map(
        (t) => html`<tr>
        <td><a href="${orgPath(org.id, `teams/${encodeURIComponent(t.id)}`)}">${visible(t.displayName)}</a></td>
        <td class="mono">${t.externalId === null ? orDash(null) : visible(t.externalId)}</td>
        <td>${date(t.updatedAt)}</td>
        <td class="mono">${t.id}</td>
      </tr>`,
      )}</tbody>
    </table>`
    }
    ${
      paging.pages > 1 &&
      html`<nav class="pager" aria-label="Pages">
      ${paging.page > 1 && html`<a href="${base}${query({ q: search, page: paging.page - 1 })}">Previous</a>`}
      <span class="muted">page ${paging.page} of ${paging.pages}</span>
      ${paging.page < paging.pages && html`<a href="${base}${query({ q: search, page: paging.page + 1 })}" rel="next">Next</a>`}
    </nav>`
    }`;
}

/** A team and one page of its members (users and nested teams, in id order). */
export function teamBody(org: OrgRecord, page: MemberPage, after: string | undefined): Html {
  const { team, members, next } = page;
  const base = orgPath(org.id, `teams/${encodeURIComponent(team.id)}`);
  return html`${sectionLinks(org.id, 'teams')}
    <dl class="facts team">
      <dt>displayName</dt><dd class="subject">${visible(team.displayName)}</dd>
      <dt>Linked externalId</dt><dd class="mono">${team.externalId === null ? html`<span class="muted">not linked</span>` : visible(team.externalId)}</dd>
      <dt>Created</dt><dd>${date(team.createdAt)}</dd>
      <dt>Last change</dt><dd>${date(team.updatedAt)} <span class="muted">(version ${team.version})</span></dd>
      <dt>Id</dt><dd class="mono">${team.id}</dd>
    </dl>
    <nav class="links" aria-label="Related">
      <a href="${orgPath(org.id, 'log')}${query({ resource: team.id })}">Every request about this team</a>
    </nav>
    <h2>Members</h2>
    ${
      members.length === 0
        ? html`<p class="muted">${after === undefined ? 'No members.' : 'No more members.'}</p>`
        : html`<table>
      <thead><tr><th>Member</th><th>Kind</th><th>Id</th></tr></thead>
      <tbody>${members.map((m) =>
        m.kind === 'user'
          ? html`<tr><td><a href="${orgPath(org.id, `users/${encodeURIComponent(m.userId)}`)}">${visible(m.userName)}</a>${m.displayName !== null && html` <span class="muted">${visible(m.displayName)}</span>`}</td><td>user</td><td class="mono">${m.userId}</td></tr>`
          : html`<tr><td><a href="${orgPath(org.id, `teams/${encodeURIComponent(m.teamId)}`)}">${visible(m.displayName)}</a></td><td>nested team</td><td class="mono">${m.teamId}</td></tr>`,
      )}</tbody>
    </table>`
    }
    <nav class="pager" aria-label="Member pages">
      ${after !== undefined && html`<a href="${base}">First members</a>`}
      ${next !== undefined && html`<a href="${base}${query({ after: next })}" rel="next">Next members</a>`}
    </nav>`;
}

/** /orgs/:orgId/teams and /orgs/:orgId/teams/:teamId. */
export const teamPages: ConsolePage = (scope, ctx) => {
  scope.get(
    '/orgs/:orgId/teams',
    { schema: { params: OrgParams, querystring: TeamsQuery } },
    async (request, reply) => {
      const { orgId } = request.params as Static<typeof OrgParams>;
      const { q, page = 1 } = request.query as Static<typeof TeamsQuery>;
      const org = await ctx.services.organizations.get(orgId);
      const search = q?.trim() ?? '';
      const found = await ctx.services.teamLookup.search(orgId, search, {
        offset: (page - 1) * TEAMS_PAGE_SIZE,
        limit: TEAMS_PAGE_SIZE,
      });
      const pages = Math.max(1, Math.ceil(found.total / TEAMS_PAGE_SIZE));
      const body = teamsListBody(org, search, found.items, { page, pages, total: found.total });
      return ctx.page(request, reply, { title: `Teams · ${org.name}`, body, trail: orgTrail(org) });
    },
  );

  scope.get(
    '/orgs/:orgId/teams/:teamId',
    { schema: { params: TeamParams, querystring: MembersQuery } },
    async (request, reply) => {
      const { orgId, teamId } = request.params as Static<typeof TeamParams>;
      const { after } = request.query as Static<typeof MembersQuery>;
      const org = await ctx.services.organizations.get(orgId);
      const start = after === undefined || after === '' ? undefined : after;
      const page = await ctx.services.teamLookup.members(orgId, teamId, {
        ...(start !== undefined ? { after: start } : {}),
        limit: MEMBERS_PAGE_SIZE,
      });
      return ctx.page(request, reply, {
        title: visible(page.team.displayName),
        body: teamBody(org, page, start),
        trail: orgTrail(org, ['Teams', orgPath(orgId, 'teams')]),
      });
    },
  );
};
