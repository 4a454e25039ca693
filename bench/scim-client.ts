/**
 * The bench's own SCIM client for seeding and for checking each scenario before it is loaded:
 * node:http over a keep-alive agent (fetch costs this 2-core machine more client CPU per
 * request, which the service would then be measured against).
 */
import { Agent, request } from 'node:http';

export const SCIM_JSON = 'application/scim+json';

export interface Answer {
  readonly status: number;
  /** The parsed body, or undefined for an empty one (204). */
  readonly body: unknown;
  readonly ms: number;
}

export interface SentRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Below the origin, e.g. `/scim/v2/Users?filter=...` (already URL-encoded). */
  readonly path: string;
  readonly body?: string;
}

export class ScimClient {
  private readonly agent: Agent;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly origin: string,
    token: string,
    sockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets });
    this.headers = { authorization: `Bearer ${token}`, 'content-type': SCIM_JSON, 'user-agent': BENCH_USER_AGENT };
  }

  send(req: SentRequest): Promise<Answer> {
    const started = performance.now();
    const { hostname, port } = new URL(this.origin);
    return new Promise((resolve, reject) => {
      const outgoing = request(
        { agent: this.agent, hostname, port, method: req.method, path: req.path, headers: this.headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: res.statusCode ?? 0,
              body: text === '' ? undefined : JSON.parse(text),
              ms: performance.now() - started,
            });
          });
        },
      );
      outgoing.on('error', reject);
      outgoing.end(req.body);
    });
  }

  /** `send`, failing the run unless the answer has `status`. */
  async expect(status: number, req: SentRequest): Promise<Answer> {
    const answer = await this.send(req);
    if (answer.status !== status) {
      throw new Error(
        `${req.method} ${req.path} answered ${answer.status}, expected ${status}: ${JSON.stringify(answer.body)}`,
      );
    }
    return answer;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The provisioning log names the bench as the client, so its rows are never mistaken for an IdP's. */
export const BENCH_USER_AGENT = 'parallel-scim-bench';
