import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request as a receiver took it. */
export interface Received {
  readonly id: string;
  readonly timestamp: string;
  readonly signature: string;
  readonly raw: string;
  // biome-ignore lint/suspicious/noExplicitAny: bodies are asserted field by field
  readonly body: any;
  /** The secrets (by index in `secrets`) whose Webhook.verify accepted it. */
  readonly verifiedBy: readonly number[];
  /** What the receiver answered. */
  readonly status: number;
}

/**
 * A webhook receiver on a loopback port, as a customer would run one: it verifies every request
 * with `standardwebhooks`' Webhook.verify against each secret it holds, records what came, and
 * counts the requests in flight per organization. It can be stopped (connections refused) and
 * started again on the same port, and told what status to answer.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  /** Most requests of one organization in flight at once, by organization id. */
  readonly maxInFlight = new Map<string, number>();
  private readonly inFlight = new Map<string, number>();
  private server: Server | undefined;
  private port = 0;
  /** Status answered (function: per request). */
  respond: number | ((body: unknown) => number) = 200;
  /** Time each answer is held, so that overlapping sends would show in `maxInFlight`. */
  holdMs = 5;

  constructor(public secrets: string[]) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/parallel`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      void read(req).then((raw) => {
        // biome-ignore lint/suspicious/noExplicitAny: whatever came
        let body: any;
        try {
          body = JSON.parse(raw);
        } catch {
          body = undefined;
        }
        const org = String(body?.orgId ?? 'none');
        const now = (this.inFlight.get(org) ?? 0) + 1;
        this.inFlight.set(org, now);
        this.maxInFlight.set(org, Math.max(now, this.maxInFlight.get(org) ?? 0));
        const headers = {
          'webhook-id': String(req.headers['webhook-id'] ?? ''),
          'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
          'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
        };
        const verifiedBy = this.secrets.flatMap((secret, i) => {
          try {
            new Webhook(secret).verify(raw, headers);
            return [i];
          } catch {
            return [];
          }
        });
        const status = typeof this.respond === 'function' ? this.respond(body) : this.respond;
        this.received.push({
          id: headers['webhook-id'],
          timestamp: headers['webhook-timestamp'],
          signature: headers['webhook-signature'],
          raw,
          body,
          verifiedBy,
          status,
        });
        setTimeout(() => {
          this.inFlight.set(org, (this.inFlight.get(org) ?? 1) - 1);
          res.writeHead(status, { 'content-type': 'text/plain' });
          res.end(status >= 300 ? `receiver says ${status}` : 'ok');
        }, this.holdMs);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Closes the port and every connection: sends are refused until `start`. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** What arrived for one organization, in arrival order. */
  of(orgId: string): Received[] {
    return this.received.filter((r) => r.body?.orgId === orgId);
  }
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

/** Polls `check` until it holds or `timeoutMs` passes (then fails with `what`). */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
