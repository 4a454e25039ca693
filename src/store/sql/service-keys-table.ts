import type { Kysely, Transaction } from 'kysely';
import type { ServiceKeyOps, ServiceKeyRecord } from '../service-keys-store.js';
import type { Database, ServiceKeysTable } from './db-schema.js';
import type { SqlDialectHooks } from './sql-dialect.js';
import { uniqueWrite } from './unique-write.js';

/* Service keys (`service_keys`), found by the SHA-256 of the secret, like SCIM tokens. */

export class SqlServiceKeys implements ServiceKeyOps {
  constructor(
    protected readonly db: Kysely<Database> | Transaction<Database>,
    protected readonly hooks: SqlDialectHooks,
  ) {}

  async insert(key: ServiceKeyRecord): Promise<void> {
    await uniqueWrite(this.hooks, () => this.db.insertInto('service_keys').values(keyToRow(key)).execute());
  }

  async findByHash(keyHash: string): Promise<ServiceKeyRecord | undefined> {
    const row = await this.db.selectFrom('service_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
    return row && rowToKey(row);
  }

  async findById(id: string): Promise<ServiceKeyRecord | undefined> {
    const row = await this.db.selectFrom('service_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row && rowToKey(row);
  }

  async list(): Promise<ServiceKeyRecord[]> {
    const rows = await this.db.selectFrom('service_keys').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(rowToKey);
  }

  async revoke(id: string, at: number): Promise<void> {
    await this.db
      .updateTable('service_keys')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async touch(id: string, at: number): Promise<void> {
    await this.db.updateTable('service_keys').set({ last_used_at: at }).where('id', '=', id).execute();
  }
}

function keyToRow(k: ServiceKeyRecord): ServiceKeysTable {
  return {
    id: k.id,
    key_hash: k.keyHash,
    hint: k.hint,
    label: k.label,
    created_at: k.createdAt,
    expires_at: k.expiresAt,
    revoked_at: k.revokedAt,
    last_used_at: k.lastUsedAt,
  };
}

const numOrNull = (v: number | null): number | null => (v === null ? null : Number(v));

function rowToKey(r: ServiceKeysTable): ServiceKeyRecord {
  return {
    id: r.id,
    keyHash: r.key_hash,
    hint: r.hint,
    label: r.label,
    createdAt: Number(r.created_at),
    expiresAt: numOrNull(r.expires_at),
    revokedAt: numOrNull(r.revoked_at),
    lastUsedAt: numOrNull(r.last_used_at),
  };
}
