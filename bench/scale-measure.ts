/**
 * The measurements of bench/scale.ts against a running service: lookups under bounded autocannon
 * load, and requests timed one at a time (deep list pages, one-member PATCHes) for p50/p99.
 */
import { readFileSync } from 'node:fs';
import { type LoadResult, load } from './support.js';

export interface Timed {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly n: number;
}

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export function percentiles(values: readonly number[]): Timed {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  const round = (x: number) => Math.round(x * 100) / 100;
  return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted.at(-1) ?? 0), n: sorted.length };
}

/** One request, timed from send to the last byte; a status other than `expected` ends the bench. */
export async function timeRequest(
  url: string,
  init: RequestInit,
  expected: number,
): Promise<{ ms: number; body: string }> {
  const t0 = performance.now();
  const res = await fetch(url, init);
  const body = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== expected) throw new Error(`${init.method ?? 'GET'} ${url} answered ${res.status}: ${body}`);
  return { ms, body };
}

/** A lookup under load: `connections` clients for `seconds`; a non-2xx answer ends the bench. */
export async function lookup(
  url: string,
  headers: Record<string, string>,
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  const result = await load({ url, connections, seconds, headers });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors under load`);
  }
  return result;
}

/**
 * The page of `count` users at `startIndex`, `rounds` times: the first request alone (nothing
 * remembered about that position yet), then the repeats.
 */
export async function deepPage(
  base: string,
  headers: Record<string, string>,
  startIndex: number,
  count: number,
  rounds: number,
): Promise<{ first: number; repeat: Timed; returned: number; total: number }> {
  const url = `${base}/Users?startIndex=${startIndex}&count=${count}`;
  const first = await timeRequest(url, { headers }, 200);
  const page = JSON.parse(first.body) as { totalResults: number; Resources?: unknown[] };
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) times.push((await timeRequest(url, { headers }, 200)).ms);
  return {
    first: first.ms,
    repeat: percentiles(times),
    returned: page.Resources?.length ?? 0,
    total: page.totalResults,
  };
}

/** Consecutive pages from `startIndex` on, as an IdP pages through a list: each page once. */
export async function walkPages(
  base: string,
  headers: Record<string, string>,
  startIndex: number,
  count: number,
  pages: number,
): Promise<Timed> {
  const times: number[] = [];
  for (let i = 0; i < pages; i++) {
    const url = `${base}/Users?startIndex=${startIndex + i * count}&count=${count}`;
    times.push((await timeRequest(url, { headers }, 200)).ms);
  }
  return percentiles(times);
}

/**
 * One-member PATCHes on a team: remove each of `memberIds` and add it back, one request at a
 * time, so the team keeps its size and every request changes exactly one membership.
 */
export async function memberPatches(
  base: string,
  headers: Record<string, string>,
  teamId: string,
  memberIds: readonly string[],
): Promise<{ add: Timed; remove: Timed }> {
  const url = `${base}/Groups/${teamId}`;
  const patch = (operation: object) =>
    timeRequest(
      url,
      { method: 'PATCH', headers, body: JSON.stringify({ schemas: [PATCH_OP], Operations: [operation] }) },
      204,
    );
  const add: number[] = [];
  const remove: number[] = [];
  for (const id of memberIds) {
    remove.push((await patch({ op: 'remove', path: `members[value eq "${id}"]` })).ms);
    add.push((await patch({ op: 'add', path: 'members', value: [{ value: id }] })).ms);
  }
  return { add: percentiles(add), remove: percentiles(remove) };
}

/** Peak and current resident set of a process, in MiB (Linux /proc). */
export function memoryOf(pid: number): { peakMiB: number; currentMiB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { peakMiB: Math.round(kib('VmHWM') / 1024), currentMiB: Math.round(kib('VmRSS') / 1024) };
  } catch {
    return undefined;
  }
}
