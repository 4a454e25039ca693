import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import type { Services } from '../../services/index.js';
import { date, type Html, html } from '../html.js';
import { layout } from './layout.js';

const SecretParams = Type.Object({ secret: Type.String({ maxLength: 128 }) });

/** The README's Entra steps ("Connecting an identity provider"), beside the values they need. */
function entraSteps(tenantUrl: string): Html {
  return html`<ol class="steps">
    <li>In the Entra admin center: Enterprise applications → New application → create your own (non-gallery) application "Parallel".</li>
    <li>Provisioning → New configuration. Set <strong>Tenant URL</strong> to <code>${tenantUrl}</code>.</li>
    <li>Authentication: Bearer, with the <strong>Secret Token</strong> shown here.</li>
    <li>Click <em>Test connection</em>, then <em>Create</em>.</li>
    <li>Map users by <code>externalId</code> (objectId, matching precedence 1) and <code>userName</code> from <code>mail</code>.</li>
    <li>Leave <strong>Delete</strong> unchecked: deprovisioning then arrives as <code>active: false</code>.</li>
    <li>Group mappings are optional; groups are matched by <code>externalId</code>.</li>
  </ol>`;
}

/**
 * `/setup/<secret>`: the customer's admin, without a session. The first opening issues a token
 * and shows it once; a later one says when the link was used. Never cached, never a Referer.
 */
export function setupPage(
  scope: FastifyInstance,
  services: Services,
  scimUrl: (request: FastifyRequest) => string,
): void {
  scope.get('/:secret', { schema: { params: SecretParams } }, async (request, reply) => {
    const { secret } = request.params as Static<typeof SecretParams>;
    const opening = await services.setupLinks.open(secret, request.id);
    const send = (status: number, title: string, body: Html) =>
      reply.code(status).type('text/html; charset=utf-8').send(layout({ title, body }));
    switch (opening.state) {
      case 'opened': {
        const tenantUrl = scimUrl(request);
        return send(
          200,
          `Connect ${opening.org.name} to Parallel`,
          html`<p><strong>Copy both values now: this page is shown once.</strong> Opening the link again will not show the token.</p>
          <div class="columns">
            <section>
              <dl class="facts">
                <dt>Tenant URL</dt><dd class="secret" data-testid="tenant-url">${tenantUrl}</dd>
                <dt>Secret Token</dt><dd class="secret" data-testid="setup-token">${opening.issued.token}</dd>
                <dt>Token expires</dt><dd>${opening.issued.record.expiresAt === null ? 'never (until revoked)' : date(opening.issued.record.expiresAt)}</dd>
              </dl>
            </section>
            <section><h2>Microsoft Entra ID</h2>${entraSteps(tenantUrl)}
              <p class="muted">Okta: SCIM 2.0 with the same base URL and "HTTP Header" authentication.</p></section>
          </div>`,
        );
      }
      case 'used':
        return send(
          410,
          'Link already used',
          html`<p class="error-box">This setup link was used on ${date(opening.at)}; it shows its token only once. Ask Parallel support for a new link.</p>`,
        );
      case 'expired':
        return send(
          410,
          'Link expired',
          html`<p class="error-box">This setup link expired on ${date(opening.at)}. Ask Parallel support for a new link.</p>`,
        );
      default:
        return send(
          404,
          'Unknown link',
          html`<p class="error-box">This setup link is not valid. Check that it was copied whole, or ask Parallel support for a new one.</p>`,
        );
    }
  });
}
