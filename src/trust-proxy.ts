import { isIP } from 'node:net';

/**
 * TRUST_PROXY: whose X-Forwarded-For, -Proto and -Host the service believes, in Fastify's
 * `trustProxy` terms. Off by default: a client could otherwise choose the scheme and host of
 * every meta.location, and the address in the log, by sending the headers itself.
 */
export type TrustProxy = boolean | number | readonly string[];

/** Names proxy-addr (Fastify's) knows for whole ranges. */
const RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

const RULE =
  'must be off, on (every peer: only when nothing but the proxy can reach the service), a hop count from 1 to 100, ' +
  'or a comma list of proxy addresses and CIDRs (e.g. 10.0.0.5,10.1.0.0/16, or loopback, linklocal, uniquelocal)';

export function parseTrustProxy(text: string): { value: TrustProxy } | { rule: string } {
  const word = text.trim().toLowerCase();
  if (word === 'off' || word === 'false') return { value: false };
  if (word === 'on' || word === 'true') return { value: true };
  if (/^\d+$/.test(word)) {
    const hops = Number(word);
    return hops >= 1 && hops <= 100 ? { value: hops } : { rule: RULE };
  }
  const entries = text.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => !isAddressOrRange(entry));
  if (bad.length > 0)
    return { rule: `${RULE}; not an address or CIDR: ${bad.map((b) => JSON.stringify(b)).join(', ')}` };
  return { value: entries };
}

function isAddressOrRange(entry: string): boolean {
  if (RANGE_NAMES.includes(entry)) return true;
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/** For messages and the start-up log: the setting as an operator would write it. */
export function describeTrustProxy(value: TrustProxy): string {
  if (value === false) return 'off';
  if (value === true) return 'on';
  return typeof value === 'number' ? `${value} hop(s)` : value.join(',');
}
