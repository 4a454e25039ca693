import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ScimError, StoreUnavailable } from '../services/index.js';
import { html } from './html.js';
import { layout } from './views/layout.js';

/**
 * The console's errors are pages, never a SCIM JSON body and never a stack trace: a refusal the
 * person can act on shows its detail (written for people by the use case); anything unexpected
 * shows only the request id, and the cause goes to the service log.
 */
export function registerConsoleErrors(scope: FastifyInstance): void {
  scope.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof ScimError && error.status < 500) {
      request.log.info({ code: error.code, status: error.status }, 'console refusal');
      return errorPage(request, reply, error.status, error.detail);
    }
    if (error instanceof StoreUnavailable) {
      reply.header('retry-after', '5');
      return errorPage(request, reply, 503, 'The database is busy or unreachable; nothing was changed. Try again.');
    }
    if (error.validation) {
      return errorPage(
        request,
        reply,
        400,
        `The form is incomplete or malformed (${error.validationContext ?? 'form'}).`,
      );
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return errorPage(request, reply, status, FRAMEWORK_REFUSALS[error.code] ?? 'The request was refused.');
    }
    request.log.error({ err: error }, 'console error');
    return errorPage(request, reply, 500, `Something went wrong; quote request id ${request.id}.`);
  });
  scope.setNotFoundHandler((request, reply) => errorPage(request, reply, 404, 'There is no such page.'));
}

/** On every console and setup response: no script or style from anywhere but us, never framed, cached or referred. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

const FRAMEWORK_REFUSALS: Readonly<Record<string, string>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'The form is larger than the console accepts.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'The console accepts only HTML form posts.',
};

const TITLES: Readonly<Record<number, string>> = {
  400: 'Cannot do that',
  403: 'Refused',
  404: 'Not found',
  409: 'Conflict',
  429: 'Too many attempts',
  503: 'Try again',
};

export function errorPage(request: FastifyRequest, reply: FastifyReply, status: number, detail: string): FastifyReply {
  const staff = request.consoleSession;
  const body = html`<p class="error-box">${detail}</p>
    <p><a href="${staff ? '/admin/orgs' : '/admin/sign-in'}">${staff ? 'Back to the organizations' : 'Sign in'}</a></p>`;
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(
      layout({
        title: TITLES[status] ?? (status >= 500 ? 'Error' : 'Refused'),
        body,
        ...(staff ? { staff, csrfToken: staff.csrfToken } : {}),
      }),
    );
}

/** Paths the console answers: their errors are pages even when the router fails before any hook. */
export const isConsoleUrl = (url: string): boolean => /^\/(admin|setup)(\/|\?|$)/.test(url);

/** The router's own refusals (a malformed %-escape) on a console path, as a page with the console's headers. */
export function consoleRouterError(request: FastifyRequest, reply: FastifyReply, status: number, detail: string): void {
  reply.headers(SECURITY_HEADERS);
  void errorPage(request, reply, status, detail);
}
