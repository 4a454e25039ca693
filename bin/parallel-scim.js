#!/usr/bin/env node
// Runs the built CLI from dist/ when `npm run build` made it from the sources that are here now,
// else the TypeScript sources through tsx, so `npx parallel-scim` works straight after
// `npm install`.
//
// A stale dist/ (src/ edited, pulled or checked out since the build) is never run: support would
// be reading answers from code that is no longer there. It is not refused either, since whoever
// runs a command by hand wants its answer: the sources run through tsx, slower, after one line on
// stderr (so that --json output stays clean) saying how to get the fast start back. How staleness
// is told cheaply is in build-stamp.js.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { distState } from './build-stamp.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = distState(root);
let cli;
if (dist.kind === 'fresh') {
  cli = await import(pathToFileURL(join(root, 'dist', 'cli', 'main.js')).href);
} else {
  if (dist.kind === 'stale') {
    process.stderr.write(`parallel-scim: ${dist.reason}; running src/ through tsx (npm run build to start fast)\n`);
  }
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
}
const code = await cli.runCli(process.argv);
if (code !== 0) process.exitCode = code;
