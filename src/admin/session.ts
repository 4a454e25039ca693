import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SignedInStaff } from '../services/index.js';

/** The session cookie: the only credential of a signed-in browser (its hash is what the database holds). */
export const SESSION_COOKIE = 'pscim_session';
/** Double-submit token for the forms shown before there is a session (sign-in, set password). */
export const PRE_SESSION_COOKIE = 'pscim_presession';
/** A one-line notice carried across a redirect after a POST. */
const NOTICE_COOKIE = 'pscim_notice';
const NOTICE_MAX = 200;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the session guard on every page behind sign-in. */
    consoleSession?: SignedInStaff;
  }
}

/** Secure when the browser reached us over HTTPS, directly or as PUBLIC_URL says it does. */
export function cookieSecure(request: FastifyRequest, publicUrl: string | undefined): boolean {
  return request.protocol === 'https' || (publicUrl?.startsWith('https:') ?? false);
}

const baseCookie = (request: FastifyRequest, publicUrl: string | undefined) =>
  ({
    path: '/admin',
    httpOnly: true,
    sameSite: 'strict',
    secure: cookieSecure(request, publicUrl),
  }) as const;

export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  publicUrl: string | undefined,
  secret: string,
): void {
  // No Max-Age: the database decides when a session ends; the cookie goes with the browser.
  reply.setCookie(SESSION_COOKIE, secret, baseCookie(request, publicUrl));
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply, publicUrl: string | undefined): void {
  reply.clearCookie(SESSION_COOKIE, baseCookie(request, publicUrl));
}

/**
 * The pre-session form token: reused while the browser keeps it, made when it has none. Forms
 * before sign-in carry it and the POST must match the cookie, which another site can neither
 * read nor set.
 */
export function preSessionToken(request: FastifyRequest, reply: FastifyReply, publicUrl: string | undefined): string {
  const existing = request.cookies[PRE_SESSION_COOKIE];
  if (existing && /^[\w-]{32,64}$/.test(existing)) return existing;
  const token = randomBytes(24).toString('base64url');
  reply.setCookie(PRE_SESSION_COOKIE, token, { ...baseCookie(request, publicUrl), maxAge: 3600 });
  return token;
}

/** Forgets the pre-session token once signed in (the session's own token takes over). */
export function clearPreSessionToken(
  request: FastifyRequest,
  reply: FastifyReply,
  publicUrl: string | undefined,
): void {
  reply.clearCookie(PRE_SESSION_COOKIE, baseCookie(request, publicUrl));
}

/** Constant-time comparison of a submitted form token with the expected one. */
export function tokensMatch(submitted: unknown, expected: string | undefined): boolean {
  if (typeof submitted !== 'string' || expected === undefined || expected === '') return false;
  const a = Buffer.from(submitted);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function setNotice(
  request: FastifyRequest,
  reply: FastifyReply,
  publicUrl: string | undefined,
  text: string,
): void {
  reply.setCookie(NOTICE_COOKIE, encodeURIComponent(text.slice(0, NOTICE_MAX)), {
    ...baseCookie(request, publicUrl),
    maxAge: 60,
  });
}

/** The notice left by the previous redirect, read once (the cookie is cleared with this response). */
export function takeNotice(
  request: FastifyRequest,
  reply: FastifyReply,
  publicUrl: string | undefined,
): string | undefined {
  const raw = request.cookies[NOTICE_COOKIE];
  if (raw === undefined) return undefined;
  reply.clearCookie(NOTICE_COOKIE, baseCookie(request, publicUrl));
  try {
    return decodeURIComponent(raw).slice(0, NOTICE_MAX);
  } catch {
    return undefined;
  }
}
