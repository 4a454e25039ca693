import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { MAX_BODY_DEPTH, MAX_OBJECT_KEYS } from '../scim/limits.js';
import { ScimError } from '../scim/scim-error.js';
import { registerJsonParsers } from './content-types.js';

/*
 * The body scan of the JSON parser, through a bare Fastify instance whose error handler shows the
 * whole ScimError (the SCIM error body leaves out the stable code this suite pins).
 */

let app: FastifyInstance;
before(async () => {
  app = Fastify();
  registerJsonParsers(app, 4 * 1024 * 1024);
  app.setErrorHandler((error, _request, reply) => {
    if (!(error instanceof ScimError)) return reply.code(500).send({ unexpected: String(error) });
    return reply
      .code(error.status)
      .send({ status: error.status, scimType: error.scimType, code: error.code, detail: error.detail });
  });
  app.post('/echo', async (request) => ({ received: request.body !== undefined }));
  await app.ready();
});
after(async () => {
  await app.close();
});

async function post(payload: string): Promise<{ statusCode: number; body: unknown }> {
  const res = await app.inject({
    method: 'POST',
    url: '/echo',
    headers: { 'content-type': 'application/scim+json' },
    payload,
  });
  return { statusCode: res.statusCode, body: res.json() };
}

const accepted = { statusCode: 200, body: { received: true } };
const arrays = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const objects = (levels: number): string => `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
const objectWithKeys = (count: number): string =>
  JSON.stringify(Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, i])));

describe('request body nesting', () => {
  test(`${MAX_BODY_DEPTH} levels of arrays are accepted`, async () => {
    assert.deepEqual(await post(arrays(MAX_BODY_DEPTH)), accepted);
  });

  test(`${MAX_BODY_DEPTH + 1} levels of arrays are 400 request.tooDeep at the container that crosses the limit`, async () => {
    assert.deepEqual(await post(arrays(MAX_BODY_DEPTH + 1)), {
      statusCode: 400,
      body: {
        status: 400,
        scimType: 'invalidSyntax',
        code: 'request.tooDeep',
        detail: `The request body nests objects and arrays more than 32 levels deep at $${'[0]'.repeat(32)}; the limit is 32`,
      },
    });
  });

  test(`${MAX_BODY_DEPTH} levels of objects are accepted, ${MAX_BODY_DEPTH + 1} are not`, async () => {
    assert.deepEqual(await post(objects(MAX_BODY_DEPTH)), accepted);
    assert.deepEqual(await post(objects(MAX_BODY_DEPTH + 1)), {
      statusCode: 400,
      body: {
        status: 400,
        scimType: 'invalidSyntax',
        code: 'request.tooDeep',
        detail: `The request body nests objects and arrays more than 32 levels deep at $${'.a'.repeat(32)}; the limit is 32`,
      },
    });
  });

  test('a PATCH value nested 5,000 levels deep is refused before any SCIM code walks it', async () => {
    let value = '"x"';
    for (let i = 0; i < 5000; i++) value = `{"a":${value}}`;
    const body = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"emails","value":${value}}]}`;
    assert.deepEqual(await post(body), {
      statusCode: 400,
      body: {
        status: 400,
        scimType: 'invalidSyntax',
        code: 'request.tooDeep',
        detail: `The request body nests objects and arrays more than 32 levels deep at $.Operations[0].value${'.a'.repeat(29)}; the limit is 32`,
      },
    });
  });

  test('100,000 levels (which JSON.parse accepts) are refused the same way', async () => {
    const res = await post(arrays(100_000));
    assert.equal(res.statusCode, 400);
    assert.equal((res.body as { code: string }).code, 'request.tooDeep');
  });
});

describe('keys per object', () => {
  test(`${MAX_OBJECT_KEYS} keys in one object are accepted`, async () => {
    assert.deepEqual(await post(objectWithKeys(MAX_OBJECT_KEYS)), accepted);
  });

  test(`${MAX_OBJECT_KEYS + 1} keys are 400 request.tooManyKeys naming the object`, async () => {
    assert.deepEqual(await post(objectWithKeys(MAX_OBJECT_KEYS + 1)), {
      statusCode: 400,
      body: {
        status: 400,
        scimType: 'invalidSyntax',
        code: 'request.tooManyKeys',
        detail: 'The object at $ has 1001 keys; the limit is 1000 keys per object',
      },
    });
    const nested = `{"userName":"a","name":${objectWithKeys(30_000)}}`;
    assert.deepEqual(await post(nested), {
      statusCode: 400,
      body: {
        status: 400,
        scimType: 'invalidSyntax',
        code: 'request.tooManyKeys',
        detail: 'The object at $.name has 30000 keys; the limit is 1000 keys per object',
      },
    });
  });

  test('30,000 schemas entries and 30,000 unknown keys: a clean 400 from the scan', async () => {
    const body: Record<string, unknown> = {
      schemas: Array.from({ length: 30_000 }, (_, i) => `urn:example:${i}`),
      userName: 'a@example.com',
    };
    for (let i = 0; i < 30_000; i++) body[`urn:example:${i}:x`] = i;
    const res = await post(JSON.stringify(body));
    assert.deepEqual(res, {
      statusCode: 400,
      body: {
        status: 400,
        scimType: 'invalidSyntax',
        code: 'request.tooManyKeys',
        detail: 'The object at $ has 30002 keys; the limit is 1000 keys per object',
      },
    });
  });
});

describe('NUL characters', () => {
  test('in a string value, named by its JSON path', async () => {
    assert.deepEqual(await post('{"name":{"givenName":"a\\u0000"},"emails":[{"value":"x"}]}'), {
      statusCode: 400,
      body: {
        status: 400,
        scimType: 'invalidValue',
        code: 'request.nul',
        detail: 'The value at $.name.givenName contains a NUL character (\\u0000), which cannot be stored',
      },
    });
    assert.deepEqual(await post('{"emails":[{"value":"x"},{"value":"\\u0000"}]}'), {
      statusCode: 400,
      body: {
        status: 400,
        scimType: 'invalidValue',
        code: 'request.nul',
        detail: 'The value at $.emails[1].value contains a NUL character (\\u0000), which cannot be stored',
      },
    });
  });

  test('in a key; a long key is shortened in the path', async () => {
    const key = `${'k'.repeat(100)}\\u0000`;
    assert.deepEqual(await post(`{"a":{"${key}":1}}`), {
      statusCode: 400,
      body: {
        status: 400,
        scimType: 'invalidValue',
        code: 'request.nul',
        detail: `The value at $.a.${'k'.repeat(64)}... contains a NUL character (\\u0000), which cannot be stored`,
      },
    });
  });

  test('the first problem in document order is the one reported', async () => {
    const res = await post(`{"a":"\\u0000","b":${arrays(40)}}`);
    assert.equal((res.body as { code: string }).code, 'request.nul');
  });
});
