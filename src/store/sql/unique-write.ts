import { UniqueViolation } from '../store-errors.js';
import type { SqlDialectHooks } from './sql-dialect.js';

/**
 * Runs a write and turns a driver unique violation into UniqueViolation: the services answer
 * 409 uniqueness from the key, whichever database named the index how.
 */
export async function uniqueWrite<T>(hooks: SqlDialectHooks, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const key = hooks.uniqueViolationKey(error);
    if (key !== undefined) throw new UniqueViolation(key);
    throw error;
  }
}
