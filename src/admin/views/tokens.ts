import type { FastifyReply, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { credentialState, parseDuration, ScimError, type TokenRecord } from '../../services/index.js';
import { EXPIRY_WARNING_MS, NEVER, timeLeft } from '../../services/token-expiry.js';
import type { ConsoleContext, ConsolePage } from '../admin-routes.js';
import { badge, date, type Html, html, orgPath } from '../html.js';
import { csrfField } from './layout.js';
import { secretPage } from './secret-page.js';

const OrgParams = Type.Object({ orgId: Type.String({ maxLength: 64 }) });
const TokenParams = Type.Object({ orgId: Type.String({ maxLength: 64 }), tokenId: Type.String({ maxLength: 64 }) });
const IssueForm = Type.Object({
  _csrf: Type.String(),
  label: Type.Optional(Type.String({ maxLength: 200 })),
  expiresIn: Type.Optional(Type.String({ maxLength: 10 })),
});
const RotateForm = Type.Object({
  _csrf: Type.String(),
  grace: Type.String({ maxLength: 10 }),
  expiresIn: Type.Optional(Type.String({ maxLength: 10 })),
});
const CsrfOnly = Type.Object({ _csrf: Type.String() });

/**
 * Lifetimes offered for a new token (the first, empty, is the service's default of one year;
 * "never" is an explicit choice), and grace periods for a rotation (the old token's remaining life).
 */
const LIFETIMES = [
  ['', '1 year (default)'],
  ['90d', '90 days'],
  ['30d', '30 days'],
  [NEVER, 'never expires'],
] as const;
const GRACES = [
  ['1d', '1 day'],
  ['1h', '1 hour'],
  ['7d', '7 days'],
  ['30d', '30 days'],
  ['0s', 'none: stop it now'],
] as const;

/** Active tokens within EXPIRY_WARNING_MS of their end stand out: support rotates them before the IdP's sync fails. */
export function tokenState(t: TokenRecord, now: number): Html {
  const state = credentialState(t, now);
  if (state !== 'active') return badge(state, 'muted');
  if (t.expiresAt !== null && t.expiresAt - now <= EXPIRY_WARNING_MS) return badge('active, expires soon', 'warn');
  return badge('active', 'ok');
}

/** The expiry column: the time, and how long is left ("in 365 d", "EXPIRED", "never"). */
function expiryCell(t: TokenRecord, now: number): Html {
  if (t.expiresAt === null) return html`<span class="muted">${NEVER}</span>`;
  if (t.revokedAt !== null) return date(t.expiresAt);
  return html`${date(t.expiresAt)} <span class="muted">(${timeLeft(t.expiresAt, now)})</span>`;
}

/** The organization page's token section: the list with its actions, and the issue form. */
export function tokenSection(orgId: string, tokens: readonly TokenRecord[], csrf: string, now: number): Html {
  const live = (t: TokenRecord) => credentialState(t, now) === 'active';
  const rows = tokens.map(
    (t) => html`<tr>
      <td class="mono">${t.hint}…</td><td>${t.label ?? ''}</td><td>${tokenState(t, now)}</td>
      <td>${date(t.createdAt)}</td><td>${expiryCell(t, now)}</td><td>${date(t.lastUsedAt)}</td>
      <td>${
        live(t) &&
        html`<form class="inline" method="post" action="${orgPath(orgId, `tokens/${t.id}/rotate`)}">
          ${csrfField(csrf)}
          <select name="grace" aria-label="Grace for the old token">${GRACES.map(([v, l]) => html`<option value="${v}">old one works ${l}</option>`)}</select>
          <select name="expiresIn" aria-label="Lifetime of the new token">${LIFETIMES.map(([v, l]) => html`<option value="${v}">new one: ${l}</option>`)}</select>
          <button type="submit">Rotate</button>
        </form>
        <form class="inline" method="post" action="${orgPath(orgId, `tokens/${t.id}/revoke`)}">
          ${csrfField(csrf)}<button class="danger" type="submit">Revoke</button>
        </form>`
      }</td>
    </tr>`,
  );
  return html`<h2 id="tokens">Tokens</h2>
    ${
      tokens.length === 0
        ? html`<p class="muted">No tokens yet.</p>`
        : html`<table><thead><tr><th>Token</th><th>Label</th><th>State</th><th>Created</th><th>Expires</th><th>Last used</th><th>Actions</th></tr></thead>
      <tbody>${rows}</tbody></table>`
    }
    <form class="row" method="post" action="${orgPath(orgId, 'tokens')}">
      ${csrfField(csrf)}
      <label>Label <input name="label" maxlength="200" placeholder="Entra production"></label>
      <label>Lifetime <select name="expiresIn">${LIFETIMES.map(([v, l]) => html`<option value="${v}">${l}</option>`)}</select></label>
      <button class="primary" type="submit">Issue token</button>
    </form>`;
}

function duration(text: string | undefined, zeroAllowed: boolean): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (zeroAllowed && /^0[smhd]$/.test(text)) return 0;
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new ScimError(400, `"${text}" is not a duration such as 90d or 12h`, 'invalidValue', 'console.duration');
  return ms;
}

/** A lifetime from a form: absent or empty is the service's default (a year); "never" is no expiry, chosen. */
const lifetime = (text: string | undefined): number | null | undefined =>
  text === NEVER ? null : duration(text, false);

/** A new token's secret, with the Tenant URL beside it: what the customer's admin pastes into the IdP. */
function tokenSecretPage(
  ctx: ConsoleContext,
  request: FastifyRequest,
  reply: FastifyReply,
  orgId: string,
  secret: string,
  what: Html,
): FastifyReply {
  return secretPage(ctx, request, reply, {
    title: 'New token',
    trail: [
      ['Organizations', '/admin/orgs'],
      ['Organization', orgPath(orgId)],
    ],
    what,
    use: html`It is never stored: paste it into the IdP as the Secret Token.`,
    secret,
    testId: 'token-secret',
    facts: html`<dl class="facts"><dt>Tenant URL</dt><dd class="mono">${ctx.scimUrl(request)}</dd></dl>`,
    back: ['Back to the organization', `${orgPath(orgId)}#tokens`],
  });
}

/** Issue, rotate and revoke, from the organization page's forms. */
export const tokenPages: ConsolePage = (scope, ctx) => {
  scope.post('/orgs/:orgId/tokens', { schema: { params: OrgParams, body: IssueForm } }, async (request, reply) => {
    const { orgId } = request.params as Static<typeof OrgParams>;
    const form = request.body as Static<typeof IssueForm>;
    const expiresInMs = lifetime(form.expiresIn);
    const label = form.label?.trim();
    const issued = await ctx.services.tokens.issue(ctx.operator(request), orgId, {
      requestId: request.id,
      ...(label ? { label } : {}),
      ...(expiresInMs !== undefined ? { expiresInMs } : {}),
    });
    return tokenSecretPage(
      ctx,
      request,
      reply,
      orgId,
      issued.token,
      html`Token <code>${issued.record.hint}…</code> issued, ${issued.record.expiresAt === null ? 'never expires' : html`expires ${date(issued.record.expiresAt)}`}.`,
    );
  });

  scope.post(
    '/orgs/:orgId/tokens/:tokenId/rotate',
    { schema: { params: TokenParams, body: RotateForm } },
    async (request, reply) => {
      const { orgId, tokenId } = request.params as Static<typeof TokenParams>;
      await ownToken(ctx, orgId, tokenId);
      const form = request.body as Static<typeof RotateForm>;
      const graceMs = duration(form.grace, true) ?? 0;
      const expiresInMs = lifetime(form.expiresIn);
      const rotated = await ctx.services.tokens.rotate(ctx.operator(request), tokenId, {
        graceMs,
        requestId: request.id,
        ...(expiresInMs !== undefined ? { expiresInMs } : {}),
      });
      return tokenSecretPage(
        ctx,
        request,
        reply,
        orgId,
        rotated.token,
        html`Token <code>${rotated.previous.hint}…</code> rotated: the old one works until ${date(rotated.previous.expiresAt)}; this is its replacement, ${rotated.record.expiresAt === null ? 'which never expires' : html`expiring ${date(rotated.record.expiresAt)}`}.`,
      );
    },
  );

  scope.post(
    '/orgs/:orgId/tokens/:tokenId/revoke',
    { schema: { params: TokenParams, body: CsrfOnly } },
    async (request, reply) => {
      const { orgId, tokenId } = request.params as Static<typeof TokenParams>;
      await ownToken(ctx, orgId, tokenId);
      const revoked = await ctx.services.tokens.revoke(ctx.operator(request), tokenId, { requestId: request.id });
      return ctx.redirect(
        request,
        reply,
        `${orgPath(orgId)}#tokens`,
        `Token ${revoked.hint}… revoked: SCIM requests with it now get 401`,
      );
    },
  );
};

/** A token id from a form of one organization's page must be that organization's. */
async function ownToken(ctx: ConsoleContext, orgId: string, tokenId: string): Promise<void> {
  const tokens = await ctx.services.tokens.list(orgId);
  if (!tokens.some((t) => t.id === tokenId)) {
    throw new ScimError(404, 'This organization has no such token', undefined, 'console.tokenNotFound');
  }
}
