import type { TokenRecord } from '../services/index.js';
import { credentialState } from '../services/secrets.js';
import { iso } from './output.js';

/*
 * SCIM tokens and service keys as support's commands print them: the same fields, states and
 * columns for both (services/secrets.ts gives them the same life). secrets.ts is a leaf module
 * (node:crypto only): importing it here does not load the store for `--help`.
 */

/** What a token and a service key have alike (ServiceKeyRecord has the same fields). */
type Credential = Pick<TokenRecord, 'id' | 'hint' | 'label' | 'createdAt' | 'expiresAt' | 'revokedAt' | 'lastUsedAt'>;

export function credentialJson(c: Credential, now: number) {
  return {
    id: c.id,
    hint: `${c.hint}…`,
    label: c.label,
    state: credentialState(c, now),
    createdAt: iso(c.createdAt),
    expiresAt: c.expiresAt === null ? null : iso(c.expiresAt),
    revokedAt: c.revokedAt === null ? null : iso(c.revokedAt),
    lastUsedAt: c.lastUsedAt === null ? null : iso(c.lastUsedAt),
  };
}

export const CREDENTIAL_COLUMNS = ['ID', 'HINT', 'STATE', 'LABEL', 'CREATED', 'EXPIRES', 'LAST USED'];

export function credentialRow(c: Credential, now: number): string[] {
  return [
    c.id,
    `${c.hint}…`,
    credentialState(c, now),
    c.label ?? '',
    iso(c.createdAt),
    c.expiresAt === null ? 'never' : iso(c.expiresAt),
    c.lastUsedAt === null ? 'never' : iso(c.lastUsedAt),
  ];
}
