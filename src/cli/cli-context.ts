import { loadConfig } from '../config.js';
import { createServices, type Services } from '../services/index.js';
import { openStore } from '../store/open-store.js';
import { jsonTerminalSafe, terminalSafe } from './terminal-safe.js';

/** Opens the services on the same DATABASE_URL as the server, runs `fn`, closes the store. */
export async function withServices<T>(fn: (services: Services) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = await openStore(config.databaseUrl);
  try {
    return await fn(createServices(store));
  } finally {
    await store.close();
  }
}

/** Writes one line to stdout, with every control character shown, never obeyed. */
export function out(line = ''): void {
  process.stdout.write(`${terminalSafe(line)}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${jsonTerminalSafe(JSON.stringify(value, null, 2))}\n`);
}

export const iso = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString());

/** Renders rows as aligned columns for people; scripts use --json. */
export function printTable(headers: readonly string[], unsafeRows: readonly (readonly string[])[]): void {
  // Escaped before measuring, so that the columns line up with what is printed.
  const rows = unsafeRows.map((row) => row.map(terminalSafe));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  out(line(headers));
  for (const row of rows) out(line(row));
}
