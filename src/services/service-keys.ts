import { invalidValue, notFound } from '../scim/scim-error.js';
import type { ServiceKeyRecord } from '../store/service-keys-store.js';
import type { Store } from '../store/store.js';
import type { Operator } from './audit.js';
import type { AuditTrail } from './audit-trail.js';
import { uuidv7 } from './ids.js';
import { credentialState, hashSecret, newSecret, secretHint } from './secrets.js';
import { type SupportOptions, TOKEN_PREFIX } from './tokens.js';
import { UseThrottle } from './use-throttle.js';

/**
 * Recognisable prefix, distinct from SCIM tokens (`pscim_`): secret scanners, support and the two
 * authentication paths tell a service key at a glance.
 */
export const SERVICE_KEY_PREFIX = 'pscimsk_';

export type { ServiceKeyRecord } from '../store/service-keys-store.js';

export interface IssuedServiceKey {
  readonly record: ServiceKeyRecord;
  /** The secret: shown once, never stored. */
  readonly key: string;
}

export type ServiceKeyAuth =
  | { readonly ok: true; readonly key: ServiceKeyRecord }
  | { readonly ok: false; readonly reason: 'missing' | 'unknown' | 'revoked' | 'expired' | 'scimToken' };

/**
 * Service keys: deployment-wide credentials of the event feed and snapshot (the rest of Parallel
 * reads every organization with one). They open neither SCIM nor the console, and a SCIM token
 * does not open the feed. Issuing and revoking are in the audit trail.
 */
export class ServiceKeys {
  /** last_used_at at most once a minute per key, so a polling consumer is not a write per poll. */
  private readonly lastUse = new UseThrottle();

  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
    private readonly auditTrail: AuditTrail,
  ) {}

  async issue(
    operator: Operator,
    options: SupportOptions & { expiresInMs?: number; label?: string } = {},
  ): Promise<IssuedServiceKey> {
    if (options.expiresInMs !== undefined && !(options.expiresInMs > 0)) {
      throw invalidValue('A service key expiry must be in the future', 'serviceKey.expiry');
    }
    const label = options.label?.trim();
    const key = newSecret(SERVICE_KEY_PREFIX);
    const now = this.clock();
    const record: ServiceKeyRecord = {
      id: uuidv7(now),
      keyHash: hashSecret(key),
      hint: secretHint(key, SERVICE_KEY_PREFIX),
      label: label ? label : null,
      createdAt: now,
      expiresAt: options.expiresInMs !== undefined ? now + options.expiresInMs : null,
      revokedAt: null,
      lastUsedAt: null,
    };
    await this.store.transaction(async (tx) => {
      await tx.serviceKeys.insert(record);
      await this.auditTrail.record(tx, operator, {
        action: 'serviceKey.issued',
        targetType: 'serviceKey',
        targetId: record.id,
        detail: { label: record.label, expiresAt: record.expiresAt },
        requestId: options.requestId ?? uuidv7(now),
      });
    });
    return { record, key };
  }

  list(): Promise<ServiceKeyRecord[]> {
    return this.store.serviceKeys.list();
  }

  /** Requests with the key get 401 from now on; revoking a revoked key changes nothing. */
  async revoke(operator: Operator, id: string, options: SupportOptions = {}): Promise<ServiceKeyRecord> {
    return this.store.transaction(async (tx) => {
      const key = await tx.serviceKeys.findById(id);
      if (!key) throw notFound(`No service key with id ${id}`, 'serviceKey.notFound');
      if (key.revokedAt !== null) return key;
      const now = this.clock();
      await tx.serviceKeys.revoke(id, now);
      await this.auditTrail.record(tx, operator, {
        action: 'serviceKey.revoked',
        targetType: 'serviceKey',
        targetId: id,
        detail: { label: key.label },
        requestId: options.requestId ?? uuidv7(now),
      });
      return { ...key, revokedAt: now };
    });
  }

  /** Resolves a bearer secret to its key; the secret itself is only ever hashed. */
  async authenticate(secret: string | undefined): Promise<ServiceKeyAuth> {
    if (!secret) return { ok: false, reason: 'missing' };
    if (secret.startsWith(TOKEN_PREFIX)) return { ok: false, reason: 'scimToken' };
    const key = await this.store.serviceKeys.findByHash(hashSecret(secret));
    if (!key) return { ok: false, reason: 'unknown' };
    const now = this.clock();
    const state = credentialState(key, now);
    if (state !== 'active') return { ok: false, reason: state };
    if (this.lastUse.due(key.id, key.lastUsedAt, now)) await this.store.serviceKeys.touch(key.id, now);
    return { ok: true, key };
  }
}
