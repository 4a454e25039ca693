import type { CompiledQuery, Kysely } from 'kysely';
import { foldCase } from '../../scim/fold-case.js';
import type { UserRecord } from '../store.js';
import type { Database } from './db-schema.js';
import { preparedQuery } from './prepared-query.js';
import { rowLimit } from './row-limit.js';
import type { SqlDialectHooks } from './sql-dialect.js';
import { rowToUser, type UserRowRead, userReadColumns } from './user-row.js';

/*
 * The users a create may link or clash with (SPEC "Existing accounts", services/user-rules.ts
 * pickLinkable): those whose userName is the incoming userName or one of its work e-mails, live
 * or retained, and those holding one of the work e-mails in an `emails` entry of any type.
 */

type Db = Kysely<Database>;

/** Most e-mails an incoming user's lookup lists as prepared parameters; more is rare and built ad hoc. */
const MAX_PREPARED_VALUES = 4;

/**
 * E-mail entries holding one of the addresses read at most, each one probe of the users' primary
 * key: this bounds the work on any directory. Entries, not users (a user may hold an address
 * twice): room for every holder where a handful of people share an address.
 */
const EMAIL_MATCHES = 50;

/**
 * One statement of three arms, each a probe of one index (query-plan test in
 * user-link-lookup.test.ts): users_user_name_uq for live users and users_retained_ix for
 * retained ones (a predicate naming neither partial index would scan the organization), and
 * user_values_value_ix then the primary key for the e-mails. One OR instead would make SQLite
 * walk every user of the organization on every create of an initial sync. The e-mail arm starts
 * from the bounded list of matching value rows and joins each to its user: written as
 * `users where id in (...) limit 10`, PostgreSQL without statistics yet (an organization's first
 * sync) walked the organization's users looking for ten that match, up to a second per create by
 * the 4,000th user. A user holding an address twice comes twice; the caller keeps one.
 */
function candidates(db: Db, orgId: string, names: readonly string[], emails: readonly string[]) {
  const byName = (live: boolean) =>
    db
      .selectFrom('users as r')
      .select(userReadColumns)
      .where('r.org_id', '=', orgId)
      .where('r.user_name_ci', 'in', names)
      .where('r.deleted_at', live ? 'is' : 'is not', null);
  const both = byName(true).unionAll(byName(false));
  if (emails.length === 0) return both;
  const holders = db
    .selectFrom('user_values as v')
    .select('v.user_id')
    .where('v.org_id', '=', orgId)
    .where('v.attr', '=', 'emails')
    .where('v.value_ci', 'in', emails)
    .limit(rowLimit(EMAIL_MATCHES));
  const byEmail = db
    .selectFrom(holders.as('e'))
    .innerJoin('users as r', (j) => j.on('r.org_id', '=', orgId).onRef('r.id', '=', 'e.user_id'))
    .select(userReadColumns);
  return both.unionAll(byEmail);
}

const slots = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

type Lookup = ReturnType<typeof compileLookup>;

/** The lookup for `n` names and `e` e-mails, its arguments named orgId, n0.. and e0... */
function compileLookup(n: number, e: number) {
  return preparedQuery(['orgId', ...slots('n', n), ...slots('e', e)], (db, _hooks, _variant: '', a) => {
    const arg = (name: string) => (a as Record<string, never>)[name] as never;
    return candidates(db, arg('orgId'), slots('n', n).map(arg), slots('e', e).map(arg));
  });
}

/** Compiled lookups by `${names}:${emails}` count, at most MAX_PREPARED_VALUES of each. */
const lookups = new Map<string, Lookup>();

/**
 * The statement of a lookup: prepared for up to MAX_PREPARED_VALUES names and e-mails, built ad
 * hoc beyond (a user with that many work e-mails is rare). Exported for the plan test.
 */
export function linkLookup(
  db: Db,
  hooks: SqlDialectHooks,
  orgId: string,
  userName: string,
  workEmails: readonly string[],
): CompiledQuery<UserRowRead> {
  const emails = [...new Set(workEmails.map(foldCase))];
  const names = [...new Set([foldCase(userName), ...emails])];
  if (names.length > MAX_PREPARED_VALUES || emails.length > MAX_PREPARED_VALUES) {
    return candidates(db, orgId, names, emails).compile();
  }
  const key = `${names.length}:${emails.length}`;
  let lookup = lookups.get(key);
  if (lookup === undefined) {
    lookup = compileLookup(names.length, emails.length);
    lookups.set(key, lookup);
  }
  const args: Record<string, unknown> = { orgId };
  names.forEach((name, i) => {
    args[`n${i}`] = name;
  });
  emails.forEach((email, i) => {
    args[`e${i}`] = email;
  });
  return lookup(db, hooks, '', args);
}

export async function findUsersByUserNameOrWorkEmail(
  db: Db,
  hooks: SqlDialectHooks,
  orgId: string,
  userName: string,
  workEmails: readonly string[],
): Promise<UserRecord[]> {
  const { rows } = await db.executeQuery(linkLookup(db, hooks, orgId, userName, workEmails));
  const found = new Map(rows.map((row) => [row.id, rowToUser(row)]));
  return [...found.values()].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
}
