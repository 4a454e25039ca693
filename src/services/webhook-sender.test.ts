import assert from 'node:assert/strict';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { isSuccess, MAX_RESPONSE_BYTES, RESPONSE_EXCERPT_CHARS, WebhookSender } from './webhook-sender.js';

const servers: Server[] = [];
after(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

async function serve(handler: RequestListener): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

const sender = new WebhookSender(500);
after(() => sender.close());

test('a 2xx is a success; the body and headers arrive as given', async () => {
  let seen: { body: string; type: string | undefined; id: string | undefined } | undefined;
  const url = await serve((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen = { body, type: req.headers['content-type'], id: req.headers['webhook-id'] as string | undefined };
      res.writeHead(204).end();
    });
  });
  const result = await sender.send(url, { 'webhook-id': 'evt-1' }, '{"a":1}');
  assert.equal(isSuccess(result), true);
  assert.deepEqual([result.status, result.error, result.excerpt], [204, null, null]);
  assert.deepEqual(seen, { body: '{"a":1}', type: 'application/json', id: 'evt-1' });
});

test('a redirect is not followed: the 3xx is the answer', async () => {
  let followed = 0;
  const target = await serve((_req, res) => {
    followed++;
    res.end('ok');
  });
  const url = await serve((_req, res) => res.writeHead(307, { location: target }).end());
  const result = await sender.send(url, {}, '{}');
  assert.deepEqual([result.status, result.error, isSuccess(result)], [307, 'HTTP 307', false]);
  assert.equal(followed, 0);
});

test('a receiver that never answers is cut at the timeout', async () => {
  const url = await serve(() => {});
  const started = Date.now();
  const result = await sender.send(url, {}, '{}');
  assert.equal(result.status, null);
  assert.match(result.error ?? '', /timeout after 500 ms/);
  // The receiver never answers, so only the timeout ends the send; the bound is loose so that a
  // loaded machine's late timer cannot fail it.
  assert.ok(Date.now() - started < 10_000);
});

test('a huge or endless answer is read only up to the cap, and only an excerpt is kept', async () => {
  const url = await serve((_req, res) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    const chunk = 'x'.repeat(16 * 1024);
    // Never ends on its own: the sender must stop reading.
    const timer = setInterval(() => res.write(chunk), 1);
    res.on('close', () => clearInterval(timer));
  });
  const result = await sender.send(url, {}, '{}');
  assert.equal(result.status, 500);
  assert.equal(result.excerpt?.length, RESPONSE_EXCERPT_CHARS);
  assert.ok(MAX_RESPONSE_BYTES < 100 * 1024);
});

test('a refused connection and an abort have no status; only the abort says so', async () => {
  const url = await serve((_req, res) => res.end());
  const port = new URL(url).port;
  const closed = servers.at(-1) as Server;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const refused = await sender.send(`http://127.0.0.1:${port}/hook`, {}, '{}');
  assert.equal(refused.status, null);
  assert.match(refused.error ?? '', /ECONNREFUSED/);
  assert.equal(refused.aborted, false);

  const slow = await serve(() => {});
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 20);
  const aborted = await sender.send(slow, {}, '{}', controller.signal);
  assert.deepEqual([aborted.status, aborted.aborted], [null, true]);
});
