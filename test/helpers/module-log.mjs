// `node --import ./module-log.mjs ...` appends the URL of every module the program resolves
// through ESM (a CommonJS package's own require()s are not seen, its entry is) to $MODULE_LOG, so
// a test can tell what a command loaded.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

// The hooks run in a thread of their own, which loads this file again: only the first load registers.
if (isMainThread) register(import.meta.url);

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (process.env.MODULE_LOG) appendFileSync(process.env.MODULE_LOG, `${result.url}\n`);
  return result;
}
