import { randomBytes } from 'node:crypto';
import { type Kysely, type Migration, sql } from 'kysely';
import { foldCase } from '../../../scim/fold-case.js';

/**
 * Recomputes every `_ci` column with foldCase, which became Unicode full case folding: the values
 * stored before were lower-cased, and an `eq` filter or a userName uniqueness check compares the
 * stored value with the fold of the literal, so a stale value would no longer be found ("Straße"
 * would not match "STRASSE") or would let a second user take the same name.
 *
 * Rows are read in batches by primary key (keyset, never OFFSET), so memory stays at one batch at
 * a million users, and only rows whose fold changed are written: ASCII and most other text folds
 * as before. The whole pass is one transaction: PostgreSQL's migrator opens it (under the
 * migration lock, without the statement timeout), and on SQLite, whose migrator runs without one,
 * it is opened here. foldCase is called on the very column the row mappers fold
 * (user-row.ts, team-row.ts), so the migration and a fresh write store the same value.
 *
 * userName collisions: two userNames of one organization that were distinct and now fold alike
 * ("strasse@x" and "straße@x", "ſam@x" and "sam@x") cannot both hold the fold under
 * users_user_name_uq, and refusing to migrate would keep the service from starting. The user
 * created first keeps the folded value (it had the name first); each later one gets
 * collisionValue(), which no fold equals, so no `eq` filter and no uniqueness check meets it until
 * the conflict is resolved, while id and externalId (what Entra and Okta match by) keep working.
 * Its userName is left as the IdP sent it. Each such user is reported in two places for support:
 * a JSON warning line on stderr, and a 409 entry in its organization's provisioning log that names
 * the user who kept the name. The store keeps the marked value on later updates while the
 * userName stays the same (sql-store.ts updateUser), so the IdP can still update and deactivate
 * that user; renaming it in the IdP folds the new name as usual and ends the conflict.
 */
export const fullCaseFolding: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
  async up(db: Kysely<any>): Promise<void> {
    // biome-ignore lint/suspicious/noExplicitAny: as above
    const run = async (trx: Kysely<any>) => {
      await refoldUsers(trx);
      await refold(trx, userValues, async () => undefined);
      await refold(trx, teams, async () => undefined);
    };
    if (db.isTransaction) await run(db);
    else await db.transaction().execute(run);
  },
};

const MIGRATION = '0005-full-case-folding';

/**
 * Rows read at a time. A row's text is bounded by its document (MAX_RESOURCE_CHARS), so a batch is
 * bounded whatever the table holds; with real directories it is a few hundred KB.
 */
export const REFOLD_BATCH_SIZE = 1000;

interface FoldedTable {
  readonly name: string;
  /** The primary key, in index order: the keyset the batches walk. */
  readonly key: readonly string[];
  /** Columns with a `<column>_ci` twin (0001-initial.ts, 0002-teams.ts), as of this migration. */
  readonly columns: readonly string[];
}

const users: FoldedTable = {
  name: 'users',
  key: ['org_id', 'id'],
  columns: [
    'user_name',
    'display_name',
    'given_name',
    'family_name',
    'formatted_name',
    'nick_name',
    'title',
    'user_type',
    'locale',
    'preferred_language',
    'timezone',
    'employee_number',
    'cost_center',
    'organization',
    'division',
    'department',
  ],
};
const userValues: FoldedTable = {
  name: 'user_values',
  key: ['org_id', 'user_id', 'attr', 'idx'],
  columns: ['value', 'type', 'display'],
};
const teams: FoldedTable = { name: 'teams', key: ['org_id', 'id'], columns: ['display_name'] };

type Row = Record<string, unknown>;
type Changes = Record<string, string | null>;

/**
 * Walks `table` in key order and writes the `_ci` columns whose fold changed. `claim` may replace
 * a new value before it is written (userName collisions); the row's other columns are written
 * as folded.
 */
async function refold(
  // biome-ignore lint/suspicious/noExplicitAny: the migration works below the typed schema
  db: Kysely<any>,
  table: FoldedTable,
  claim: (row: Row, changes: Changes) => Promise<void>,
  extra: readonly string[] = [],
): Promise<void> {
  const selected = [...new Set([...table.key, ...extra, ...table.columns, ...table.columns.map((c) => `${c}_ci`)])];
  let after: readonly unknown[] | undefined;
  for (;;) {
    let query = db.selectFrom(table.name).select(selected);
    if (after) {
      const keys = sql.join(table.key.map((k) => sql.ref(k)));
      query = query.where(sql<boolean>`(${keys}) > (${sql.join(after)})`);
    }
    for (const k of table.key) query = query.orderBy(k);
    const rows: Row[] = await query.limit(REFOLD_BATCH_SIZE).execute();
    for (const row of rows) {
      const changes: Changes = {};
      for (const column of table.columns) {
        const raw = row[column];
        const folded = typeof raw === 'string' ? foldCase(raw) : null;
        if (folded !== row[`${column}_ci`]) changes[`${column}_ci`] = folded;
      }
      await claim(row, changes);
      if (Object.keys(changes).length === 0) continue;
      let update = db.updateTable(table.name).set(changes);
      for (const k of table.key) update = update.where(k, '=', row[k]);
      await update.execute();
    }
    if (rows.length < REFOLD_BATCH_SIZE) return;
    const last = rows[rows.length - 1] as Row;
    after = table.key.map((k) => last[k]);
  }
}

/**
 * users, with the collision rule of the file comment. A user whose new fold another user of the
 * organization holds: the older of the two keeps it. The holder is whoever holds it now: a user
 * whose name folded the same before (stored value unchanged), or one already moved in this pass.
 * A holder is never a row still waiting with a stale value that would move away: the old value
 * it holds equals a new fold, and the new fold of a name is the new fold of its old value.
 */
// biome-ignore lint/suspicious/noExplicitAny: the migration works below the typed schema
async function refoldUsers(db: Kysely<any>): Promise<void> {
  await refold(
    db,
    users,
    async (row, changes) => {
      const folded = changes.user_name_ci;
      if (typeof folded !== 'string') return;
      const holder: Row | undefined = await db
        .selectFrom('users')
        .select(['id', 'user_name', 'created_at'])
        .where('org_id', '=', row.org_id)
        .where('user_name_ci', '=', folded)
        .where('id', '<>', row.id)
        .executeTakeFirst();
      if (!holder) return;
      if (createdFirst(holder, row)) {
        const value = collisionValue(folded, String(row.id));
        if (value === row.user_name_ci) delete changes.user_name_ci;
        else {
          changes.user_name_ci = value;
          await report(db, String(row.org_id), row, holder);
        }
        return;
      }
      await db
        .updateTable('users')
        .set({ user_name_ci: collisionValue(folded, String(holder.id)) })
        .where('org_id', '=', row.org_id)
        .where('id', '=', holder.id)
        .execute();
      await report(db, String(row.org_id), holder, row);
    },
    ['created_at'],
  );
}

function createdFirst(a: Row, b: Row): boolean {
  const at = Number(a.created_at);
  const bt = Number(b.created_at);
  return at !== bt ? at < bt : String(a.id) < String(b.id);
}

/**
 * The stored user_name_ci of a user that lost a collision: the fold, then "Z" and the user id's
 * UTF-8 bytes as letters A-P. Every character after the fold is an ASCII capital, which no fold
 * contains, so the value equals no fold (no `eq` and no uniqueness check meets it), no folded
 * `co`/`sw`/`ew` literal reaches into the suffix, and it is unique per user. `sw` and `co` still
 * find the user by its name, `ew` no longer does.
 */
export function collisionValue(folded: string, userId: string): string {
  let suffix = 'Z';
  for (const byte of Buffer.from(userId, 'utf8')) {
    suffix += String.fromCharCode(0x41 + (byte >> 4), 0x41 + (byte & 0x0f));
  }
  return folded + suffix;
}

/** The service clips log text to this too (services/provisioning-log.ts). */
const MAX_TEXT = 1000;

// biome-ignore lint/suspicious/noExplicitAny: the migration works below the typed schema
async function report(db: Kysely<any>, orgId: string, loser: Row, keeper: Row): Promise<void> {
  const at = Date.now();
  const detail =
    `Unicode full case folding (migration ${MIGRATION}) makes userName ${JSON.stringify(loser.user_name)} ` +
    `equal to userName ${JSON.stringify(keeper.user_name)} of user ${String(keeper.id)}, created earlier, ` +
    'which keeps it. This user is no longer found by userName, and every update of it is refused with 409 ' +
    'uniqueness until one of the two userNames is changed in the identity provider.';
  console.warn(
    JSON.stringify({
      level: 'warn',
      time: at,
      migration: MIGRATION,
      msg: 'userName collides with another user under full case folding; the user created first keeps it',
      orgId,
      userId: loser.id,
      userName: loser.user_name,
      keptBy: { userId: keeper.id, userName: keeper.user_name },
    }),
  );
  await db
    .insertInto('provisioning_log')
    .values({
      org_id: orgId,
      id: logId(at),
      at,
      request_id: `migration-${MIGRATION}`,
      token_id: null,
      user_agent: null,
      method: 'MIGRATE',
      path: `/Users/${String(loser.id)}`,
      status: 409,
      resource_type: 'User',
      resource_id: loser.id,
      summary: null,
      error_code: 'user.userNameFoldCollision',
      error_detail: detail.length > MAX_TEXT ? `${detail.slice(0, MAX_TEXT - 1)}…` : detail,
      duration_ms: 0,
    })
    .execute();
}

/**
 * A UUIDv7 (RFC 9562) for a log entry: the log pages in id order, so entries need time-ordered
 * ids. The store may not use the services' generator; 74 random bits keep ids of one
 * millisecond apart.
 */
function logId(at: number): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(at, 0, 6);
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
