#!/usr/bin/env node
// Runs the built CLI when `npm run build` has produced dist/, else the TypeScript sources through
// tsx, so `npx parallel-scim` works straight after `npm install`.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'cli', 'main.js');
let cli;
if (existsSync(built)) {
  cli = await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
}
const code = await cli.runCli(process.argv);
if (code !== 0) process.exitCode = code;
