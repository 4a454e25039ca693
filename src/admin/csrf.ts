import type { FastifyRequest } from 'fastify';

/**
 * Whether a POST came from one of the console's own pages, as far as the browser says: Fetch
 * Metadata first (Chromium, Firefox and Safari send it whatever the Referrer-Policy), then Origin,
 * then Referer. A request with none of them (curl, a very old browser) passes here and still
 * needs the form token, which is the real check; this one stops a cross-site form even if a token
 * ever leaked.
 */
export function fromOwnPages(request: FastifyRequest, publicUrl: string | undefined): boolean {
  const site = header(request, 'sec-fetch-site');
  if (site !== undefined) return site === 'same-origin';
  const own = ownOrigins(request, publicUrl);
  const origin = header(request, 'origin');
  // `Origin: null` is what a no-referrer page sends for its own forms too: it says nothing.
  if (origin !== undefined && origin !== 'null') return own.has(origin);
  const referer = header(request, 'referer');
  if (referer !== undefined) return own.has(originOf(referer) ?? '');
  return true;
}

function ownOrigins(request: FastifyRequest, publicUrl: string | undefined): Set<string> {
  const origins = new Set([`${request.protocol}://${request.host}`]);
  const configured = publicUrl === undefined ? undefined : originOf(publicUrl);
  if (configured) origins.add(configured);
  return origins;
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
