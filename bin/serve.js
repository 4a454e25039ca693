#!/usr/bin/env node
// `npm start`: the compiled service (dist/main.js) in this very process, so that the SIGTERM npm
// forwards to its child reaches the process that drains. package.json runs it with `exec`: npm
// starts scripts through `sh -c`, and dash stays in between (and dies of the SIGTERM, leaving
// node orphaned and serving) unless told to replace itself.
//
// Nothing is compiled when dist/ is current, the production case: it was built at install
// (bin/ensure-build.js as npm's `prepare`) or in the image. A dist/ that no longer matches src/
// is never served: ensure-build.js compiles it first when the compiler is here, else the start
// fails with one line saying what to run.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { distState } from './build-stamp.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (distState(root).kind !== 'fresh') {
  const built = spawnSync(process.execPath, [join(root, 'bin', 'ensure-build.js')], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
const { serve, reportStartFailure } = await import(pathToFileURL(join(root, 'dist', 'main.js')).href);
await serve().catch(reportStartFailure);
