import type { Services } from '../services/index.js';

/** Opens the services on the same DATABASE_URL as the server, runs `fn`, closes the store. */
export async function withServices<T>(fn: (services: Services) => Promise<T>): Promise<T> {
  // Loaded here, not at the top: the store and its drivers are most of a command's start-up, and
  // `--help`, a mistyped flag or `serve` must not wait for them (issue 9).
  const [{ openApp }, { loadConfig }] = await Promise.all([import('../app.js'), import('../config.js')]);
  const app = await openApp(loadConfig());
  try {
    return await fn(app.services);
  } finally {
    await app.close();
  }
}
