/** Starts a throwaway PostgreSQL; see embedded-postgres.mjs. */
export function startEmbeddedPostgres(): Promise<{ url: string; stop(): Promise<void> }>;

/** A TCP port free on 127.0.0.1 right now; see embedded-postgres.mjs. */
export function freePort(): Promise<number>;
