import assert from 'node:assert/strict';
import { get } from 'node:http';
import { describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { LIST_RESPONSE_SCHEMA } from '../scim/list-request.js';
import { listResponseBody, type ResourceText, sendListResponse } from './list-stream.js';

async function text(body: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const piece of body) out += piece;
  return out;
}

/** A source of `n` resources of `size` bytes each that records how far it was read and closed. */
function source(n: number, size: number) {
  const state = { pulled: 0, closed: false };
  async function* resources(): AsyncGenerator<string> {
    try {
      for (let i = 0; i < n; i++) {
        state.pulled++;
        yield JSON.stringify({ id: String(i), pad: 'x'.repeat(Math.max(0, size - 20 - String(i).length)) });
      }
    } finally {
      state.closed = true;
    }
  }
  return { state, resources: resources() };
}

describe('listResponseBody', () => {
  test('an empty page is a whole ListResponse, itemsPerPage last', async () => {
    const body = await text(listResponseBody({ totalResults: 0, startIndex: 1 }, source(0, 0).resources, 1000));
    assert.equal(
      body,
      `{"schemas":["${LIST_RESPONSE_SCHEMA}"],"totalResults":0,"startIndex":1,"Resources":[],"itemsPerPage":0}`,
    );
  });

  test('resources stop once their bytes reach the budget, and the next one is never read', async () => {
    const { state, resources } = source(10, 100);
    const body = JSON.parse(await text(listResponseBody({ totalResults: 10, startIndex: 1 }, resources, 250)));
    // 100 + 101 bytes are under 250, the third brings 302: three sent, a fourth not even read.
    assert.deepEqual(
      body.Resources.map((r: { id: string }) => r.id),
      ['0', '1', '2'],
    );
    assert.equal(body.itemsPerPage, 3);
    assert.equal(body.totalResults, 10);
    assert.equal(state.pulled, 3);
    assert.equal(state.closed, true);
  });

  test('the first resource is sent even when it alone is over the budget', async () => {
    const { resources } = source(5, 500);
    const body = JSON.parse(await text(listResponseBody({ totalResults: 5, startIndex: 3 }, resources, 100)));
    assert.equal(body.itemsPerPage, 1);
    assert.equal(body.startIndex, 3);
    assert.equal(body.Resources.length, 1);
  });

  test('a resource in pieces is finished before the budget is checked', async () => {
    async function* group(id: string): AsyncGenerator<string> {
      yield `{"id":"${id}","members":[`;
      for (let i = 0; i < 20; i++) yield `${i > 0 ? ',' : ''}{"value":"m${i}"}`;
      yield ']}';
    }
    async function* groups(): AsyncGenerator<ResourceText> {
      yield group('a');
      yield group('b');
    }
    const body = JSON.parse(await text(listResponseBody({ totalResults: 2, startIndex: 1 }, groups(), 50)));
    assert.equal(body.itemsPerPage, 1);
    assert.equal(body.Resources[0].members.length, 20);
  });
});

describe('sendListResponse over HTTP', () => {
  async function serve(
    resources: () => AsyncIterable<ResourceText>,
  ): Promise<{ app: FastifyInstance; url: string; logs: Record<string, unknown>[] }> {
    const logs: Record<string, unknown>[] = [];
    const app = Fastify({
      logger: { level: 'info', stream: { write: (line: string) => logs.push(JSON.parse(line)) } },
    });
    app.get('/list', (request, reply) =>
      sendListResponse(request, reply, { totalResults: 1000, startIndex: 1 }, resources(), 1 << 30),
    );
    app.get('/ok', async () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return { app, url: `http://127.0.0.1:${address.port}`, logs };
  }

  test('a failure after the head destroys the connection and is logged once with the request id', async () => {
    async function* failing(): AsyncGenerator<string> {
      yield '{"id":"1"}';
      yield '{"id":"2"}';
      // As a later chunk's store read: the head and the first resources have left by then.
      await new Promise((resolve) => setTimeout(resolve, 50));
      throw new Error('connection to the database lost');
    }
    const { app, url, logs } = await serve(failing);
    try {
      const response = await fetch(`${url}/list`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-length'), null);
      await assert.rejects(response.text());
      const errors = logs.filter((l) => (l.level as number) >= 50);
      assert.equal(errors.length, 1, JSON.stringify(logs));
      assert.equal(typeof errors[0]?.reqId, 'string');
      assert.match(JSON.stringify(errors[0]?.err), /connection to the database lost/);
      // The process and the server are fine.
      assert.equal((await fetch(`${url}/ok`)).status, 200);
    } finally {
      await app.close();
    }
  });

  test('a client that disconnects stops the reading', async () => {
    const state = { pulled: 0, closed: false };
    async function* endless(): AsyncGenerator<string> {
      try {
        for (;;) {
          state.pulled++;
          await new Promise((resolve) => setImmediate(resolve));
          yield JSON.stringify({ id: String(state.pulled), pad: 'x'.repeat(1000) });
        }
      } finally {
        state.closed = true;
      }
    }
    const { app, url } = await serve(endless);
    try {
      await new Promise<void>((resolve, reject) => {
        const request = get(`${url}/list`, (response) => {
          response.once('data', () => {
            request.destroy();
            resolve();
          });
        });
        request.on('error', () => {});
        request.on('close', resolve);
        setTimeout(() => reject(new Error('no data')), 5000).unref();
      });
      // Up to 10 s: the close reaches the stream within a turn or two, later on a loaded machine.
      for (let i = 0; i < 1000 && !state.closed; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(state.closed, true);
      const pulled = state.pulled;
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(state.pulled, pulled);
    } finally {
      await app.close();
    }
  });
});
