import { Command, CommanderError } from 'commander';
import { isEntryPoint } from '../entry-point.js';
import { packageVersion } from '../version.js';
import { adminCommands } from './commands/admin.js';
import { auditCommand } from './commands/audit.js';
import { backupCommand } from './commands/backup.js';
import { logCommand } from './commands/log.js';
import { orgCommands } from './commands/org.js';
import { orgHealthCommand } from './commands/org-health.js';
import { serviceKeyCommands } from './commands/service-key.js';
import { teamCommands } from './commands/team.js';
import { tokenCommands } from './commands/token.js';
import { userCommands } from './commands/user.js';
import { webhookCommands } from './commands/webhook.js';
import { type CliIo, printer, processIo } from './output.js';
import { UsageError } from './parse-options.js';
import { terminalSafe } from './terminal-safe.js';

/**
 * `parallel-scim`: the service and the support tools, on the same DATABASE_URL.
 *
 * Support runs these by hand, so a command must answer at once (issue 9). This module and the
 * command definitions load only commander; each action imports the services when it runs, and
 * Fastify loads for `serve` alone. test/e2e/cli.test.ts checks that `org list` stays that way.
 */
export function buildProgram(io: CliIo = processIo): Command {
  const program = new Command('parallel-scim')
    .description('SCIM 2.0 provisioning for Parallel. Uses DATABASE_URL (default sqlite:./data/parallel-scim.db).')
    // Before any subcommand is added: each copies these settings from its parent when created.
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .version(packageVersion(), '-V, --version', 'print the version of this install')
    .showHelpAfterError()
    .exitOverride();
  program
    .command('serve')
    .description(
      'run the HTTP service (PORT, HOST, DATABASE_URL, PUBLIC_URL, TRUST_PROXY, LOG_LEVEL; docs/operations.md)',
    )
    .action(async () => {
      const { reportStartFailure, serve } = await import('../main.js');
      await serve().catch(reportStartFailure);
    });
  const print = printer(io);
  orgCommands(program, print);
  orgHealthCommand(program, print);
  tokenCommands(program, print);
  userCommands(program, print);
  teamCommands(program, print);
  serviceKeyCommands(program, print);
  logCommand(program, print);
  webhookCommands(program, print);
  adminCommands(program, print);
  auditCommand(program, print);
  backupCommand(program, print);
  return program;
}

/** Runs one command line (`argv` as in `process.argv`) and returns its exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync(argv as string[]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; usage errors were already printed by commander.
      return error.exitCode;
    }
    io.stderr(`parallel-scim: ${terminalSafe((error as Error)?.message ?? String(error))}\n`);
    return exitCodeOf(error);
  }
}

/** 2: a mistake the person can correct; 3: the thing named does not exist; 1: anything else. */
async function exitCodeOf(error: unknown): Promise<number> {
  if (error instanceof UsageError) return 2;
  let known: [typeof import('../services/index.js'), typeof import('../config.js')];
  try {
    // A command that failed in the services has loaded these already; importing them at the top
    // would load the store for every `--help`.
    known = await Promise.all([import('../services/index.js'), import('../config.js')]);
  } catch {
    return 1;
  }
  const [{ DatabaseUrlError, ScimError }, { ConfigError }] = known;
  if (error instanceof ScimError) return error.status === 404 ? 3 : 2;
  return error instanceof ConfigError || error instanceof DatabaseUrlError ? 2 : 1;
}

if (isEntryPoint(import.meta.url)) {
  runCli(process.argv).then((code) => {
    if (code !== 0) process.exitCode = code;
  });
}
