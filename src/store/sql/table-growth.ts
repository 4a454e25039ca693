/** Users inserted by this process before the first ANALYZE, doubling after each. */
const FIRST_ANALYZE_AT = 1_000;
/** Past this many, autovacuum's own analyze (every 10 % of a table changed) keeps up. */
const LAST_ANALYZE_AT = 256_000;

/**
 * A fast-growing directory's tables analyzed as they grow (PostgreSQL: hooks.analyzeSql). An
 * organization's first sync fills `users` from nothing in minutes, and until autovacuum first
 * analyzes it (a minute's nap at least) the planner takes it for a handful of rows: measured on
 * the bench's Entra cycle, the create's link lookup then read the organization's users through
 * users_display_name_ix (any index that starts with org_id looked as good) and took up to a
 * second per run by the 4,000th user. ANALYZE samples a bounded number of rows, so each run
 * costs tens of milliseconds, once at 1,000 users inserted, 2,000, 4,000, … up to 256,000; it
 * runs in the background, never on a request's path, and one at a time.
 */
export class TableGrowth {
  private inserted = 0;
  private nextAt = FIRST_ANALYZE_AT;
  private running = false;

  constructor(private readonly analyze: () => Promise<unknown>) {}

  /** A user was inserted (its transaction may still roll back: the count is a trigger, not a tally). */
  insertedUser(): void {
    this.inserted++;
    if (this.running || this.inserted < this.nextAt || this.nextAt > LAST_ANALYZE_AT) return;
    this.nextAt *= 2;
    this.running = true;
    // A failed ANALYZE (database briefly away) is not the request's failure; the next doubling retries.
    void this.analyze()
      .catch(() => undefined)
      .finally(() => {
        this.running = false;
      });
  }
}
