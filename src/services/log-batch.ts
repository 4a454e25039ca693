import type { LogRecord } from '../store/store.js';

/** Longest an entry waits in memory before its batch is written. */
export const LOG_BATCH_DELAY_MS = 50;
/** Entries that start a write at once instead of waiting for the delay. */
const BATCH_SIZE = 500;
/**
 * Entries held at most: past this, a request waits for the write in progress before it is
 * answered, so a database slower than the traffic slows the requests down instead of growing the heap.
 */
const MAX_PENDING = 10_000;

/** Told when a batch could not be written: those entries are lost (the metric counts them). */
export type LogBatchFailure = (error: unknown, entries: number) => void;

/**
 * The entries of reads and refused requests, written in batches: one write per batch instead of
 * one commit per GET (a commit was two thirds of a GET by id's database time). A change's entry
 * is not batched: it commits in the change's transaction. Batches are written one at a time, in
 * the order their entries arrived.
 */
export class LogBatch {
  private pending: LogRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private onFailure: LogBatchFailure = () => undefined;

  constructor(private readonly write: (entries: readonly LogRecord[]) => Promise<void>) {}

  /** Where failed writes are reported (the server counts them in a metric and its log). */
  onWriteFailure(listener: LogBatchFailure): void {
    this.onFailure = listener;
  }

  async add(entry: LogRecord): Promise<void> {
    this.pending.push(entry);
    if (this.pending.length >= MAX_PENDING) return this.flush();
    if (this.pending.length >= BATCH_SIZE) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), LOG_BATCH_DELAY_MS).unref();
  }

  /** Resolves once every entry added before the call is written (or reported lost). */
  async flush(): Promise<void> {
    while (this.pending.length > 0 || this.writing !== undefined) {
      if (this.writing === undefined) this.writing = this.writeAll();
      await this.writing;
    }
  }

  /**
   * One failing entry (its organization deleted meanwhile) must not lose the others: a refused
   * batch is written again entry by entry, and only the entries refused again are lost.
   */
  private async writeBatch(batch: readonly LogRecord[]): Promise<void> {
    try {
      await this.write(batch);
      return;
    } catch (error) {
      if (batch.length === 1) return this.onFailure(error, 1);
    }
    let lost = 0;
    let last: unknown;
    for (const entry of batch) {
      try {
        await this.write([entry]);
      } catch (error) {
        lost++;
        last = error;
      }
    }
    if (lost > 0) this.onFailure(last, lost);
  }

  private async writeAll(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        clearTimeout(this.timer);
        this.timer = undefined;
        const batch = this.pending;
        this.pending = [];
        await this.writeBatch(batch);
      }
    } finally {
      this.writing = undefined;
    }
  }
}
