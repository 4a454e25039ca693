import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseDeleteMode } from '../../src/services/index.js';
import { mismatches } from '../helpers/match.js';
import { TEST_OPERATOR } from '../helpers/records.js';
import { newTenant, type RunningServer, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

/**
 * Replays every recorded IdP scenario under test/fixtures over real HTTP, once per store. Adding a
 * scenario is adding a JSON file; see test/fixtures/README.md for the format.
 */
interface Step {
  name: string;
  request: { method: string; path: string; headers?: Record<string, string>; body?: unknown };
  response: { status: number; headers?: Record<string, string>; body?: unknown };
  capture?: Record<string, string>;
}
interface Fixture {
  description: string;
  setup?: {
    /** retain | erase, or their old names deactivate | remove (both stay accepted). */
    deleteMode?: string;
    invitedUsers?: { email: string; givenName?: string; familyName?: string }[];
  };
  steps: Step[];
}

const fixturesDir = join(import.meta.dirname, '..', 'fixtures');
/** Every scenario directory; FIXTURE_DIRS=okta,okta-groups narrows a run while debugging. */
const ENABLED =
  process.env.FIXTURE_DIRS?.split(',') ??
  readdirSync(fixturesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

function substitute<T>(value: T, vars: Map<string, string>): T {
  const text = JSON.stringify(value);
  if (text === undefined) return value;
  const replaced = text.replace(/\$\{(\w+)\}/g, (_m, name: string) => {
    const v = vars.get(name);
    if (v === undefined) throw new Error(`fixture uses \${${name}} before capturing it`);
    return JSON.stringify(v).slice(1, -1);
  });
  return JSON.parse(replaced) as T;
}

function dig(body: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (v, key) => (v === null || typeof v !== 'object' ? undefined : (v as Record<string, unknown>)[key]),
      body,
    );
}

for (const backend of testStores()) {
  describe(`IdP fixtures on ${backend.name}`, () => {
    let server: RunningServer;
    before(async () => {
      server = await startServer(backend);
    });
    after(async () => {
      await server.close();
    });

    for (const dir of ENABLED) {
      const files = readdirSync(join(fixturesDir, dir))
        .filter((f) => f.endsWith('.json'))
        .sort();
      for (const file of files) {
        const fixture = JSON.parse(readFileSync(join(fixturesDir, dir, file), 'utf8')) as Fixture;
        test(`${dir}/${file}: ${fixture.description}`, async () => {
          const { orgId, token } = await newTenant(server.services, `${dir}/${file}`);
          if (fixture.setup?.deleteMode)
            await server.services.organizations.update(TEST_OPERATOR, orgId, {
              deleteMode: parseDeleteMode(fixture.setup.deleteMode),
            });
          for (const invited of fixture.setup?.invitedUsers ?? []) await server.services.users.invite(orgId, invited);
          const vars = new Map<string, string>();
          for (const [i, rawStep] of fixture.steps.entries()) {
            const step = substitute(rawStep, vars);
            const url = new URL(`${server.scimUrl}${step.request.path}`);
            const res = await scimRequest(url.href, {
              method: step.request.method,
              token,
              ...(step.request.headers ? { headers: step.request.headers } : {}),
              ...(step.request.body !== undefined ? { body: step.request.body } : {}),
            });
            const where = `step ${i + 1} "${step.name}" (${step.request.method} ${step.request.path})`;
            assert.equal(res.status, step.response.status, `${where}: status ${res.status}, body ${res.text}`);
            for (const [name, want] of Object.entries(step.response.headers ?? {})) {
              const have = res.headers.get(name) ?? '';
              assert.ok(have.includes(want), `${where}: header ${name} is "${have}", expected it to contain "${want}"`);
            }
            if (res.status === 204) assert.equal(res.text, '', `${where}: a 204 must have no body`);
            if (step.response.body !== undefined) {
              const problems = mismatches(step.response.body, res.body);
              assert.deepEqual(problems, [], `${where}:\n${problems.join('\n')}`);
            }
            for (const [name, path] of Object.entries(step.capture ?? {})) {
              const value = dig(res.body, path);
              assert.equal(
                typeof value,
                'string',
                `${where}: capture ${name} from ${path} found ${JSON.stringify(value)}`,
              );
              vars.set(name, value as string);
            }
          }
        });
      }
    }
  });
}
