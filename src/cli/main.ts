import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { reportStartFailure, serve } from '../main.js';
import { ServiceError } from '../services/index.js';
import { DatabaseUrlError } from '../store/open-store.js';
import { logCommand } from './commands/log.js';
import { orgCommands } from './commands/org.js';
import { teamCommands } from './commands/team.js';
import { tokenCommands } from './commands/token.js';
import { userCommands } from './commands/user.js';
import { UsageError } from './parse-options.js';
import { terminalSafe } from './terminal-safe.js';

/** `parallel-scim`: the service and the support tools, on the same DATABASE_URL. */
export function buildProgram(): Command {
  const program = new Command('parallel-scim')
    .description('SCIM 2.0 provisioning for Parallel. Uses DATABASE_URL (default sqlite:./data/parallel-scim.db).')
    .showHelpAfterError()
    .exitOverride();
  program
    .command('serve')
    .description('run the HTTP service (PORT, HOST, DATABASE_URL, PUBLIC_URL, LOG_LEVEL)')
    .action(async () => {
      await serve().catch(reportStartFailure);
    });
  orgCommands(program);
  tokenCommands(program);
  userCommands(program);
  teamCommands(program);
  logCommand(program);
  return program;
}

export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv as string[]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; usage errors were already printed by commander.
      return error.exitCode;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`parallel-scim: ${terminalSafe(error.message)}\n`);
      return 2;
    }
    if (error instanceof ServiceError || error instanceof ConfigError || error instanceof DatabaseUrlError) {
      process.stderr.write(`parallel-scim: ${terminalSafe(error.message)}\n`);
      return error instanceof ServiceError && error.code === 'notFound' ? 3 : 2;
    }
    process.stderr.write(`parallel-scim: ${terminalSafe((error as Error)?.message ?? String(error))}\n`);
    return 1;
  }
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntryPoint) {
  runCli(process.argv).then((code) => {
    if (code !== 0) process.exitCode = code;
  });
}
