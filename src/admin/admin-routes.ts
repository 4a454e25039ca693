/**
 * The support console: server-rendered pages under /admin, and the customer's setup page at
 * /setup/<secret>. It calls the services only.
 *
 * How a page module plugs in (H5: views/log.ts, users.ts, teams.ts, health.ts, audit.ts): export
 * a `ConsolePage`, a function `(scope, ctx) => void` that adds its routes to `scope` (already
 * behind sign-in, CSRF-checked, with the form parser, and under the /admin prefix, so a module
 * registers `/orgs/:orgId/log`), then add it to PAGES below. `ctx` gives the services, the
 * signed-in staff member (`ctx.operator(request)` is the Operator the use cases take), the
 * CSRF token for forms (`csrfField(ctx.csrfToken(request))` from views/layout.ts), `ctx.page(...)`
 * to answer with a page in the layout, and `ctx.redirect(...)` for the redirect after a POST.
 * Throw a ScimError for a refusal: it becomes an error page with its detail.
 */
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Operator, Services, SignedInStaff } from '../services/index.js';
import { ScimError } from '../services/index.js';
import { errorPage, registerConsoleErrors, SECURITY_HEADERS } from './console-errors.js';
import { fromOwnPages } from './csrf.js';
import type { Html } from './html.js';
import { clearSessionCookie, SESSION_COOKIE, setNotice, takeNotice, tokensMatch } from './session.js';
import { signInPages, signOutRoute } from './sign-in.js';
import { auditPage } from './views/audit.js';
import { CONSOLE_CSS } from './views/console-css.js';
import { healthPage } from './views/health.js';
import { layout } from './views/layout.js';
import { logPages } from './views/log.js';
import { organizationPage } from './views/organization.js';
import { organizationsPages } from './views/organizations.js';
import { setupPage } from './views/setup.js';
import { setupLinkPages } from './views/setup-links.js';
import { teamPages } from './views/teams.js';
import { tokenPages } from './views/tokens.js';
import { userPages } from './views/users.js';
import { webhookActionPages } from './views/webhook-actions.js';
import { webhookPages } from './views/webhooks.js';

export interface ConsoleOptions {
  readonly services: Services;
  /** PUBLIC_URL: the Tenant URL shown to customers, and whether cookies must be Secure. */
  readonly publicUrl: string | undefined;
}

/** What a page module is given; see the comment at the top of this file. */
export interface ConsoleContext {
  readonly services: Services;
  readonly publicUrl: string | undefined;
  /** The signed-in staff member (the guard ran: every page in `scope` has one). */
  staff(request: FastifyRequest): SignedInStaff;
  /** The staff member as the use cases and the audit trail name them. */
  operator(request: FastifyRequest): Operator;
  csrfToken(request: FastifyRequest): string;
  /** Answers with a page in the console layout (title, navigation, the notice of a redirect). */
  page(request: FastifyRequest, reply: FastifyReply, page: ConsolePageContent): FastifyReply;
  /** 303 to `location` (a console path), with a one-line notice shown on the next page. */
  redirect(request: FastifyRequest, reply: FastifyReply, location: string, notice?: string): FastifyReply;
  /** The SCIM root customers point their IdP at (`.../scim/v2`). */
  scimUrl(request: FastifyRequest): string;
}

export interface ConsolePageContent {
  readonly title: string;
  readonly body: Html;
  readonly trail?: readonly (readonly [string, string])[];
  readonly status?: number;
}

export type ConsolePage = (scope: FastifyInstance, ctx: ConsoleContext) => void;

/** The console's pages behind sign-in, in the order they register. */
const PAGES: readonly ConsolePage[] = [
  organizationsPages,
  organizationPage,
  tokenPages,
  setupLinkPages,
  logPages,
  userPages,
  teamPages,
  healthPage,
  auditPage,
  webhookPages,
  webhookActionPages,
];

/** Bytes a console form may carry: the largest is a few fields of text. */
const FORM_LIMIT_BYTES = 16 * 1024;

export { consoleRouterError, isConsoleUrl } from './console-errors.js';

export async function consoleRoutes(app: FastifyInstance, options: ConsoleOptions): Promise<void> {
  const { services, publicUrl } = options;
  const ctx = consoleContext(services, publicUrl);
  await app.register(
    async (scope) => {
      await scope.register(cookie);
      await scope.register(formbody, { bodyLimit: FORM_LIMIT_BYTES });
      scope.addHook('onRequest', securityHeaders);
      registerConsoleErrors(scope);
      scope.get('/assets/console.css', async (_request, reply) =>
        reply.header('cache-control', 'public, max-age=300').type('text/css; charset=utf-8').send(CONSOLE_CSS),
      );
      // Every POST, signed in or not: from our own pages, as the browser says (before its body is read).
      scope.addHook('onRequest', async (request, reply) => {
        if (request.method === 'POST' && !fromOwnPages(request, publicUrl)) {
          return errorPage(request, reply, 403, 'This form was not sent from the console; nothing was changed.');
        }
      });
      signInPages(scope, services, publicUrl);
      await scope.register(async (guarded) => {
        guarded.addHook('onRequest', sessionGuard(services, publicUrl));
        guarded.addHook('preValidation', csrfGuard);
        guarded.get('/', async (request, reply) => ctx.redirect(request, reply, '/admin/orgs'));
        signOutRoute(guarded, services, publicUrl);
        for (const register of PAGES) register(guarded, ctx);
      });
    },
    { prefix: '/admin' },
  );
  await app.register(
    async (scope) => {
      scope.addHook('onRequest', securityHeaders);
      registerConsoleErrors(scope);
      setupPage(scope, services, (request: FastifyRequest) => ctx.scimUrl(request));
    },
    { prefix: '/setup' },
  );
}

async function securityHeaders(_request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.headers(SECURITY_HEADERS);
}

/**
 * Resolves the session cookie to a staff member, or sends the browser to sign in; runs before a
 * body is read, so nobody without a session makes us parse one.
 */
function sessionGuard(services: Services, publicUrl: string | undefined) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const secret = request.cookies[SESSION_COOKIE];
    const session = secret ? await services.staffSessions.resume(secret) : undefined;
    if (!session) {
      if (secret) clearSessionCookie(request, reply, publicUrl);
      if (request.method === 'GET') {
        const back = encodeURIComponent(request.url);
        return reply.redirect(`/admin/sign-in?next=${back}`, 303);
      }
      return errorPage(request, reply, 401, 'Your session has ended; sign in again. Nothing was changed.');
    }
    request.consoleSession = session;
  };
}

/** Every POST behind sign-in carries its session's token (checked before the form's own validation). */
async function csrfGuard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.method !== 'POST') return;
  const submitted = (request.body as Record<string, unknown> | undefined)?._csrf;
  if (!tokensMatch(submitted, request.consoleSession?.csrfToken)) {
    return errorPage(
      request,
      reply,
      403,
      'The form is out of date or was not sent from the console; nothing was changed.',
    );
  }
}

function consoleContext(services: Services, publicUrl: string | undefined): ConsoleContext {
  const staff = (request: FastifyRequest): SignedInStaff => {
    if (!request.consoleSession) throw new ScimError(401, 'Sign in first', undefined, 'console.signedOut');
    return request.consoleSession;
  };
  return {
    services,
    publicUrl,
    staff,
    operator: (request) => {
      const s = staff(request);
      return { kind: 'staff', staffId: s.id, email: s.email };
    },
    csrfToken: (request) => staff(request).csrfToken,
    page(request, reply, page) {
      const signedIn = staff(request);
      const notice = takeNotice(request, reply, publicUrl);
      return reply
        .code(page.status ?? 200)
        .type('text/html; charset=utf-8')
        .send(
          layout({
            title: page.title,
            body: page.body,
            staff: signedIn,
            csrfToken: signedIn.csrfToken,
            ...(notice ? { notice } : {}),
            ...(page.trail ? { trail: page.trail } : {}),
          }),
        );
    },
    redirect(request, reply, location, notice) {
      if (notice) setNotice(request, reply, publicUrl, notice);
      return reply.redirect(location, 303);
    },
    scimUrl: (request) => `${publicUrl ?? `${request.protocol}://${request.host}`}/scim/v2`,
  };
}
