import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startMetricsListener } from '../../src/http/routes/metrics.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { newTenant, type RunningServer, scimRequest, startServer } from '../helpers/start-server.js';
import { testStores } from '../helpers/stores.js';

/** What came back on a raw connection, and whether the server closed it. */
interface Exchange {
  readonly text: string;
  readonly closedByServer: boolean;
}

/**
 * Writes `head` (and nothing more) on a fresh connection and reads until the server closes it, or
 * until `giveUpMs` (a guard so that a regression fails instead of hanging the suite).
 */
function rawExchange(port: number, head: string, giveUpMs = 15_000): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const guard = setTimeout(() => {
      socket.destroy();
      resolve({ text, closedByServer: false });
    }, giveUpMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.once('error', (error) => {
      clearTimeout(guard);
      // A reset after the answer is the server closing on us too.
      if (text !== '') resolve({ text, closedByServer: true });
      else reject(error);
    });
    socket.once('close', () => {
      clearTimeout(guard);
      resolve({ text, closedByServer: true });
    });
    socket.write(head);
  });
}

const statusOf = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);

/** Socket hygiene: no client can hold a connection or make us read a body we would refuse. */
const [backend] = testStores();
if (backend) {
  describe(`sockets and metrics on ${backend.name}`, () => {
    let server: RunningServer;
    let port: number;
    let token: string;
    before(async () => {
      server = await startServer(backend, {
        config: {
          sockets: {
            requestTimeoutMs: 1500,
            headersTimeoutMs: 1000,
            keepAliveTimeoutMs: 5000,
            idleTimeoutMs: 60_000,
            maxConnections: 8,
          },
          metricsToken: 'metrics-secret-0123456789',
        },
      });
      port = Number(new URL(server.origin).port);
      ({ token } = await newTenant(server.services));
    });
    after(async () => {
      await server.close();
    });

    test('refusals come before the body: 401, 405 and 404 answer a 10 MB announcement at once and close', async () => {
      const announce = (line: string, extra = '') =>
        `${line} HTTP/1.1\r\nHost: x\r\nContent-Type: application/scim+json\r\nContent-Length: 10000000\r\n${extra}\r\n`;
      const cases: [string, number, string][] = [
        [announce('POST /scim/v2/Users'), 401, 'auth.missing'],
        [announce('POST /scim/v2/Users', 'Authorization: Bearer pscim_wrong\r\n'), 401, 'auth.invalid'],
        [announce('POST /scim/v2/ServiceProviderConfig'), 405, ''],
        [announce('PUT /scim/v2/Users', `Authorization: Bearer ${token}\r\n`), 405, ''],
        [announce('POST /nowhere'), 404, ''],
      ];
      for (const [head, status] of cases) {
        const { text, closedByServer } = await rawExchange(port, head);
        assert.equal(statusOf(text), status, `${head.split('\r\n')[0]}: ${text.slice(0, 200)}`);
        assert.match(text, /content-type: application\/scim\+json/i);
        assert.match(text, /"schemas":\["urn:ietf:params:scim:api:messages:2.0:Error"\]/);
        assert.match(text, /connection: close/i);
        assert.ok(closedByServer, 'the server closed the connection without waiting for the body');
        if (status === 401) assert.match(text, /www-authenticate: Bearer/i);
        if (status === 405) assert.match(text, /allow: /i);
      }
    });

    test("what Node's parser refuses still leaves as a SCIM error: 414, 431, 400", async () => {
      const cases: [string, number, RegExp][] = [
        [`GET /scim/v2/Users?filter=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 414, /URL is longer/],
        [`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'y'.repeat(20_000)}\r\n\r\n`, 431, /headers are larger/],
        ['GET /healthz HTTP/1.1\r\nHost x\r\n\r\n', 400, /not valid HTTP/],
      ];
      for (const [head, status, detail] of cases) {
        const { text, closedByServer } = await rawExchange(port, head);
        assert.equal(statusOf(text), status, text.slice(0, 200));
        assert.match(text, /content-type: application\/scim\+json/i);
        const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
        assert.equal(body.schemas[0], 'urn:ietf:params:scim:api:messages:2.0:Error');
        assert.equal(body.status, String(status));
        assert.match(body.detail, detail);
        if (status === 400) assert.equal(body.scimType, 'invalidSyntax');
        assert.ok(closedByServer);
      }
    });

    test('trickled headers and a trickled body are cut by the server', async () => {
      const headers = await rawExchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n');
      assert.ok(headers.closedByServer, 'headers that never end do not hold the connection');
      const body = await rawExchange(
        port,
        `POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/scim+json\r\nContent-Length: 5000\r\n\r\n{"schemas":`,
      );
      assert.ok(body.closedByServer, 'a body that never ends does not hold the connection');
      if (body.text !== '') {
        assert.equal(statusOf(body.text), 408, body.text.slice(0, 200));
        assert.match(body.text, /"status":"408"/);
      }
      // The service still answers.
      assert.equal((await scimRequest(`${server.scimUrl}/ServiceProviderConfig`)).status, 200);
    });

    test('connections beyond MAX_CONNECTIONS are refused; the service answers again once they close', async () => {
      const idle: Socket[] = [];
      const opened = () =>
        new Promise<Socket>((resolve, reject) => {
          const socket = connect(port, '127.0.0.1', () => resolve(socket));
          socket.once('error', reject);
        });
      try {
        for (let i = 0; i < 8; i++) idle.push(await opened());
        const over = await rawExchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
        assert.equal(over.text, '', 'the ninth connection got no answer');
        assert.ok(over.closedByServer, 'the ninth connection was closed at once');
      } finally {
        for (const socket of idle) socket.destroy();
      }
      // Node counts connections as they close; give it the turns of the event loop it needs
      // (up to 10 s on a loaded machine).
      let status = 0;
      for (let i = 0; i < 500 && status !== 200; i++) {
        status = await scimRequest(`${server.origin}/healthz`).then(
          (r) => r.status,
          () => 0,
        );
        if (status !== 200) await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(status, 200);
    });

    test('/metrics answers only its own token, never a SCIM token', async () => {
      const anonymous = await scimRequest(`${server.origin}/metrics`);
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.body.schemas[0], 'urn:ietf:params:scim:api:messages:2.0:Error');
      const scimToken = await scimRequest(`${server.origin}/metrics`, { token });
      assert.equal(scimToken.status, 401);
      const ok = await scimRequest(`${server.origin}/metrics`, { token: 'metrics-secret-0123456789' });
      assert.equal(ok.status, 200);
      assert.match(ok.text, /^scim_errors_total\{status="401",code="auth\.missing"\} \d+$/m);
      assert.match(ok.text, /^scim_tenant_queue_wait_seconds_count \d+$/m);
    });

    test('without a token /metrics is not on the main port; the separate listener serves it', async () => {
      const plain = await startServer(backend, { databaseUrl: server.databaseUrl });
      const metrics = createMetrics();
      const listener = await startMetricsListener(metrics, '127.0.0.1', 0);
      try {
        const off = await scimRequest(`${plain.origin}/metrics`);
        assert.equal(off.status, 404);
        assert.match(off.body.detail, /METRICS_TOKEN/);
        const address = listener.address();
        assert.ok(address !== null && typeof address === 'object');
        const scraped = await fetch(`http://127.0.0.1:${address.port}/metrics`);
        assert.equal(scraped.status, 200);
        assert.match(await scraped.text(), /^# HELP scim_http_requests_total/m);
        assert.equal((await fetch(`http://127.0.0.1:${address.port}/scim/v2/Users`)).status, 404);
      } finally {
        listener.close();
        await plain.close();
      }
    });
  });
}
