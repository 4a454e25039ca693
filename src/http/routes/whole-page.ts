import type { FastifyReply } from 'fastify';
import { type ListHead, listResponseBody } from '../list-stream.js';
import { SCIM_CONTENT_TYPE } from '../scim-error-body.js';

/*
 * A ListResponse whose page the service's first read already holds whole (`planned` rows or fewer
 * in the first chunk): every IdP lookup by userName or externalId, a Test connection's miss, a
 * team by displayName. It is sent as one string with a Content-Length rather than as a chunked
 * stream of pieces, which cost a stream, a write per piece and the chunk framing per request.
 * The text is what list-stream.ts writes, by the same generator run over the page in memory, so
 * the two ways cannot differ; a page that needs more reads is streamed as before.
 */

/** The page whole (`whole`), or its chunks to stream (`chunks`, the first one included). */
export type OpenedPage<T> =
  | { readonly whole: readonly T[]; readonly chunks: AsyncIterable<readonly T[]> }
  | { readonly whole?: undefined; readonly chunks: AsyncIterable<readonly T[]> };

/** Takes the first chunk, which the service has read already (no store read happens here). */
export async function openPage<T>(page: {
  readonly planned: number;
  readonly chunks: AsyncGenerator<readonly T[]>;
}): Promise<OpenedPage<T>> {
  const first = await page.chunks.next();
  const items = first.done ? [] : first.value;
  if (first.done || items.length >= page.planned) {
    await page.chunks.return(undefined);
    return { whole: items, chunks: empty() };
  }
  const rest = page.chunks;
  async function* chunks(): AsyncGenerator<readonly T[]> {
    yield items;
    // yield* passes an early return on, which ends the store reads as the stream's end does.
    yield* rest;
  }
  return { chunks: chunks() };
}

async function* empty<T>(): AsyncGenerator<readonly T[]> {}

/** Sends the ListResponse of a page held whole, each resource's text given in its pieces. */
export async function sendWholePage(
  reply: FastifyReply,
  head: ListHead,
  resources: readonly (string | AsyncIterable<string>)[],
  maxBytes: number,
): Promise<FastifyReply> {
  async function* each(): AsyncGenerator<string | AsyncIterable<string>> {
    yield* resources;
  }
  let text = '';
  for await (const piece of listResponseBody(head, each(), maxBytes)) text += piece;
  return reply.type(SCIM_CONTENT_TYPE).send(text);
}
