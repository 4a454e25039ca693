/**
 * A bulkhead per organization: at most `concurrency` of one organization's requests run at once;
 * the next ones wait in that organization's own queue, first come first served, and only there.
 * So a tenant that sends a hundred expensive requests at once delays itself, not everybody
 * queued behind it for the event loop, the SQLite connection or the PostgreSQL pool.
 */
export interface BulkheadOptions {
  /** Requests of one organization running at once. */
  readonly concurrency: number;
  /** Requests of one organization waiting; one more is refused at once. */
  readonly maxQueue: number;
  /** Longest a request waits for its turn before it is refused. */
  readonly maxWaitMs: number;
}

/** Why a request was not admitted. */
export type BulkheadRefusal = 'queueFull' | 'waitTimeout' | 'aborted';

export class BulkheadRejected extends Error {
  readonly reason: BulkheadRefusal;
  constructor(reason: BulkheadRefusal) {
    super(`request not admitted: ${reason}`);
    this.name = 'BulkheadRejected';
    this.reason = reason;
  }
}

interface Waiter {
  readonly admit: () => void;
  readonly refuse: (reason: BulkheadRefusal) => void;
}

interface Lane {
  running: number;
  readonly queue: Waiter[];
}

/** Gives back the slot; calling it more than once gives it back once. */
export type Release = () => void;

export class TenantBulkhead {
  /** Only organizations with requests running or waiting have a lane, so memory stays bounded. */
  private readonly lanes = new Map<string, Lane>();
  private waitingTotal = 0;
  private runningTotal = 0;

  constructor(private readonly options: BulkheadOptions) {}

  /** Requests waiting across all organizations (a gauge for operators). */
  get waiting(): number {
    return this.waitingTotal;
  }

  /** Requests holding a slot across all organizations. */
  get running(): number {
    return this.runningTotal;
  }

  /**
   * Resolves with a release function once the organization has a free slot; rejects with
   * {@link BulkheadRejected} when its queue is full, the wait runs out, or `signal` aborts
   * (the client went away while waiting).
   */
  acquire(key: string, signal?: AbortSignal): Promise<Release> {
    const free = this.tryAcquire(key);
    if (free !== undefined) return Promise.resolve(free);
    const lane = this.lanes.get(key) as Lane;
    if (lane.queue.length >= this.options.maxQueue) return Promise.reject(new BulkheadRejected('queueFull'));
    const current = lane;
    return new Promise<Release>((resolve, reject) => {
      const leave = () => {
        const at = current.queue.indexOf(waiter);
        if (at >= 0) current.queue.splice(at, 1);
        this.waitingTotal--;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        admit: () => {
          leave();
          current.running++;
          this.runningTotal++;
          resolve(this.releaser(key, current));
        },
        refuse: (reason) => {
          leave();
          this.forget(key, current);
          reject(new BulkheadRejected(reason));
        },
      };
      const onAbort = () => waiter.refuse('aborted');
      const timer = setTimeout(() => waiter.refuse('waitTimeout'), this.options.maxWaitMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      current.queue.push(waiter);
      this.waitingTotal++;
      if (signal?.aborted) onAbort();
    });
  }

  /**
   * A slot at once when the organization has one free and nobody waiting (the usual case, which
   * then costs no promise, timer or abort listener); undefined otherwise, leaving its lane in place
   * for `acquire` to queue on.
   */
  tryAcquire(key: string): Release | undefined {
    let lane = this.lanes.get(key);
    if (lane === undefined) {
      lane = { running: 0, queue: [] };
      this.lanes.set(key, lane);
    }
    if (lane.running >= this.options.concurrency || lane.queue.length > 0) return undefined;
    lane.running++;
    this.runningTotal++;
    return this.releaser(key, lane);
  }

  private releaser(key: string, lane: Lane): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      lane.running--;
      this.runningTotal--;
      const next = lane.queue[0];
      if (next !== undefined && lane.running < this.options.concurrency) next.admit();
      else this.forget(key, lane);
    };
  }

  private forget(key: string, lane: Lane): void {
    if (lane.running === 0 && lane.queue.length === 0 && this.lanes.get(key) === lane) this.lanes.delete(key);
  }
}
