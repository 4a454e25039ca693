import { type Kysely, sql } from 'kysely';
import type { Database } from './db-schema.js';

/** Members one transaction takes at most, so reads queued behind a group wait for a bounded time. */
const MAX_MEMBERS = 16;
/** How long a group takes new members: past this it commits, however many are waiting. */
const MAX_OPEN_MS = 10;
/** Times a member is run again because another member broke the transaction they shared. */
const MAX_RERUNS = 2;

type Work = (conn: Kysely<Database>) => Promise<unknown>;

interface Member {
  readonly work: Work;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  reruns: number;
}

/** A member's work failed and the savepoint could not be rolled back: the transaction is gone. */
class TransactionLost extends Error {
  constructor(
    readonly memberError: unknown,
    readonly lost: unknown,
  ) {
    super('the group transaction was lost');
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Group commit for a database with one writer (SQLite): the transactions that are waiting when one
 * ends run in the same database transaction, each inside its own savepoint, and commit together.
 *
 * Why: a COMMIT writes every page the transaction dirtied to the WAL, and a create dirties about
 * 33 (the users, log and events tables and their indexes). Consecutive creates share most of those
 * pages (ids, times and cursors grow, so their index entries land on the same last pages), so a
 * group of eight writes about a third of the pages eight commits would.
 *
 * What a member sees and gets is what it would alone: members run one after another on the one
 * connection, each in a savepoint, so a member that fails (a uniqueness clash, a rule) is rolled
 * back to its savepoint and fails alone; the others commit. A member's promise settles only after
 * the COMMIT, so nobody answers a client before its change is durable, and a failed COMMIT fails
 * every member of the group (nothing of it was written). Reads outside transactions wait for the
 * connection, so they never see a group's uncommitted work; MAX_MEMBERS and MAX_OPEN_MS bound how
 * long they wait.
 *
 * Members arriving while a group runs join it. When none is waiting, the group waits one turn of
 * the event loop before it commits: requests already received are parsed in that turn and join,
 * which is what makes groups form under load (a member's statements run without yielding to I/O).
 */
export class CommitGroups {
  private readonly queue: Member[] = [];
  private driving = false;

  constructor(
    private readonly kysely: Kysely<Database>,
    private readonly beginSql: string,
  ) {}

  /** Runs `work` in a group's transaction; settles once that transaction has committed or rolled back. */
  run<T>(work: (conn: Kysely<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject, reruns: 0 });
      if (!this.driving) void this.drive();
    });
  }

  private async drive(): Promise<void> {
    this.driving = true;
    try {
      while (this.queue.length > 0) await this.oneGroup();
    } finally {
      this.driving = false;
    }
  }

  private async oneGroup(): Promise<void> {
    try {
      await this.kysely.connection().execute((conn) => this.inTransaction(conn));
    } catch (error) {
      // The connection could not be had, or BEGIN failed (busy, unavailable): every member
      // waiting now would meet the same, and each one's own retry decides what happens next.
      for (const member of this.queue.splice(0)) member.reject(error);
    }
  }

  private async inTransaction(conn: Kysely<Database>): Promise<void> {
    await sql.raw(this.beginSql).execute(conn);
    const opened = performance.now();
    const ran: { member: Member; value: unknown }[] = [];
    try {
      while (ran.length < MAX_MEMBERS && performance.now() - opened < MAX_OPEN_MS) {
        let member = this.queue.shift();
        if (member === undefined) {
          await nextTurn();
          member = this.queue.shift();
          if (member === undefined) break;
        }
        const outcome = await this.runMember(conn, member);
        if (outcome.ok) ran.push({ member, value: outcome.value });
      }
      await sql.raw('commit').execute(conn);
    } catch (error) {
      await sql
        .raw('rollback')
        .execute(conn)
        .catch(() => undefined);
      if (error instanceof TransactionLost) {
        // Another member's failure took the transaction with it (SQLite rolls back the whole
        // transaction on a full disk or an I/O error): the members that had run did nothing
        // wrong, so they run again in the next group, a bounded number of times.
        for (const { member } of ran) {
          if (member.reruns++ < MAX_RERUNS) this.queue.unshift(member);
          else member.reject(error.memberError);
        }
        return;
      }
      for (const { member } of ran) member.reject(error);
      return;
    }
    for (const { member, value } of ran) member.resolve(value);
  }

  private async runMember(
    conn: Kysely<Database>,
    member: Member,
  ): Promise<{ ok: true; value: unknown } | { ok: false }> {
    await sql.raw('savepoint group_member').execute(conn);
    try {
      const value = await member.work(conn);
      await sql.raw('release group_member').execute(conn);
      return { ok: true, value };
    } catch (error) {
      try {
        await sql.raw('rollback to group_member').execute(conn);
        await sql.raw('release group_member').execute(conn);
      } catch (lost) {
        member.reject(error);
        throw new TransactionLost(error, lost);
      }
      member.reject(error);
      return { ok: false };
    }
  }
}
