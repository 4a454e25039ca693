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
  const [{ openApp }, { loadConfig }, { uuidv7 }, { cliOperator }, { ScimError, ORG_NOT_FOUND }] = await Promise.all([
    import('../app.js'),
    import('../config.js'),
    import('../services/ids.js'),
    import('./operator.js'),
    import('../services/index.js'),
  ]);
  // Support's commands never create a database: a mistyped DATABASE_URL or another working
  // directory is refused with the path it looked for, instead of answering from an empty one.
  const app = await openApp(loadConfig(), { create: false });
  try {
    return await fn(app.services, { operator: cliOperator(), requestId: uuidv7() });
  } catch (error) {
    // "No organization" from the wrong database reads like a missing customer: say which one.
    if (error instanceof ScimError && error.code === ORG_NOT_FOUND) {
      const { location } = app.database;
      throw new ScimError(
        error.status,
        `${error.detail} in ${location.kind === 'sqlite' ? `the SQLite database ${location.file}` : location.description}`,
        error.scimType,
        error.code,
      );
    }
    throw error;
  } finally {
    await app.close();
  }
}
