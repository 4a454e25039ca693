import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleContext } from '../admin-routes.js';
import { type Html, html } from '../html.js';

/**
 * The one page that ever shows a secret support made (a SCIM token, a webhook secret): the answer
 * to the POST that made it, never stored, never on a page that can be reloaded from a link.
 */
export function secretPage(
  ctx: ConsoleContext,
  request: FastifyRequest,
  reply: FastifyReply,
  page: {
    readonly title: string;
    readonly trail: readonly (readonly [string, string])[];
    /** What was made, in one sentence. */
    readonly what: Html;
    /** Where the secret goes, after "Copy it now: it is shown once". */
    readonly use: Html;
    readonly secret: string;
    /** `data-testid` of the secret's element. */
    readonly testId: string;
    /** Facts to copy beside it (the Tenant URL). */
    readonly facts?: Html;
    readonly back: readonly [string, string];
  },
): FastifyReply {
  return ctx.page(request, reply, {
    title: page.title,
    trail: page.trail,
    body: html`<p>${page.what}</p>
      <p><strong>Copy it now: it is shown once.</strong> ${page.use}</p>
      <p class="secret" data-testid="${page.testId}">${page.secret}</p>
      ${page.facts ?? ''}
      <p><a href="${page.back[1]}">${page.back[0]}</a></p>`,
  });
}
