/**
 * Data-layer facts, mapped from driver codes in one place per dialect. Services turn them into
 * SCIM errors; nothing above the store sees a driver error.
 */
export class UniqueViolation extends Error {
  /** Which unique key clashed: 'userName', 'externalId', 'tokenHash', ... */
  readonly key: string;
  constructor(key: string) {
    super(`unique violation on ${key}`);
    this.name = 'UniqueViolation';
    this.key = key;
  }
}

/** A row another transaction changed or removed since it was read (optimistic concurrency). */
export class ConcurrentUpdate extends Error {
  constructor() {
    super('row changed concurrently');
    this.name = 'ConcurrentUpdate';
  }
}
