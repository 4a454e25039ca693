import { runCli } from '../../src/cli/main.js';

export interface CliResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

let running = false;

/**
 * One `parallel-scim ...` command line run in this process on `databaseUrl`, with what it wrote
 * to stdout and stderr and its exit code: the same entry the launcher calls, without a process
 * start through tsx for each command (which made the CLI suite take over a minute per store).
 */
export async function runCliInProcess(databaseUrl: string, args: readonly string[]): Promise<CliResult> {
  // The CLI reads DATABASE_URL from the environment, as support's shell sets it, so two runs at
  // once could each read the other's; better a clear failure than a command on the wrong database.
  if (running) throw new Error('runCliInProcess: one command at a time');
  running = true;
  const saved = process.env.DATABASE_URL;
  process.env.DATABASE_URL = databaseUrl;
  let stdout = '';
  let stderr = '';
  try {
    const code = await runCli(['node', 'parallel-scim', ...args], {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
    });
    return { stdout, stderr, code };
  } finally {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
    running = false;
  }
}
