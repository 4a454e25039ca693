/**
 * Counts the writes to tokens and organizations made through one store, so an authentication
 * cache can tell, without a round trip, that what it holds may be stale (Store.credentialsVersion).
 * A write in a transaction counts twice: when it runs, and again once its transaction has ended,
 * because a reader on another connection can still read (and cache) the old row in between.
 */
export class CredentialWrites {
  private count = 0;

  get version(): number {
    return this.count;
  }

  /** A write to a token or an organization ran. */
  wrote(): void {
    this.count++;
  }

  /** The transaction that made `writes` writes has committed or rolled back. */
  ended(writes: number): void {
    if (writes > 0) this.count++;
  }
}
