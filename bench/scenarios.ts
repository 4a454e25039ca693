/**
 * The scenarios `npm run bench` loads, each as the autocannon requests every connection cycles
 * through, the one status every answer must have, and a probe: one request sent before the load
 * whose body is checked more closely (the hit found one resource, the miss none, the PATCH
 * changed what it said), since a status alone does not tell a hit from a miss.
 */
import { randomUUID } from 'node:crypto';
import type autocannon from 'autocannon';
import {
  addMemberBody,
  createUserBody,
  filterPath,
  legacyActiveBody,
  person,
  removeMemberBody,
  rfcActiveBody,
  SEARCH_REQUEST,
} from './entra-shapes.js';
import type { ScimClient, SentRequest } from './scim-client.js';
import type { SeededTeam, SeededUser } from './seed-entra.js';

export interface Scenario {
  readonly key: string;
  readonly label: string;
  /** Every answer of the load must have this status; anything else makes the row invalid. */
  readonly expect: number;
  /** A fresh request sequence for one autocannon run (warm-up and measurement get one each). */
  requests(): autocannon.Request[];
  /** Sends one request of the scenario and says what is wrong with its answer, if anything. */
  probe(client: ScimClient): Promise<string | undefined>;
}

export interface Directory {
  readonly run: string;
  readonly users: readonly SeededUser[];
  readonly small: SeededTeam;
  readonly big: SeededTeam;
  /** Users in neither team, added and removed again by the member scenarios. */
  readonly spare: readonly SeededUser[];
}

/** Distinct requests a static scenario cycles through (so no one row or cache line is all it reads). */
const DISTINCT = 1000;

type Verify = (body: unknown) => string | undefined;

interface ListBody {
  totalResults?: number;
  Resources?: Record<string, unknown>[];
}

const total =
  (expected: number): Verify =>
  (body) => {
    const found = (body as ListBody).totalResults;
    return found === expected ? undefined : `totalResults ${found}, expected ${expected}`;
  };

async function probeWith(client: ScimClient, req: SentRequest, expect: number, verify?: Verify) {
  const answer = await client.send(req);
  if (answer.status !== expect) return `probe answered ${answer.status}, expected ${expect}`;
  return verify?.(answer.body);
}

/** A scenario cycling through prebuilt requests (autocannon builds them once: no client cost per request). */
function fixed(key: string, label: string, expect: number, list: SentRequest[], verify?: Verify): Scenario {
  return {
    key,
    label,
    expect,
    requests: () => list.map((r) => ({ method: r.method, path: r.path, ...(r.body ? { body: r.body } : {}) })),
    probe: (client) => probeWith(client, list[0] as SentRequest, expect, verify),
  };
}

/** A scenario whose every request is new (a unique user, the next toggle), built as it is sent. */
function generated(
  key: string,
  label: string,
  expect: number,
  next: () => SentRequest & { verify?: Verify },
): Scenario {
  return {
    key,
    label,
    expect,
    requests: () => [{ setupRequest: (req) => ({ ...req, ...strip(next()) }) }],
    probe: (client) => {
      const req = next();
      return probeWith(client, req, expect, req.verify);
    },
  };
}

const strip = ({ method, path, body }: SentRequest): autocannon.Request => ({
  method,
  path,
  ...(body ? { body } : {}),
});

/** The first `n` of `items`, spread evenly over the whole list. */
function spread<T>(items: readonly T[], n: number): T[] {
  const step = Math.max(1, Math.floor(items.length / n));
  const out: T[] = [];
  for (let i = 0; i < items.length && out.length < n; i += step) out.push(items[i] as T);
  return out;
}

/**
 * `active` replaced on user after user, each time to the opposite of what it is, so every PATCH
 * changes something. Both dialects share the state: they take turns on the same users.
 */
function toggler(users: readonly SeededUser[]) {
  const active = users.map(() => true);
  let turn = 0;
  return (body: (value: boolean) => string) => () => {
    const i = turn++ % users.length;
    const value = !active[i];
    active[i] = value;
    const verify: Verify = (answer) =>
      (answer as { active?: unknown }).active === value ? undefined : `active is not ${value}`;
    return {
      method: 'PATCH' as const,
      path: `/scim/v2/Users/${(users[i] as SeededUser).id}`,
      body: body(value),
      verify,
    };
  };
}

/**
 * One member added, then the same one removed, on each connection in turn: the team's size stays
 * put. A user goes back to the free list only once its removal is answered, so no two connections
 * ever hold the same user.
 */
function memberChurn(key: string, label: string, team: SeededTeam, spare: readonly SeededUser[]): Scenario {
  const path = `/scim/v2/Groups/${team.id}`;
  type Held = { user?: SeededUser };
  return {
    key,
    label,
    expect: 204,
    requests() {
      const free = [...spare];
      return [
        {
          method: 'PATCH',
          path,
          setupRequest: (req, context) => {
            const user = free.shift();
            if (!user) throw new Error(`${key}: no free user left (raise the spare pool)`);
            (context as Held).user = user;
            return { ...req, body: addMemberBody(user.id) };
          },
        },
        {
          method: 'PATCH',
          path,
          setupRequest: (req, context) => ({ ...req, body: removeMemberBody((context as Held).user?.id ?? '') }),
          onResponse: (_status, _body, context) => {
            const user = (context as Held).user;
            if (user) free.push(user);
          },
        },
      ];
    },
    async probe(client) {
      const user = spare[spare.length - 1] as SeededUser;
      const added = await probeWith(client, { method: 'PATCH', path, body: addMemberBody(user.id) }, 204);
      return added ?? probeWith(client, { method: 'PATCH', path, body: removeMemberBody(user.id) }, 204);
    },
  };
}

export function scenarios(dir: Directory): Scenario[] {
  const sample = spread(dir.users, DISTINCT);
  let created = 0;
  const toggle = toggler(dir.users.slice(0, dir.users.length - dir.spare.length));
  const deep = Math.max(1, dir.users.length - 100);
  const misses = Array.from({ length: DISTINCT }, () => randomUUID());
  const lookup = (resource: 'Users' | 'Groups', filter: string, extra = ''): SentRequest => ({
    method: 'GET',
    path: filterPath(resource, filter, extra),
  });
  return [
    generated('create-user', 'create user (POST /Users, Entra body)', 201, () => {
      const i = created++;
      return { method: 'POST', path: '/scim/v2/Users', body: createUserBody(person(dir.run, 2 ** 40 + i, 'new'), i) };
    }),
    fixed(
      'get-by-id',
      'get user by id',
      200,
      sample.map((u) => ({ method: 'GET', path: `/scim/v2/Users/${u.id}` })),
      (body) => ((body as { id?: string }).id === sample[0]?.id ? undefined : 'another user answered'),
    ),
    fixed(
      'filter-external-id',
      'filter externalId eq (hit)',
      200,
      sample.map((u) => lookup('Users', `externalId eq "${u.externalId}"`)),
      total(1),
    ),
    fixed(
      'filter-username',
      'filter userName eq (hit)',
      200,
      sample.map((u) => lookup('Users', `userName eq "${u.userName}"`)),
      total(1),
    ),
    fixed(
      'filter-username-miss',
      'filter userName eq (miss: Test connection)',
      200,
      misses.map((guid) => lookup('Users', `userName eq "${guid}"`)),
      total(0),
    ),
    generated('patch-active-legacy', 'PATCH active, legacy ("Replace", "False")', 200, toggle(legacyActiveBody)),
    generated('patch-active-rfc', 'PATCH active, RFC (replace, false)', 200, toggle(rfcActiveBody)),
    memberChurn('member-small', `one member add/remove, team of ${dir.small.members}`, dir.small, dir.spare),
    memberChurn('member-big', `one member add/remove, team of ${dir.big.members}`, dir.big, dir.spare),
    fixed(
      'team-by-name',
      'team by displayName, excludedAttributes=members',
      200,
      [dir.big, dir.small].map((t) =>
        lookup('Groups', `displayName eq "${t.displayName}"`, 'excludedAttributes=members&'),
      ),
      (body) => {
        const page = body as ListBody;
        if (page.totalResults !== 1) return `totalResults ${page.totalResults}, expected 1`;
        return page.Resources?.[0] && 'members' in page.Resources[0] ? 'members were not excluded' : undefined;
      },
    ),
    fixed(
      'list-deep',
      `list 100 users at startIndex ${deep}`,
      200,
      [{ method: 'GET', path: `/scim/v2/Users?startIndex=${deep}&count=100` }],
      (body) => ((body as ListBody).Resources?.length === 100 ? undefined : 'the page does not hold 100 users'),
    ),
    fixed(
      'root-search',
      'POST /.search, externalId eq (hit)',
      200,
      sample.map((u) => ({
        method: 'POST',
        path: '/scim/v2/.search',
        body: JSON.stringify({ schemas: [SEARCH_REQUEST], filter: `externalId eq "${u.externalId}"`, count: 10 }),
      })),
      total(1),
    ),
  ];
}
