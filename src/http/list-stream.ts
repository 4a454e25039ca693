import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LIST_RESPONSE_SCHEMA, type ListLimits } from '../scim/list-request.js';
import { SCIM_CONTENT_TYPE } from './scim-error-body.js';

/** What the list routes bound: the RFC 7644 §3.4.2.4 page size, and the bytes of one page. */
export interface PageLimits extends ListLimits {
  /** Resource bytes after which a ListResponse takes no further resource. */
  readonly maxPageBytes: number;
}

/** The ListResponse fields known before the first resource is written. */
export interface ListHead {
  readonly totalResults: number;
  readonly startIndex: number;
}

/** One resource as JSON text: whole, or in pieces (a Group whose members are paged in). */
export type ResourceText = string | AsyncIterable<string>;

/**
 * Text gathered before it is handed on: one socket write (and one chunk of the chunked encoding)
 * per this many characters rather than per resource. A page of 100 users was 100 writes, each
 * through the stream machinery; the socket writes alone were 8 % of its CPU.
 */
const WRITE_BATCH_CHARS = 32 * 1024;

/**
 * The JSON text of a ListResponse (RFC 7644 §3.4.2), written as `resources` yields: at most one
 * resource's pieces and WRITE_BATCH_CHARS of text (after the first resource) are held at a time.
 * Once the bytes of the resources written reach `maxBytes` no further resource is taken (RFC 7644
 * §3.4.2.4 lets a page hold fewer than `count`), and the next one is not even asked for, so the
 * store is not read past the budget. A resource already started is always finished, and the
 * first one is always sent, whatever its size.
 */
export async function* listResponseBody(
  head: ListHead,
  resources: AsyncIterable<ResourceText>,
  maxBytes: number,
): AsyncGenerator<string> {
  // `itemsPerPage` is known only once the budget has said its word, so it comes after
  // `Resources`; JSON member order carries no meaning (RFC 8259 §4), and clients parse the body
  // whole.
  let out = `{"schemas":[${JSON.stringify(LIST_RESPONSE_SCHEMA)}],"totalResults":${head.totalResults},"startIndex":${head.startIndex},"Resources":[`;
  const iterator = resources[Symbol.asyncIterator]();
  let sent = 0;
  let bytes = 0;
  try {
    while (sent === 0 || bytes < maxBytes) {
      const next = await iterator.next();
      if (next.done) break;
      let separator = sent === 0 ? '' : ',';
      const pieces = typeof next.value === 'string' ? [next.value] : next.value;
      for await (const piece of pieces) {
        const text = separator + piece;
        separator = '';
        bytes += Buffer.byteLength(text);
        out += text;
        if (out.length >= WRITE_BATCH_CHARS) {
          yield out;
          out = '';
        }
      }
      sent++;
      // The head and the first resource leave at once: the client has its status line, and a
      // failing later read is a truncated 200 as always, not a connection closed with no answer.
      if (sent === 1 && out !== '') {
        yield out;
        out = '';
      }
    }
  } finally {
    // Leaving early (budget reached, client gone, an error) closes the source, which stops its
    // store reads.
    await iterator.return?.();
  }
  yield `${out}],"itemsPerPage":${sent}}`;
}

/**
 * Sends a ListResponse as a chunked stream. The services read the first chunk before this is
 * called, so an error there (an unsortable `sortBy`, a database down) is still an ordinary SCIM
 * error response. Once the head has been written a failing read cannot become one: the connection
 * is destroyed (the client sees a truncated body, never a short page that parses) and the error is
 * logged here, once, with the request id. A client that disconnects makes Fastify destroy the
 * stream, which returns the generators and so stops the store reads.
 */
export function sendListResponse(
  request: FastifyRequest,
  reply: FastifyReply,
  head: ListHead,
  resources: AsyncIterable<ResourceText>,
  maxBytes: number,
): FastifyReply {
  const body = listResponseBody(head, resources, maxBytes);
  async function* guarded(): AsyncGenerator<string> {
    try {
      yield* body;
    } catch (error) {
      request.log.error({ err: error }, 'ListResponse failed after its head was sent; connection destroyed');
      reply.raw.destroy();
    }
  }
  return reply.type(SCIM_CONTENT_TYPE).send(Readable.from(guarded()));
}
