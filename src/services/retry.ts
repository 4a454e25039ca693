import { ConcurrentUpdate } from '../store/store-errors.js';

const MAX_ATTEMPTS = 3;

/**
 * Runs `run` again when another request changed the same row between our read and our write
 * (the store's optimistic version check). `run` must be a whole transaction, safe to repeat.
 */
export async function retryOnConcurrentUpdate<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof ConcurrentUpdate) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}
