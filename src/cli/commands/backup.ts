import type { Command } from 'commander';
import type { BackupCopy } from '../../services/index.js';
import { withServices } from '../cli-context.js';
import type { Printer } from '../output.js';

/**
 * `backup --to FILE`: an online copy of the SQLite database while the server runs
 * (services/backups.ts). Restoring is a file move with the server stopped (docs/operations.md).
 */
export function backupCommand(program: Command, print: Printer): void {
  program
    .command('backup')
    .description('copy the SQLite database to FILE while the server runs, and check the copy (PostgreSQL: pg_dump)')
    .requiredOption('--to <file>', 'the backup file to write (refused if it exists, unless --force)')
    .option('--force', 'replace an existing file')
    .option('--json', 'print JSON')
    .action(async (opts: { to: string; force?: boolean; json?: boolean }) => {
      const copy = await withServices((s) => s.backups.backupTo(opts.to, { replace: opts.force === true }));
      if (opts.json) return print.json(copy);
      printCopy(print, copy);
    });
}

function printCopy(print: Printer, copy: BackupCopy): void {
  print.line(`backup:        ${copy.path}`);
  print.line(`size:          ${copy.bytes} bytes (${(copy.bytes / 1024 / 1024).toFixed(1)} MiB)`);
  print.line(`integrity:     ${copy.integrity}`);
  print.line(`migration:     ${copy.migrationLevel ?? 'none'}`);
  print.line(`organizations: ${copy.organizations}`);
  print.line(`users:         ${copy.users}`);
}
