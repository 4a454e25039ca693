import type { Operator, Services } from '../services/index.js';

/** One run of a command: who runs it, and the request id its trail entries and events share. */
export interface CommandRun {
  readonly operator: Operator;
  readonly requestId: string;
}

/** Opens the services on the same DATABASE_URL as the server, runs `fn`, closes the store. */
export async function withServices<T>(fn: (services: Services, run: CommandRun) => Promise<T>): Promise<T> {
  // Loaded here, not at the top: the store and its drivers are most of a command's start-up, and
  // `--help`, a mistyped flag or `serve` must not wait for them (issue 9).
  const [{ openApp }, { loadConfig }, { uuidv7 }, { cliOperator }] = await Promise.all([
    import('../app.js'),
    import('../config.js'),
    import('../services/ids.js'),
    import('./operator.js'),
  ]);
  const app = await openApp(loadConfig());
  try {
    return await fn(app.services, { operator: cliOperator(), requestId: uuidv7() });
  } finally {
    await app.close();
  }
}
