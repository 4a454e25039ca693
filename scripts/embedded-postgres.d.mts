/** Starts a throwaway PostgreSQL; see embedded-postgres.mjs. */
export function startEmbeddedPostgres(): Promise<{ url: string; stop(): Promise<void> }>;
