import type { FastifyRequest } from 'fastify';
import { nameCaller } from '../observability/logger.js';
import { ScimError } from '../scim/scim-error.js';
import type { Audit, Change, Services } from '../services/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once the bearer token named an organization. */
    scim?: Audit;
    /** What the use case did, once it answered (routes set it through `done`). */
    scimChange?: Change;
  }
}

const unauthorized = (detail: string, code: string) => new ScimError(401, detail, undefined, code);

/** The SCIM root as clients should see it in meta.location. */
export function scimBaseUrl(request: FastifyRequest, publicUrl: string | undefined): string {
  const origin = publicUrl ?? `${request.protocol}://${request.host}`;
  return `${origin}/scim/v2`;
}

/**
 * onRequest hook: the bearer token alone identifies the organization (SPEC "Tenancy and tokens").
 * Runs before the body is parsed, so an unauthenticated client cannot make us read its body.
 */
/**
 * The credential of an `Authorization: Bearer <credential>` header (RFC 6750 §2.1, scheme in any
 * case): undefined without the header, null when it is not of that form. SCIM, the event API and
 * /metrics all read their secrets through it.
 */
export function bearerCredential(header: string | undefined): string | undefined | null {
  if (header === undefined) return undefined;
  return /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)?.[1] ?? null;
}

export function bearerAuth(services: Services, publicUrl: string | undefined, clock: () => number) {
  return async (request: FastifyRequest): Promise<void> => {
    const startedAt = clock();
    const secret = bearerCredential(request.headers.authorization);
    if (secret === undefined) {
      throw unauthorized(
        'Authentication required: send the organization token as "Authorization: Bearer <token>"',
        'auth.missing',
      );
    }
    if (secret === null) {
      throw unauthorized('The Authorization header must be "Bearer <token>"', 'auth.scheme');
    }
    const result = await services.tokens.authenticate(secret);
    const { org, token } = result;
    if (org && token) {
      // Every later log line of this request names the tenant (never in metric labels).
      nameCaller(request.log, { orgId: org.id, tokenId: token.id });
      request.scim = {
        org,
        actor: { kind: 'token', tokenId: token.id },
        requestId: request.id,
        userAgent: request.headers['user-agent'] ?? null,
        origin: { method: request.method, path: request.url, startedAt },
        baseUrl: scimBaseUrl(request, publicUrl),
      };
    }
    if (result.ok) {
      const warning = result.expiryWarning;
      // The request's logger already names orgId and tokenId (above); the secret is never logged.
      if (warning) {
        request.log.warn(
          { label: warning.label, expiresAt: warning.expiresAt, daysLeft: warning.daysLeft },
          `this SCIM token expires in ${warning.daysLeft} days: rotate it (parallel-scim token rotate --token ${warning.tokenId}) and give the IdP the new one`,
        );
      }
      return;
    }
    switch (result.reason) {
      case 'revoked':
        throw unauthorized('This token was revoked; ask Parallel support for a new one', 'auth.revoked');
      case 'expired':
        throw unauthorized('This token has expired; ask Parallel support for a new one', 'auth.expired');
      case 'scimDisabled':
        throw new ScimError(
          403,
          "SCIM provisioning is not part of this organization's plan (an enterprise-plan feature); contact Parallel to enable it",
          undefined,
          'auth.scimDisabled',
        );
      default:
        throw unauthorized('The bearer token is not valid', 'auth.invalid');
    }
  };
}
