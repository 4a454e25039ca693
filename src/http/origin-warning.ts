import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';

/** 127.0.0.0/8, ::1, localhost: only this machine can send requests there. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Once at start: listening beyond loopback with neither PUBLIC_URL nor TRUST_PROXY, every
 * meta.location (and the console's SCIM URL and setup links) is built from the Host header the
 * client sent and the scheme of the hop that reached us, so behind a TLS proxy they say http://,
 * and any client can choose the host they name.
 */
export function warnIfOriginUnpinned(
  log: Pick<FastifyBaseLogger, 'warn'>,
  config: Pick<Config, 'host' | 'publicUrl' | 'trustProxy'>,
): boolean {
  if (isLoopbackHost(config.host) || config.publicUrl !== undefined || config.trustProxy !== false) return false;
  log.warn(
    { host: config.host },
    "PUBLIC_URL is not set: meta.location and the console links follow each request's Host header and scheme (http:// behind a TLS proxy); set PUBLIC_URL=https://<public host>, or TRUST_PROXY to the proxy's address so X-Forwarded-Proto/-Host are used",
  );
  return true;
}
