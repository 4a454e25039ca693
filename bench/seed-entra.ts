/**
 * The directory the scenarios run against, written through SCIM as Entra's initial cycle writes
 * it: for each user a lookup by the matching attribute (externalId, a miss), then the create;
 * then each group looked up, created, and filled by PATCH add of members in chunks. The user
 * phase is also the "whole Entra cycle" figure.
 */
import {
  addMembersBody,
  createGroupBody,
  createUserBody,
  type EntraPerson,
  filterPath,
  objectId,
  person,
} from './entra-shapes.js';
import type { ScimClient } from './scim-client.js';

export interface SeededUser extends EntraPerson {
  readonly id: string;
}

export interface SeededTeam {
  readonly id: string;
  readonly displayName: string;
  readonly members: number;
}

export interface Latency {
  readonly p50: number;
  readonly p99: number;
}

/** The attribute Entra looks a user up by before creating it: its matching attribute. */
export type MatchAttribute = 'externalId' | 'userName';

export interface CycleFigures {
  readonly users: number;
  readonly matchAttribute: MatchAttribute;
  readonly concurrency: number;
  readonly seconds: number;
  readonly usersPerSecond: number;
  readonly requestsPerSecond: number;
  readonly lookup: Latency;
  readonly create: Latency;
}

export interface TeamFigures {
  readonly teams: readonly SeededTeam[];
  readonly memberChunk: number;
  readonly patches: number;
  readonly seconds: number;
  readonly membersPerSecond: number;
}

/** Nearest-rank percentile of `values` (milliseconds, two decimals). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round((sorted[rank] as number) * 100) / 100;
}

const latency = (values: readonly number[]): Latency => ({ p50: percentile(values, 50), p99: percentile(values, 99) });

/**
 * `count` users from `concurrency` workers, each user a miss-then-create pair as Entra sends it.
 * SPEC's mapping matches users by externalId (the fixtures' "query by matching attribute"); Entra's
 * default mapping for a new app matches by userName, which `match` selects.
 */
export async function seedEntraCycle(
  client: ScimClient,
  run: string,
  count: number,
  concurrency: number,
  match: MatchAttribute = 'externalId',
): Promise<{ users: SeededUser[]; figures: CycleFigures }> {
  const users: SeededUser[] = new Array(count);
  const lookups: number[] = [];
  const creates: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const who = person(run, i);
      const miss = await client.expect(200, {
        method: 'GET',
        path: filterPath('Users', `${match} eq "${who[match]}"`),
      });
      if ((miss.body as { totalResults: number }).totalResults !== 0) throw new Error(`${who[match]} exists`);
      lookups.push(miss.ms);
      const created = await client.expect(201, {
        method: 'POST',
        path: '/scim/v2/Users',
        body: createUserBody(who, i),
      });
      creates.push(created.ms);
      users[i] = { ...who, id: (created.body as { id: string }).id };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return {
    users,
    figures: {
      users: count,
      matchAttribute: match,
      concurrency,
      seconds: round(seconds),
      usersPerSecond: round(count / seconds),
      requestsPerSecond: round((2 * count) / seconds),
      lookup: latency(lookups),
      create: latency(creates),
    },
  };
}

/** Each `[displayName, size]` team: lookup (a miss), create, then members[0..size) in chunks. */
export async function seedTeams(
  client: ScimClient,
  run: string,
  users: readonly SeededUser[],
  teams: readonly (readonly [string, number])[],
  chunk: number,
): Promise<TeamFigures> {
  const seeded: SeededTeam[] = [];
  let patches = 0;
  let members = 0;
  const started = performance.now();
  for (const [index, [displayName, size]] of teams.entries()) {
    const externalId = objectId(run, 0xf0000000 + index);
    await client.expect(200, {
      method: 'GET',
      path: filterPath('Groups', `externalId eq "${externalId}"`, 'excludedAttributes=members&'),
    });
    const created = await client.expect(201, {
      method: 'POST',
      path: '/scim/v2/Groups',
      body: createGroupBody(externalId, displayName),
    });
    const id = (created.body as { id: string }).id;
    for (let offset = 0; offset < size; offset += chunk) {
      const ids = users.slice(offset, Math.min(size, offset + chunk)).map((u) => u.id);
      await client.expect(204, { method: 'PATCH', path: `/scim/v2/Groups/${id}`, body: addMembersBody(ids) });
      patches++;
      members += ids.length;
    }
    seeded.push({ id, displayName, members: size });
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    teams: seeded,
    memberChunk: chunk,
    patches,
    seconds: round(seconds),
    membersPerSecond: round(members / seconds),
  };
}

const round = (n: number) => Math.round(n * 100) / 100;
