import { type Kysely, type RawBuilder, sql } from 'kysely';
import { FilterTooCostly } from '../store-errors.js';
import type { Database } from './db-schema.js';
import { rowLimit } from './row-limit.js';
import type { SqlDialectHooks } from './sql-dialect.js';

/*
 * The filter cost rule (docs/scaling.md "Filter cost"): before a list runs, each walk over rows
 * its SQL makes is measured with a bounded count, and a filter whose work would pass the
 * dialect's budget for this organization's size is refused before it runs. compile-filter.ts
 * records the walks (Read) as it compiles; this file measures and decides.
 */

/** What the rule found for one read: rows walked (`capped`: more than the budget allows), and cost. */
interface Measured {
  readonly rows: number;
  readonly capped: boolean;
  readonly cost: number;
}

/** A conjunct an index answers: the read it belongs to walks only the rows it matches. */
export interface Lookup {
  readonly predicate: RawBuilder<boolean>;
  readonly unique: boolean;
}

/**
 * One walk over rows that the compiled SQL makes: over the resources (`r`), or one child-row
 * subquery. The cost rule charges it rows × perRow, plus perKiB of the bytes those rows hold.
 */
export class Read {
  /** Work per row: the sum of the tests the walk evaluates on each row. */
  perRow = 0;
  /** Work per KiB of what the rows hold: values co/ew search, values only the document cap bounds. */
  readonly perKiB: { readonly bytes: RawBuilder<number>; readonly units: number }[] = [];
  /** Some test reads a column no index holds, so each row is read whole. */
  readsRow = false;
  /** The tests as the client wrote them, for the detail of a refusal. */
  readonly tests: string[] = [];
  readonly lookups: Lookup[] = [];
  /** Child subqueries among the resource read's conjuncts: `r.id in (...)` reads only their ids. */
  readonly children: Read[] = [];
  /** What the rule counted and charged, once it has; `capped`: the count stopped at its bound. */
  rows = 0;
  capped = false;
  cost = 0;

  constructor(
    readonly noun: string,
    readonly scope: (predicate?: RawBuilder<boolean>, columns?: RawBuilder<unknown>) => RawBuilder<unknown>,
    readonly rowBytes: RawBuilder<number> | undefined,
  ) {}
}

/**
 * Counts what each read walks and throws FilterTooCostly when the work exceeds the dialect's
 * budget: the child-row subqueries first, then the resource read (`resource`) if it tests rows.
 */
export async function enforceBudget(
  db: Kysely<Database>,
  hooks: SqlDialectHooks,
  indexedHint: string,
  resource: Read,
  childReads: readonly Read[],
): Promise<void> {
  const { budget, rowPerKiB, rowFetch } = hooks.filterCost;
  // An infinite budget is the rule switched off (bench/filter-worst-case.ts measures the SQL).
  if (budget === Number.POSITIVE_INFINITY) return;
  let spent = 0;
  const charged: Read[] = [];
  const charge = async (read: Read) => {
    // The page is sorted by id: what a lookup other than the primary key finds is fetched whole.
    const fetched = read === resource && read.lookups.length > 0 && !read.lookups.some((l) => l.unique);
    const perRow = Math.max(1, read.perRow) + (fetched ? rowFetch : 0);
    const perKiB = [...read.perKiB];
    if (read.readsRow && read.rowBytes && rowPerKiB > 0) perKiB.push({ bytes: read.rowBytes, units: rowPerKiB });
    const unique = read.lookups.find((l) => l.unique);
    if (unique && perKiB.length === 0) {
      // One row at most: nothing to count.
      read.rows = 1;
      read.cost = perRow;
    } else {
      const measured: Measured[] = [];
      for (const lookup of unique ? [unique] : read.lookups) {
        measured.push(await measure(db, hooks, read, perRow, perKiB, budget - spent, lookup.predicate));
      }
      if (measured.length === 0 && read === resource && read.children.length > 0 && perKiB.length === 0) {
        // Only the ids the subqueries returned are read, at most as many as they walked.
        const rows = Math.max(...read.children.map((child) => child.rows));
        measured.push({ rows, capped: false, cost: rows * perRow });
      }
      if (measured.length === 0) measured.push(await measure(db, hooks, read, perRow, perKiB, budget - spent));
      // Which index the planner takes is its choice: assume the lookup that costs the most.
      const worst = measured.reduce((a, b) => (b.cost > a.cost ? b : a));
      read.rows = worst.rows;
      read.capped = worst.capped;
      read.cost = worst.cost;
    }
    spent += read.cost;
    charged.push(read);
    if (spent > budget) throw tooCostly(hooks, indexedHint, charged, spent);
  };
  for (const read of childReads) await charge(read);
  // Without tests of its own the resource read only fetches the ids the subqueries found.
  if (resource.perRow > 0) await charge(resource);
}

/**
 * The rows `read` walks (narrowed by `lookup`) and what they cost. Rows are counted first,
 * through the narrowest index that has them, with a bound one row past what `room` allows; the
 * sizes of values come second, only for rows that fit. Measuring sizes reads each row, so that
 * work (measurePerRow) is charged too: the budget bounds the check and the query together.
 */
async function measure(
  db: Kysely<Database>,
  hooks: SqlDialectHooks,
  read: Read,
  perRow: number,
  perKiB: readonly { readonly bytes: RawBuilder<number>; readonly units: number }[],
  room: number,
  lookup?: RawBuilder<boolean>,
): Promise<Measured> {
  // Sizes a covering index holds (userName, emails.value) cost no more than counting them.
  const checkPerRow = perKiB.length > 0 && read.readsRow ? hooks.filterCost.measurePerRow : 0;
  const bound = Math.floor(room / (perRow + checkPerRow)) + 1;
  const counted = await sql<{
    n: number;
  }>`select count(*) as n from (${read.scope(lookup)} limit ${rowLimit(bound)}) t`.execute(db);
  const rows = Number(counted.rows[0]?.n ?? 0);
  if (rows >= bound) return { rows, capped: true, cost: rows * (perRow + checkPerRow) };
  if (perKiB.length === 0 || rows === 0) return { rows, capped: false, cost: rows * perRow };
  const columns = sql.join(perKiB.map(({ bytes }, i) => sql`${bytes} as ${sql.raw(`b${i}`)}`));
  const sums = sql.join(perKiB.map((_, i) => sql`sum(${sql.raw(`b${i}`)}) as ${sql.raw(`b${i}`)}`));
  const sized = await sql<
    Record<string, number | null>
  >`select ${sums} from (${read.scope(lookup, columns)} limit ${rowLimit(rows)}) t`.execute(db);
  const row = sized.rows[0] ?? {};
  const kib = perKiB.reduce((sum, { units }, i) => sum + (Number(row[`b${i}`] ?? 0) / 1024) * units, 0);
  return { rows, capped: false, cost: rows * (perRow + checkPerRow) + Math.ceil(kib) };
}

function tooCostly(hooks: SqlDialectHooks, indexedHint: string, charged: readonly Read[], spent: number) {
  const { budget, rangesUseIndex } = hooks.filterCost;
  const n = (x: number) => x.toLocaleString('en');
  // A count that stopped at its bound says "over": there are more rows than the budget allows.
  const over = (read: Read) => (read.capped ? `over ${n(read.rows - 1)}` : n(read.rows));
  const parts = charged.map((read) => `${over(read)} ${read.noun} for ${read.tests.join(', ')}`);
  const total = `${charged.some((read) => read.capped) ? 'over ' : ''}${n(spent)}`;
  const prefix = rangesUseIndex ? '; sw on those attributes reads only the rows it matches too' : '';
  return new FilterTooCostly(
    `This filter costs too much for an organization of this size: it would read ${parts.join(' and ')}, ${total} units of work where one request may spend ${n(budget)}. Filter with ${indexedHint} instead${prefix}.`,
  );
}
