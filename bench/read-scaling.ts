/**
 * PostgreSQL only: do reads scale with service instances? A second service process is started on
 * the same database; each read scenario is then loaded by two autocannon runs at once, both
 * against one instance, then one against each, then both against one again, with the same
 * connections every time, so only the number of service processes differs between the figures.
 */

import type { Scenario } from './scenarios.js';
import type { ReadScaling } from './scim-report.js';
import { type LoadResult, load, type Process, startService } from './support.js';

export interface ScalingOptions {
  readonly databaseUrl: string;
  readonly serviceEnv: Record<string, string>;
  readonly headers: Record<string, string>;
  readonly connections: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
}

export async function measureReadScaling(
  first: Process,
  reads: readonly Scenario[],
  options: ScalingOptions,
): Promise<ReadScaling> {
  const second = await startService(options.databaseUrl, options.serviceEnv);
  const run = (target: Process, scenario: Scenario, seconds: number) =>
    load({
      url: target.origin,
      connections: options.connections,
      seconds,
      headers: options.headers,
      requests: scenario.requests(),
    });
  const ok = (r: LoadResult, scenario: Scenario) =>
    r.errors === 0 && r.timeouts === 0 && Object.keys(r.statusCodes).every((c) => c === String(scenario.expect));
  try {
    const rows = [];
    for (const scenario of reads) {
      // The new process has served nothing yet: its JIT needs longer than the first one's did.
      await run(second, scenario, Math.max(3, 2 * options.warmupSeconds));
      const pair = (a: Process, b: Process) =>
        Promise.all([run(a, scenario, options.seconds), run(b, scenario, options.seconds)]);
      // One instance before and after two, so a drift of the shared machine shows and averages out.
      const before = await pair(first, first);
      const two = await pair(first, second);
      const after = await pair(first, first);
      const sum = (results: LoadResult[]) => results.reduce((n, r) => n + r.requestsPerSecond, 0);
      const one = (sum(before) + sum(after)) / 2;
      rows.push({
        scenario: scenario.label,
        oneInstance: Math.round(one),
        oneInstanceRuns: [Math.round(sum(before)), Math.round(sum(after))],
        twoInstances: Math.round(sum(two)),
        perInstance: two.map((r) => Math.round(r.requestsPerSecond)),
        speedup: sum(two) / Math.max(1, one),
        valid: [...before, ...two, ...after].every((r) => ok(r, scenario)),
      });
    }
    return {
      note: `two autocannon runs of ${options.connections} connections each, in this one process, for ${options.seconds} s: both against instance 1, then one against each instance, then both against instance 1 again (one instance = the mean of those two)`,
      rows,
    };
  } finally {
    await second.stop();
  }
}
