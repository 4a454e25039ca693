import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { MIN_PASSWORD_LENGTH, type Services } from '../services/index.js';
import { errorPage } from './console-errors.js';
import { date, html } from './html.js';
import {
  clearPreSessionToken,
  clearSessionCookie,
  PRE_SESSION_COOKIE,
  preSessionToken,
  SESSION_COOKIE,
  setNotice,
  setSessionCookie,
  takeNotice,
  tokensMatch,
} from './session.js';
import { csrfField, layout } from './views/layout.js';

const SignInForm = Type.Object({
  _csrf: Type.String({ maxLength: 128 }),
  email: Type.String({ maxLength: 320 }),
  password: Type.String({ maxLength: 1024 }),
  next: Type.Optional(Type.String({ maxLength: 2048 })),
});
const PasswordForm = Type.Object({
  _csrf: Type.String({ maxLength: 128 }),
  password: Type.String({ maxLength: 1024 }),
  confirm: Type.String({ maxLength: 1024 }),
});
const SecretParams = Type.Object({ secret: Type.String({ maxLength: 128 }) });

/** Only a console path may follow sign-in: never another site (`//evil`, `/\evil`). */
function safeNext(next: string | undefined): string {
  return next !== undefined && /^\/admin(\/[^\\]*)?$/.test(next) && !next.startsWith('//') ? next : '/admin/orgs';
}

function send(reply: FastifyReply, status: number, page: Parameters<typeof layout>[0]): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(layout(page));
}

/** Sign-in and the one-time set-password pages: the console's only pages without a session. */
export function signInPages(scope: FastifyInstance, services: Services, publicUrl: string | undefined): void {
  const signInForm = (
    request: FastifyRequest,
    reply: FastifyReply,
    options: { email?: string; error?: string; next?: string; status?: number },
  ) => {
    const token = preSessionToken(request, reply, publicUrl);
    const notice = takeNotice(request, reply, publicUrl);
    return send(reply, options.status ?? 200, {
      title: 'Sign in',
      ...(notice ? { notice } : {}),
      body: html`${options.error && html`<p class="error-box" role="alert">${options.error}</p>`}
        <form class="stack" method="post" action="/admin/sign-in">
          ${csrfField(token)}
          <input type="hidden" name="next" value="${safeNext(options.next)}">
          <label>E-mail <input type="email" name="email" autocomplete="username" required value="${options.email ?? ''}"></label>
          <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
          <button class="primary" type="submit">Sign in</button>
        </form>
        <p class="muted">No account? Ask a colleague to run <code>parallel-scim admin create --email you@…</code>.</p>`,
    });
  };

  scope.get('/sign-in', async (request, reply) => {
    const next = (request.query as { next?: unknown }).next;
    return signInForm(request, reply, typeof next === 'string' ? { next } : {});
  });

  scope.post('/sign-in', { schema: { body: SignInForm } }, async (request, reply) => {
    const form = request.body as Static<typeof SignInForm>;
    if (!tokensMatch(form._csrf, request.cookies[PRE_SESSION_COOKIE])) {
      return signInForm(request, reply, { status: 403, email: form.email, error: 'The form had expired; try again.' });
    }
    const result = await services.staffSessions.signIn({
      email: form.email,
      password: form.password,
      address: request.ip,
      requestId: request.id,
    });
    if (!result.ok) {
      const error =
        result.reason === 'throttled'
          ? `Too many failed sign-ins; try again in ${Math.max(1, Math.ceil(result.retryAfterMs / 60_000))} minutes.`
          : 'Wrong e-mail or password.';
      if (result.reason === 'throttled') reply.header('retry-after', String(Math.ceil(result.retryAfterMs / 1000)));
      return signInForm(request, reply, {
        status: result.reason === 'throttled' ? 429 : 401,
        email: form.email,
        error,
        ...(form.next !== undefined ? { next: form.next } : {}),
      });
    }
    // A new session id at every sign-in: a cookie planted before it is worth nothing.
    const previous = request.cookies[SESSION_COOKIE];
    if (previous) await services.staffSessions.discard(previous);
    setSessionCookie(request, reply, publicUrl, result.sessionSecret);
    clearPreSessionToken(request, reply, publicUrl);
    return reply.redirect(safeNext(form.next), 303);
  });

  scope.get('/set-password/:secret', { schema: { params: SecretParams } }, async (request, reply) => {
    const { secret } = request.params as { secret: string };
    const state = await services.staff.linkState(secret);
    if (state.state !== 'valid') return linkGone(reply, state);
    const token = preSessionToken(request, reply, publicUrl);
    return send(reply, 200, {
      title: 'Choose your password',
      body: html`<p>For <strong>${state.email}</strong>. This link works once, until ${date(state.expiresAt)}.</p>
        <form class="stack" method="post">
          ${csrfField(token)}
          <label>New password (at least ${MIN_PASSWORD_LENGTH} characters)
            <input type="password" name="password" autocomplete="new-password" minlength="${MIN_PASSWORD_LENGTH}" required></label>
          <label>The same again <input type="password" name="confirm" autocomplete="new-password" required></label>
          <button class="primary" type="submit">Set password</button>
        </form>`,
    });
  });

  scope.post(
    '/set-password/:secret',
    { schema: { params: SecretParams, body: PasswordForm } },
    async (request, reply) => {
      const { secret } = request.params as { secret: string };
      const form = request.body as Static<typeof PasswordForm>;
      if (!tokensMatch(form._csrf, request.cookies[PRE_SESSION_COOKIE])) {
        return errorPage(request, reply, 403, 'The form had expired; open the link again.');
      }
      if (form.password !== form.confirm) {
        return errorPage(request, reply, 400, 'The two passwords differ; open the link again and retype them.');
      }
      const account = await services.staff.setPassword(secret, form.password);
      setNotice(request, reply, publicUrl, `Password set for ${account.email}; sign in with it.`);
      return reply.redirect('/admin/sign-in', 303);
    },
  );
}

function linkGone(
  reply: FastifyReply,
  state: { state: 'used' | 'expired'; at: number } | { state: 'unknown' },
): FastifyReply {
  const detail =
    state.state === 'used'
      ? html`This link was used on ${date(state.at)}. Ask for a new one if that was not you.`
      : state.state === 'expired'
        ? html`This link expired on ${date(state.at)}. Ask for a new one (<code>parallel-scim admin reset</code>).`
        : html`This link is not valid. Ask for a new one (<code>parallel-scim admin reset</code>).`;
  return reply
    .code(410)
    .type('text/html; charset=utf-8')
    .send(layout({ title: 'Link not usable', body: html`<p class="error-box">${detail}</p>` }));
}

/** Sign-out (behind the session guard, so the CSRF check ran): the session row is deleted. */
export function signOutRoute(scope: FastifyInstance, services: Services, publicUrl: string | undefined): void {
  scope.post('/sign-out', async (request, reply) => {
    const secret = request.cookies[SESSION_COOKIE];
    const who = request.consoleSession;
    if (secret && who) await services.staffSessions.signOut(secret, who);
    clearSessionCookie(request, reply, publicUrl);
    setNotice(request, reply, publicUrl, 'Signed out.');
    return reply.redirect('/admin/sign-in', 303);
  });
}
