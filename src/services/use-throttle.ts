/**
 * At most once per interval per id: when to record a credential's last use (a database write per
 * request otherwise), and when to warn again about a token that ends soon. Remembers one time per
 * id seen by this process, at most `maxIds` (the ids longest unseen are forgotten first, so a
 * forgotten id is due again, never silenced).
 */
export class UseThrottle {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly intervalMs = 60_000,
    private readonly maxIds = 10_000,
  ) {}

  /** Whether the use at `now` is due (`known`: a time already recorded elsewhere); if so it counts. */
  due(id: string, known: number | null, now: number): boolean {
    const last = this.seen.get(id) ?? known ?? Number.NEGATIVE_INFINITY;
    if (now - last < this.intervalMs) return false;
    // Re-inserted, so the Map's order is least recently due first.
    this.seen.delete(id);
    if (this.seen.size >= this.maxIds) this.seen.delete(this.seen.keys().next().value as string);
    this.seen.set(id, now);
    return true;
  }
}
