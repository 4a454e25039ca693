import { type Kysely, sql } from 'kysely';
import type { ExpiryWindow, OrgRecord, TokenExpiryCounts, TokenRecord } from '../store.js';
import type { Database, TokensTable } from './db-schema.js';
import { rowToOrg } from './orgs-table.js';
import type { SqlDialectHooks } from './sql-dialect.js';
import { uniqueWrite } from './unique-write.js';

/* Bearer tokens (`tokens`), found by the SHA-256 of the secret: the secret itself is never stored. */

type Db = Kysely<Database>;

export async function insertToken(db: Db, hooks: SqlDialectHooks, token: TokenRecord): Promise<void> {
  await uniqueWrite(hooks, () => db.insertInto('tokens').values(tokenToRow(token)).execute());
}

/** The token and its organization in one read: authenticating a request needs both. */
export async function findTokenWithOrg(
  db: Db,
  tokenHash: string,
): Promise<{ token: TokenRecord; org: OrgRecord } | undefined> {
  const row = await db
    .selectFrom('tokens as t')
    .innerJoin('orgs as o', 'o.id', 't.org_id')
    .selectAll('t')
    .select([
      'o.name as org_name',
      'o.scim_enabled as org_scim_enabled',
      'o.delete_mode as org_delete_mode',
      'o.created_at as org_created_at',
      'o.updated_at as org_updated_at',
      'o.external_ref as org_external_ref',
    ])
    .where('t.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return undefined;
  const { org_name, org_scim_enabled, org_delete_mode, org_created_at, org_updated_at, org_external_ref, ...token } =
    row;
  return {
    token: rowToToken(token),
    org: rowToOrg({
      id: token.org_id,
      name: org_name,
      scim_enabled: org_scim_enabled,
      delete_mode: org_delete_mode,
      created_at: org_created_at,
      updated_at: org_updated_at,
      external_ref: org_external_ref,
    }),
  };
}

export async function findTokenById(db: Db, tokenId: string): Promise<TokenRecord | undefined> {
  const row = await db.selectFrom('tokens').selectAll().where('id', '=', tokenId).executeTakeFirst();
  return row && rowToToken(row);
}

export async function listTokens(db: Db, orgId: string): Promise<TokenRecord[]> {
  const rows = await db
    .selectFrom('tokens')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(rowToToken);
}

export async function revokeToken(db: Db, orgId: string, tokenId: string, at: number): Promise<void> {
  await db
    .updateTable('tokens')
    .set({ revoked_at: at })
    .where('org_id', '=', orgId)
    .where('id', '=', tokenId)
    .where('revoked_at', 'is', null)
    .execute();
}

export async function touchToken(db: Db, orgId: string, tokenId: string, at: number): Promise<void> {
  await db
    .updateTable('tokens')
    .set({ last_used_at: at })
    .where('org_id', '=', orgId)
    .where('id', '=', tokenId)
    .execute();
}

function tokenToRow(t: TokenRecord): TokensTable {
  return {
    org_id: t.orgId,
    id: t.id,
    token_hash: t.tokenHash,
    hint: t.hint,
    label: t.label,
    created_at: t.createdAt,
    expires_at: t.expiresAt,
    revoked_at: t.revokedAt,
    last_used_at: t.lastUsedAt,
  };
}

const numOrNull = (v: number | null): number | null => (v === null ? null : Number(v));

function rowToToken(r: TokensTable): TokenRecord {
  return {
    orgId: r.org_id,
    id: r.id,
    tokenHash: r.token_hash,
    hint: r.hint,
    label: r.label,
    createdAt: Number(r.created_at),
    expiresAt: numOrNull(r.expires_at),
    revokedAt: numOrNull(r.revoked_at),
    lastUsedAt: numOrNull(r.last_used_at),
  };
}

export async function expireToken(db: Db, orgId: string, tokenId: string, at: number): Promise<void> {
  await db
    .updateTable('tokens')
    .set({ expires_at: at })
    .where('org_id', '=', orgId)
    .where('id', '=', tokenId)
    .execute();
}

export async function revokeOrgTokens(db: Db, orgId: string, at: number): Promise<number> {
  const result = await db
    .updateTable('tokens')
    .set({ revoked_at: at })
    .where('org_id', '=', orgId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Ending tokens of all organizations (Store.tokenExpiryCounts): one range read of the unrevoked
 * tokens ending in (recentSince, soonUntil] on `tokens_expiry_ix` (migration 0015), each tested
 * against its organization's tokens through the primary key for a replacement: a live token of
 * the same label that ends later (or never).
 */
export async function tokenExpiryCounts(db: Db, w: ExpiryWindow): Promise<TokenExpiryCounts> {
  const row = await tokenExpiryQuery(db, w).executeTakeFirstOrThrow();
  return { expiring: Number(row.expiring), expiredRecently: Number(row.expired) };
}

/** The query of tokenExpiryCounts, apart so a test can read its plan. */
export function tokenExpiryQuery(db: Db, w: ExpiryWindow) {
  return db
    .selectFrom('tokens as t')
    .select((eb) => [
      eb.fn.count<number | string>(eb.case().when('t.expires_at', '>', w.now).then(sql.lit(1)).end()).as('expiring'),
      eb.fn.count<number | string>(eb.case().when('t.expires_at', '<=', w.now).then(sql.lit(1)).end()).as('expired'),
    ])
    .where('t.revoked_at', 'is', null)
    .where('t.expires_at', '>', w.recentSince)
    .where('t.expires_at', '<=', w.soonUntil)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('tokens as n')
            .select(sql.lit(1).as('one'))
            .whereRef('n.org_id', '=', 't.org_id')
            .where('n.revoked_at', 'is', null)
            .where(sql<boolean>`coalesce(n.label, '') = coalesce(t.label, '')`)
            .where((n) => n.or([n('n.expires_at', 'is', null), n('n.expires_at', '>', n.ref('t.expires_at'))])),
        ),
      ),
    );
}
