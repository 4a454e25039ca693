import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, test } from 'node:test';
import type { Config } from '../../src/config.js';
import { warnIfOriginUnpinned } from '../../src/http/origin-warning.js';
import { spawnService } from '../helpers/service-process.js';
import { newTenant, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** A create through node:http, which (unlike fetch) lets the test send any Host header. */
function createVia(
  origin: string,
  token: string,
  headers: Record<string, string>,
  userName: string,
): Promise<{ status: number; location: string }> {
  const body = JSON.stringify({ schemas: [USER], userName });
  return new Promise((resolve, reject) => {
    const req = request(
      `${origin}/scim/v2/Users`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/scim+json',
          'content-length': String(Buffer.byteLength(body)),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => {
          const parsed = JSON.parse(text);
          resolve({ status: res.statusCode ?? 0, location: parsed.meta?.location ?? text });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const FORWARDED = { host: 'internal:8080', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'scim.example.com' };

const backend = testStores()[0];
describe('meta.location behind a proxy', { skip: backend === undefined ? 'no store' : false }, () => {
  const cases: Array<[string, Partial<Config>, RegExp]> = [
    // The default: X-Forwarded-* is anybody's to send, so it is ignored and the Host header rules.
    [
      'TRUST_PROXY off, no PUBLIC_URL: the Host header, X-Forwarded-* ignored',
      {},
      /^http:\/\/internal:8080\/scim\/v2\/Users\//,
    ],
    [
      'TRUST_PROXY naming the proxy (loopback here): scheme and host as the proxy forwarded them',
      { trustProxy: ['127.0.0.1'] },
      /^https:\/\/scim\.example\.com\/scim\/v2\/Users\//,
    ],
    ['TRUST_PROXY as a hop count', { trustProxy: 1 }, /^https:\/\/scim\.example\.com\/scim\/v2\/Users\//],
    [
      'TRUST_PROXY naming another address: this peer is not believed',
      { trustProxy: ['10.9.9.9'] },
      /^http:\/\/internal:8080\/scim\/v2\/Users\//,
    ],
    [
      'PUBLIC_URL wins over both',
      { publicUrl: 'https://public.example.com/p', trustProxy: ['127.0.0.1'] },
      /^https:\/\/public\.example\.com\/p\/scim\/v2\/Users\//,
    ],
  ];
  for (const [name, config, expected] of cases) {
    test(name, async () => {
      if (!backend) return;
      const server = await startServer(backend, { config });
      try {
        const { token } = await newTenant(server.services);
        const res = await createVia(server.origin, token, FORWARDED, 'proxied@x.com');
        assert.equal(res.status, 201);
        assert.match(res.location, expected);
      } finally {
        await server.close();
      }
    });
  }
});

describe('the start-up warning when the public origin is left to each request', () => {
  test('warnIfOriginUnpinned: only beyond loopback with neither PUBLIC_URL nor TRUST_PROXY', () => {
    const warned = (config: Pick<Config, 'host' | 'publicUrl' | 'trustProxy'>) => {
      const lines: string[] = [];
      warnIfOriginUnpinned({ warn: (_o: unknown, msg?: string) => lines.push(String(msg)) } as never, config);
      return lines;
    };
    assert.equal(warned({ host: '0.0.0.0', publicUrl: undefined, trustProxy: false }).length, 1);
    assert.equal(warned({ host: '::', publicUrl: undefined, trustProxy: false }).length, 1);
    assert.equal(warned({ host: '10.0.0.4', publicUrl: undefined, trustProxy: false }).length, 1);
    assert.equal(warned({ host: '127.0.0.1', publicUrl: undefined, trustProxy: false }).length, 0);
    assert.equal(warned({ host: 'localhost', publicUrl: undefined, trustProxy: false }).length, 0);
    assert.equal(warned({ host: '::1', publicUrl: undefined, trustProxy: false }).length, 0);
    assert.equal(warned({ host: '0.0.0.0', publicUrl: 'https://scim.example.com', trustProxy: false }).length, 0);
    assert.equal(warned({ host: '0.0.0.0', publicUrl: undefined, trustProxy: ['10.0.0.1'] }).length, 0);
  });

  /** The server's log lines from its start to its exit (SIGTERM once it is listening), from a real process. */
  async function startupLog(env: Record<string, string>): Promise<readonly Record<string, unknown>[]> {
    const service = await spawnService({ databaseUrl: 'sqlite::memory:', logs: true, env, readyWhen: 'listening' });
    await service.stop();
    return service.lines;
  }

  test('HOST=0.0.0.0 without PUBLIC_URL or TRUST_PROXY: one warning saying what follows the Host header and what to set', async () => {
    const lines = await startupLog({ HOST: '0.0.0.0' });
    const warnings = lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('PUBLIC_URL is not set'));
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.level, 40);
    assert.match(String(warnings[0]?.msg), /meta\.location .*Host header.*set PUBLIC_URL=https:\/\/.*TRUST_PROXY/);
  });

  test('with PUBLIC_URL set: no warning', async () => {
    const lines = await startupLog({ HOST: '0.0.0.0', PUBLIC_URL: 'https://scim.example.com' });
    assert.equal(lines.filter((l) => String(l.msg).startsWith('PUBLIC_URL is not set')).length, 0);
    assert.ok(lines.some((l) => l.msg === 'parallel-scim listening'));
  });
});
