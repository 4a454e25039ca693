import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import Fastify, { type FastifyInstance } from 'fastify';
import { type ListHead, sendListResponse } from '../list-stream.js';
import { openPage, sendWholePage } from './whole-page.js';

/*
 * A page held whole is sent as one string (whole-page.ts); it must be the very text the chunked
 * stream writes, byte budget included, for any resources and budget. Both through a real Fastify.
 */

interface Case {
  readonly head: ListHead;
  readonly texts: readonly string[];
  readonly maxBytes: number;
}
let current: Case = { head: { totalResults: 0, startIndex: 1 }, texts: [], maxBytes: 1 };
let app: FastifyInstance;
before(async () => {
  app = Fastify();
  app.get('/whole', (_request, reply) => sendWholePage(reply, current.head, current.texts, current.maxBytes));
  app.get('/stream', (request, reply) => {
    async function* each(): AsyncGenerator<string> {
      yield* current.texts;
    }
    return sendListResponse(request, reply, current.head, each(), current.maxBytes);
  });
  await app.ready();
});
after(async () => {
  await app.close();
});

async function* chunked<T>(chunks: readonly (readonly T[])[], reads: { n: number }): AsyncGenerator<readonly T[]> {
  for (const chunk of chunks) {
    reads.n++;
    yield chunk;
  }
}

describe('whole-page', () => {
  test('the one string is the text the stream writes, with its length', async () => {
    const resource = fc.oneof(fc.json({ maxDepth: 2 }), fc.string({ unit: 'binary', maxLength: 40 }));
    await fc.assert(
      fc.asyncProperty(
        fc.array(resource, { maxLength: 8 }),
        fc.integer({ min: 1, max: 200 }),
        fc.nat(1000),
        async (texts, maxBytes, total) => {
          current = { head: { totalResults: total, startIndex: 1 + (total % 7) }, texts, maxBytes };
          const whole = await app.inject({ method: 'GET', url: '/whole' });
          const streamed = await app.inject({ method: 'GET', url: '/stream' });
          assert.equal(whole.body, streamed.body);
          assert.equal(whole.headers['content-type'], streamed.headers['content-type']);
          assert.equal(whole.headers['content-length'], String(Buffer.byteLength(whole.body)));
          assert.equal(streamed.headers['transfer-encoding'], 'chunked');
        },
      ),
      { numRuns: 300 },
    );
  });

  test('a page whose first chunk holds every planned row is whole, and nothing more is read', async () => {
    for (const [chunks, planned] of [
      [[['a', 'b']], 2],
      [[[]], 0],
      [[], 0],
    ] as const) {
      const reads = { n: 0 };
      const opened = await openPage({ planned, chunks: chunked<string>(chunks, reads) });
      assert.deepEqual(opened.whole, chunks[0] ?? []);
      assert.equal(reads.n, Math.min(1, chunks.length), 'only the chunk in hand');
    }
  });

  test('a longer page streams every chunk in order, the first one included', async () => {
    const reads = { n: 0 };
    const opened = await openPage({ planned: 5, chunks: chunked([['a', 'b'], ['c', 'd'], ['e']], reads) });
    assert.equal(opened.whole, undefined);
    assert.equal(reads.n, 1);
    const seen: string[] = [];
    for await (const chunk of opened.chunks) seen.push(...chunk);
    assert.deepEqual(seen, ['a', 'b', 'c', 'd', 'e']);
  });
});
