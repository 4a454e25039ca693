/**
 * Keyset paging under startIndex paging (RFC 7644 §3.4.2.4). A page at startIndex k is
 * `OFFSET k-1`, and an OFFSET walks every row before it: at a million users, 900,000 index entries
 * per page, and a COUNT that walks all of them again. IdPs page sequentially, so each page served
 * remembers where the next one starts (the sort key and id of its last row); the next request for
 * that startIndex becomes `WHERE (sort, id) > (key) LIMIT n`, one index range read. A page's later
 * chunks (services/list-page.ts) continue the same way, and the match count is remembered too.
 *
 * Exactness: what is remembered is a fact about the rows as they were read, so it is only used
 * while no write could have changed them. Every write through this store that can move a user or
 * team list of an organization (users, teams, memberships) marks the organization when it runs
 * and again once its transaction has ended (a reader on another connection may read the old rows
 * in between); everything remembered for that organization before the mark is ignored. So through
 * one store a remembered page is exactly the page OFFSET would read. Writes this store cannot see
 * are bounded two ways: SQLite reports commits by other processes (`external`, its data_version),
 * which forgets everything; other instances on PostgreSQL cannot be seen without a round trip, so
 * what is remembered also ages out after MEMORY_TTL_MS. Within that window a page may be what
 * OFFSET gave a moment earlier, which RFC 7644 §3.4.2.4 allows ("clients MUST be prepared to
 * handle inconsistent results" across requests).
 *
 * Memory is bounded: at most MAX_POSITIONS positions and MAX_COUNTS counts (least recently used
 * go first) and MAX_ORGS organization marks, whatever the number or size of organizations.
 */

/** Where a page starts: the sort value and id of the row just before it. */
export interface ListKey {
  readonly value: unknown;
  readonly id: string;
}

export const MEMORY_TTL_MS = 10_000;
const MAX_POSITIONS = 4096;
const MAX_COUNTS = 1024;
const MAX_ORGS = 10_000;

interface Kept<T> {
  readonly value: T;
  readonly stamp: number;
  readonly at: number;
}

/** What table writes need: mark the organization around a write that may move its lists. */
export interface ListWrites {
  wrote<T>(orgId: string, write: () => Promise<T>): Promise<T>;
  /** The memory reads may use, or none (reads inside a transaction see its uncommitted rows). */
  readonly memory: ListPositions | undefined;
}

export class ListPositions implements ListWrites {
  /** Ticks on every mark; a reading takes it as its stamp. */
  private counter = 0;
  /** The counter at each organization's last mark. */
  private readonly marks = new Map<string, number>();
  /** The highest mark forgotten (MAX_ORGS): an organization with no mark of its own has this one. */
  private floor = 0;
  private seenExternal: number | undefined;
  private readonly positions = new Map<string, Kept<ListKey>>();
  private readonly counts = new Map<string, Kept<number>>();

  constructor(
    private readonly external?: () => number,
    private readonly clock: () => number = Date.now,
  ) {}

  get memory(): ListPositions {
    return this;
  }

  async wrote<T>(orgId: string, write: () => Promise<T>): Promise<T> {
    this.mark(orgId);
    try {
      return await write();
    } finally {
      this.mark(orgId);
    }
  }

  /** A view for one transaction: its writes mark as they run, and once more when it ends. */
  inTransaction(): TransactionLists {
    return new TransactionLists(this);
  }

  mark(orgId: string): void {
    this.counter++;
    this.marks.delete(orgId);
    this.marks.set(orgId, this.counter);
    if (this.marks.size > MAX_ORGS) {
      const [oldest, mark] = this.marks.entries().next().value as [string, number];
      this.marks.delete(oldest);
      this.floor = Math.max(this.floor, mark);
    }
  }

  /** Taken before a read: what the read finds may be kept against this stamp. */
  stamp(): number {
    this.checkExternal();
    return this.counter;
  }

  count(orgId: string, list: string): number | undefined {
    return this.get(this.counts, orgId, list);
  }

  keepCount(orgId: string, list: string, total: number, stamp: number): void {
    this.put(this.counts, MAX_COUNTS, orgId, list, total, stamp);
  }

  position(orgId: string, list: string, offset: number): ListKey | undefined {
    return this.get(this.positions, orgId, `${offset}\u0000${list}`);
  }

  keepPosition(orgId: string, list: string, offset: number, key: ListKey, stamp: number): void {
    this.put(this.positions, MAX_POSITIONS, orgId, `${offset}\u0000${list}`, key, stamp);
  }

  /** How much is remembered (tests check the bounds). */
  get size(): { positions: number; counts: number; orgs: number } {
    return { positions: this.positions.size, counts: this.counts.size, orgs: this.marks.size };
  }

  private get<T>(map: Map<string, Kept<T>>, orgId: string, key: string): T | undefined {
    this.checkExternal();
    const full = `${orgId}\u0000${key}`;
    const kept = map.get(full);
    if (!kept) return undefined;
    const mark = this.marks.get(orgId) ?? this.floor;
    if (kept.stamp < mark || this.clock() - kept.at > MEMORY_TTL_MS) {
      map.delete(full);
      return undefined;
    }
    // Least recently used goes first: a hit moves to the end.
    map.delete(full);
    map.set(full, kept);
    return kept.value;
  }

  private put<T>(map: Map<string, Kept<T>>, max: number, orgId: string, key: string, value: T, stamp: number): void {
    // Marked since the reading began: what it found may already be out of date.
    if (stamp < (this.marks.get(orgId) ?? this.floor)) return;
    const full = `${orgId}\u0000${key}`;
    map.delete(full);
    map.set(full, { value, stamp, at: this.clock() });
    if (map.size > max) map.delete(map.keys().next().value as string);
  }

  private checkExternal(): void {
    if (!this.external) return;
    const seen = this.external();
    if (seen === this.seenExternal) return;
    // Another process committed: it may have changed any organization.
    if (this.seenExternal !== undefined) this.floor = ++this.counter;
    this.seenExternal = seen;
    this.marks.clear();
  }
}

/** The transaction's side of ListPositions: marks, and no memory for reads. */
export class TransactionLists implements ListWrites {
  private readonly touched = new Set<string>();

  constructor(private readonly lists: ListPositions) {}

  get memory(): undefined {
    return undefined;
  }

  async wrote<T>(orgId: string, write: () => Promise<T>): Promise<T> {
    this.touched.add(orgId);
    this.lists.mark(orgId);
    return write();
  }

  /** The transaction committed or rolled back: what was read meanwhile is out of date. */
  ended(): void {
    for (const orgId of this.touched) this.lists.mark(orgId);
    this.touched.clear();
  }
}
