#!/usr/bin/env node
// Makes dist/ current, compiling only when it has to: npm's `prepare` step (run after
// `npm install` and `npm ci` in this folder, so the build happens once, at install) and
// `npm start` on a tree whose dist/ is behind (bin/serve.js) both run it. Issue 12.
//
// Three cases, each said in one line on stderr:
// - dist/ matches src/ (bin/build-stamp.js), or there is no src/: nothing to do. A production
//   install of a built tree (`npm ci --omit=dev`) lands here, with no compiler installed.
// - dist/ is missing or stale and the compiler is installed (a developer's tree): compile.
// - dist/ is missing or stale and there is no compiler: exit 1, since a service started from
//   here would run code that is not the code in src/.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distState } from './build-stamp.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => process.stderr.write(`parallel-scim: ${line}\n`);

const dist = distState(root);
if (dist.kind === 'fresh') {
  say('dist/ is up to date, not compiling');
  process.exit(0);
}
const why = dist.kind === 'none' ? 'dist/ is missing' : dist.reason;
if (!hasCompiler()) {
  say(`${why}, and typescript is not installed (--omit=dev?): build with npm ci && npm run build first`);
  process.exit(1);
}
say(`${why}: compiling (npm run build)`);
const result = spawnSync(process.execPath, [join(root, 'bin', 'build.js')], { stdio: 'inherit' });
process.exit(result.status ?? 1);

function hasCompiler() {
  try {
    createRequire(import.meta.url).resolve('typescript/bin/tsc');
    return true;
  } catch {
    return false;
  }
}
