import type { Migration } from 'kysely';
import { initial } from './0001-initial.js';
import { teams } from './0002-teams.js';
import { rateLimits } from './0003-rate-limits.js';
import { logRetention } from './0004-log-retention.js';
import { fullCaseFolding } from './0005-full-case-folding.js';
import { primaryTriState } from './0006-primary-tri-state.js';
import { retainedUsers } from './0007-retained-users.js';
import { nestedTeams } from './0008-nested-teams.js';
import { logIdentifiers } from './0009-log-identifiers.js';
import { directoryEvents } from './0010-directory-events.js';
import { webhooks } from './0011-webhooks.js';
import { auditTrail } from './0012-audit-trail.js';
import { supportConsole } from './0013-support-console.js';
import { scaleIndexes } from './0014-scale-indexes.js';
import { tokenExpiryIndex } from './0015-token-expiry-index.js';

/**
 * Static migration record: names sort in the order they apply. Never edit a migration that has
 * shipped; add the next one.
 *
 * Rolling upgrades (docs/operations.md "Upgrades"): while instances of version N+1 start, those
 * of N keep serving the same database, already migrated by the first N+1 instance, and a
 * rollback runs N on it again. Version N starts on a database that is ahead without migrating
 * (migrate.ts); what it runs there must still work. So every migration is expand/contract:
 * - Expand in N+1: new tables, nullable columns or columns with a default, new indexes, wider
 *   constraints. Nothing version N writes or reads may fail or change meaning: no drop, rename,
 *   NOT NULL without default, narrowed CHECK, new unique key N's writes could violate, or a
 *   rewrite of stored values into a form N reads differently.
 * - Code tolerant in N+1: it reads rows N wrote (new columns NULL, old spellings of values, as
 *   deleteModeOf reads `deactivate`) and, where N still reads a column, keeps writing it.
 * - Contract in N+2 or later, once no N runs: drop what N+1 stopped using.
 * - A table rebuild or a change of meaning that cannot be split so says so in its header and
 *   in docs/operations.md: that upgrade stops every old instance first (0005, 0007, 0010 did).
 * - On PostgreSQL the Migrator applies pending migrations in one transaction, where CREATE INDEX
 *   CONCURRENTLY cannot run; a plain CREATE INDEX blocks writes to its table while it builds. An
 *   index on a large table is created with ifNotExists(), so operators can build it beforehand
 *   with CREATE INDEX CONCURRENTLY IF NOT EXISTS (same name and definition) and the migration
 *   finds it there (0014; test/e2e/rolling-upgrade.test.ts).
 * - Each new migration needs a corpus of the version before it: record it with
 *   test/schema-compat/record.ts from that commit (rolling-upgrade.test.ts fails until
 *   there is one); the replay proves that version's statements still run on the new schema.
 *
 * Audit of 0001-0015 against the version before each (what an old instance does on the new schema):
 * - Expand only: 0002, 0003, 0008, 0009, 0011, 0013, 0015 (new tables, nullable columns, indexes).
 * - 0004, 0014: expand only, but on PostgreSQL each plain CREATE INDEX blocks writes to its table
 *   for the build (provisioning_log for 0004, which every change writes; users, team_members and
 *   team_subteams for 0014: seconds per million rows). 0014 now tolerates indexes built
 *   beforehand, concurrently.
 * - 0005: rewrites every `_ci` value with full case folding; N lower-cases, so during the overlap
 *   the two versions find and uniquely-check non-ASCII names differently (ß, ſ, ﬁ...), and N
 *   could store a duplicate N+1 refuses. Stop the old version first.
 * - 0006: rewrite (PostgreSQL: ALTER under an exclusive lock plus an UPDATE of user_values;
 *   SQLite: table rebuild), compatible: N reads NULL primary as N+1 does; N's writes store 0 for
 *   an absent primary again until N+1 rewrites the user.
 * - 0007: not expand/contract (retained users visible to N's SCIM, `retain` read as `remove`).
 * - 0010: not expand/contract: `events` rebuilt with NOT NULL cursor, `payload` renamed `data`;
 *   every change N commits fails on its event insert. Stop the old version first.
 * - 0012: expand only, one gap: organizations N creates get no `name_ci`, so `org find` by name
 *   misses them until renamed by N+1.
 */
export const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-teams': teams,
  '0003-rate-limits': rateLimits,
  '0004-log-retention': logRetention,
  '0005-full-case-folding': fullCaseFolding,
  '0006-primary-tri-state': primaryTriState,
  '0007-retained-users': retainedUsers,
  '0008-nested-teams': nestedTeams,
  '0009-log-identifiers': logIdentifiers,
  '0010-directory-events': directoryEvents,
  '0011-webhooks': webhooks,
  '0012-audit-trail': auditTrail,
  '0013-support-console': supportConsole,
  '0014-scale-indexes': scaleIndexes,
  '0015-token-expiry-index': tokenExpiryIndex,
};
