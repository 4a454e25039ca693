/**
 * What bench/scale.ts prints and keeps: a table per run, bench/results/scale-<store>.json, and
 * its own section of bench/README.md between the markers below (the rest of that file belongs to
 * `npm run bench`).
 */
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Timed } from './scale-measure.js';
import type { LoadResult } from './support.js';

export interface SizeResult {
  readonly users: number;
  readonly seedSeconds: number;
  readonly ceiling: LoadResult;
  readonly lookups: Readonly<Record<string, LoadResult>>;
  readonly deepPage: { readonly startIndex: number; readonly first: number; readonly repeat: Timed };
  readonly walk: { readonly startIndex: number; readonly pages: Timed };
  readonly patches: Readonly<Record<string, { add: Timed; remove: Timed }>>;
  readonly memory: { peakMiB: number; currentMiB: number } | undefined;
}

export interface ScaleRun {
  readonly measuredAt: string;
  readonly store: string;
  readonly commit: string;
  readonly machine: { cpus: number; model: string; memoryGiB: number; node: string };
  readonly how: string;
  readonly sizes: readonly SizeResult[];
}

export function machine(): ScaleRun['machine'] {
  return {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

export function gitCommit(): string {
  try {
    const head = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
    const dirty = execSync('git status --porcelain', { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return 'unknown';
  }
}

const pct = (rps: number, ceiling: number) => `${((100 * rps) / ceiling).toFixed(1)} %`;

/** The run as Markdown tables: one row per lookup and size, then pages, PATCHes and memory. */
export function markdown(run: ScaleRun): string {
  const lines: string[] = [];
  const sizes = run.sizes;
  const head = (cols: string[]) => [`| ${cols.join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`];
  lines.push(
    `${run.store}, ${run.measuredAt.slice(0, 10)}, commit ${run.commit}, ${run.machine.cpus} × ${run.machine.model}, Node ${run.machine.node}. ${run.how}`,
    '',
  );
  lines.push(
    ...head([
      'lookup (req/s, % of bare node:http, p50/p99 ms)',
      ...sizes.map((s) => `${s.users.toLocaleString('en')} users`),
    ]),
  );
  const names = Object.keys(sizes[0]?.lookups ?? {});
  for (const name of names) {
    const cells = sizes.map((s) => {
      const r = s.lookups[name];
      return r
        ? `${Math.round(r.requestsPerSecond)} (${pct(r.requestsPerSecond, s.ceiling.requestsPerSecond)}) ${r.p50}/${r.p99}`
        : '-';
    });
    lines.push(`| ${name} | ${cells.join(' | ')} |`);
  }
  lines.push(
    `| bare node:http (ceiling) | ${sizes.map((s) => `${Math.round(s.ceiling.requestsPerSecond)}`).join(' | ')} |`,
  );
  lines.push('');
  lines.push(...head(['one request at a time (ms)', ...sizes.map((s) => `${s.users.toLocaleString('en')} users`)]));
  lines.push(
    `| 100 users at startIndex 0.9·N+1, first request | ${sizes.map((s) => s.deepPage.first.toFixed(1)).join(' | ')} |`,
    `| same page repeated, p50 / p99 | ${sizes.map((s) => `${s.deepPage.repeat.p50} / ${s.deepPage.repeat.p99}`).join(' | ')} |`,
    `| consecutive pages of 100 from 0.5·N+1, p50 / p99 | ${sizes.map((s) => `${s.walk.pages.p50} / ${s.walk.pages.p99}`).join(' | ')} |`,
  );
  const teams = [...new Set(sizes.flatMap((s) => Object.keys(s.patches)))];
  for (const team of teams) {
    for (const op of ['add', 'remove'] as const) {
      const cells = sizes.map((s) => {
        const t = s.patches[team]?.[op];
        return t ? `${t.p50} / ${t.p99}` : '-';
      });
      lines.push(`| PATCH ${op} one member, team of ${team}, p50 / p99 | ${cells.join(' | ')} |`);
    }
  }
  lines.push(
    `| service peak RSS (VmHWM, MiB) | ${sizes.map((s) => (s.memory ? String(s.memory.peakMiB) : '-')).join(' | ')} |`,
    `| seeding to this size (s) | ${sizes.map((s) => s.seedSeconds.toFixed(0)).join(' | ')} |`,
  );
  return lines.join('\n');
}

const BEGIN = '<!-- scale:begin (bench/scale.ts writes this section) -->';
const END = '<!-- scale:end -->';

/** Writes the JSON and replaces this store's part of the README section (the other store's stays). */
export function keep(run: ScaleRun): string {
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `scale-${run.store}.json`);
  writeFileSync(file, `${JSON.stringify(run, null, 2)}\n`);
  const readme = join(import.meta.dirname, 'README.md');
  const text = existsSync(readme) ? readFileSync(readme, 'utf8') : '';
  const storeBegin = `<!-- scale:${run.store} -->`;
  const storeEnd = `<!-- /scale:${run.store} -->`;
  const part = `${storeBegin}\n${markdown(run)}\n${storeEnd}`;
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  let section: string;
  if (start >= 0 && end > start) {
    const inner = text.slice(start + BEGIN.length, end);
    const s = inner.indexOf(storeBegin);
    const e = inner.indexOf(storeEnd);
    section =
      s >= 0 && e > s ? inner.slice(0, s) + part + inner.slice(e + storeEnd.length) : `${inner.trimEnd()}\n\n${part}\n`;
    writeFileSync(readme, text.slice(0, start) + BEGIN + section + text.slice(end));
  } else {
    section = `\n## Scale: one organization at 10,000 / 100,000 / 1,000,000 users (\`npm run bench:scale\`)\n\n${SECTION_INTRO}\n\n${part}\n`;
    writeFileSync(readme, `${text.trimEnd()}${text === '' ? '' : '\n\n'}${BEGIN}${section}${END}\n`);
  }
  return file;
}

const SECTION_INTRO = `Users are seeded straight through the store's insert methods (the rows a SCIM create writes, without its log entry and event), then the service runs in its own process on that database and is measured at each size: lookups under autocannon (10 connections), list pages and one-member PATCHes one request at a time over loopback. Throughput is also given as a share of a bare node:http server measured in the same run, since this machine is shared. \`BENCH_SIZES\`, \`BENCH_SECONDS\`, \`BENCH_ROUNDS\`, \`BENCH_STORE=postgres\` change the run; see the head of bench/scale.ts.`;
