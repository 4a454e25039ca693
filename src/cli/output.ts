import { jsonTerminalSafe, terminalSafe } from './terminal-safe.js';

/**
 * Where a run of the CLI writes. A process writes to its stdout and stderr; the end-to-end tests
 * run commands in their own process and read what each one wrote, so nothing here may reach
 * `process.stdout` directly.
 */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** What a command prints, on one run's stdout, with every control character shown, never obeyed. */
export interface Printer {
  line(text?: string): void;
  json(value: unknown): void;
  /** Aligned columns for people; scripts use --json. */
  table(headers: readonly string[], rows: readonly (readonly string[])[]): void;
}

export function printer(io: CliIo): Printer {
  const line = (text = '') => io.stdout(`${terminalSafe(text)}\n`);
  return {
    line,
    json: (value) => io.stdout(`${jsonTerminalSafe(JSON.stringify(value, null, 2))}\n`),
    table(headers, unsafeRows) {
      // Escaped before measuring, so that the columns line up with what is printed.
      const rows = unsafeRows.map((row) => row.map(terminalSafe));
      const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
      const format = (cells: readonly string[]) =>
        cells
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd();
      line(format(headers));
      for (const row of rows) line(format(row));
    },
  };
}

export const iso = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString());
