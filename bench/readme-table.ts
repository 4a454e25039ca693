/**
 * Rewrites the tables of bench/README.md from bench/results/scim-<store>.json, between the
 * markers `<!-- scim-bench:<store> -->` and `<!-- /scim-bench:<store> -->`, so the README always
 * shows what the last run recorded. `npm run bench` calls it; `npm run bench:readme` alone
 * regenerates the README from the JSON already there.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ScimBenchResult, table } from './scim-report.js';

const README = join(import.meta.dirname, 'README.md');
const STORES = ['sqlite', 'postgres'] as const;

/** `readme` with the block of `store` replaced by `body`; unchanged if its markers are missing. */
export function replaceBlock(readme: string, store: string, body: string): string {
  const open = `<!-- scim-bench:${store} -->`;
  const close = `<!-- /scim-bench:${store} -->`;
  const start = readme.indexOf(open);
  const end = readme.indexOf(close);
  if (start < 0 || end < start) return readme;
  return `${readme.slice(0, start + open.length)}\n${body}\n${readme.slice(end)}`;
}

/** Rewrites every store's table for which a result file exists; returns the stores rewritten. */
export function updateReadme(): string[] {
  let readme = readFileSync(README, 'utf8');
  const done: string[] = [];
  for (const store of STORES) {
    const file = join(import.meta.dirname, 'results', `scim-${store}.json`);
    if (!existsSync(file)) continue;
    const result = JSON.parse(readFileSync(file, 'utf8')) as ScimBenchResult;
    try {
      readme = replaceBlock(readme, store, table(result));
      done.push(store);
    } catch (error) {
      // A result written by an older bench may lack a field: its table stays as it was.
      console.error(`bench/README.md: ${file} could not be rendered (${String(error)}); rerun that store`);
    }
  }
  writeFileSync(README, readme);
  return done;
}

if (process.argv[1] === import.meta.filename) {
  console.log(`bench/README.md: tables rewritten for ${updateReadme().join(', ') || 'no store (no results yet)'}`);
}
