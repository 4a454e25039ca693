import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** Most bytes of a receiver's response read; the rest is never waited for. */
export const MAX_RESPONSE_BYTES = 64 * 1024;
/** Characters of the response kept in the delivery log. */
export const RESPONSE_EXCERPT_CHARS = 200;
/** Characters of an error message kept in the delivery log. */
const ERROR_CHARS = 300;

/** How one POST to a receiver ended. `status` null: no HTTP answer (refused, timeout, DNS, reset). */
export interface SendResult {
  readonly status: number | null;
  readonly error: string | null;
  readonly excerpt: string | null;
  readonly durationMs: number;
  /** Stopped by `signal` (shutdown), not by the receiver: nothing to record. */
  readonly aborted: boolean;
}

export const isSuccess = (result: SendResult): boolean =>
  result.status !== null && result.status >= 200 && result.status < 300;

const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * POSTs webhook bodies. Never follows a redirect (node:http does not: a 3xx is a failure the log
 * shows), bounds each send by `timeoutMs` from the first byte to the last, and reads at most
 * MAX_RESPONSE_BYTES of the answer. Connections are kept alive for a few seconds per receiver.
 */
export class WebhookSender {
  private readonly http = new HttpAgent({ keepAlive: true, timeout: 4_000 });
  private readonly https = new HttpsAgent({ keepAlive: true, timeout: 4_000 });

  constructor(private readonly timeoutMs: number) {}

  send(url: string, headers: Record<string, string>, body: string, signal?: AbortSignal): Promise<SendResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const finish = (result: Omit<SendResult, 'durationMs' | 'aborted'>, aborted = false) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve({ ...result, durationMs: elapsed(), aborted });
      };
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      const payload = Buffer.from(body, 'utf8');
      const req = (secure ? httpsRequest : httpRequest)(target, {
        method: 'POST',
        agent: secure ? this.https : this.http,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(payload.length),
          'user-agent': 'parallel-scim-webhooks/1',
        },
      });
      const timer = setTimeout(() => {
        req.destroy();
        finish({ status: null, error: `timeout after ${this.timeoutMs} ms`, excerpt: null });
      }, this.timeoutMs);
      const onAbort = () => {
        req.destroy();
        finish({ status: null, error: 'aborted', excerpt: null }, true);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (error: NodeJS.ErrnoException) => {
        const reason = error.code ? `${error.code}: ${error.message}` : error.message;
        finish({ status: null, error: clip(reason, ERROR_CHARS), excerpt: null });
      });
      req.on('response', (res: IncomingMessage) =>
        readCapped(res, (text) => finish(answer(res.statusCode ?? 0, text))),
      );
      req.end(payload);
    });
  }

  /** Closes the kept-alive connections (shutdown). */
  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

function answer(status: number, text: string): Omit<SendResult, 'durationMs' | 'aborted'> {
  const ok = status >= 200 && status < 300;
  const excerpt = text.trim() === '' ? null : clip(text.trim(), RESPONSE_EXCERPT_CHARS);
  return { status, error: ok ? null : `HTTP ${status}`, excerpt: ok ? null : excerpt };
}

/** The first MAX_RESPONSE_BYTES of the body, then the response is dropped. */
function readCapped(res: IncomingMessage, done: (text: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    done(Buffer.concat(chunks).toString('utf8'));
  };
  res.on('data', (chunk: Buffer) => {
    if (size < MAX_RESPONSE_BYTES) chunks.push(chunk.subarray(0, MAX_RESPONSE_BYTES - size));
    size += chunk.length;
    if (size >= MAX_RESPONSE_BYTES) {
      end();
      res.destroy();
    }
  });
  res.on('end', end);
  res.on('error', end);
  res.on('close', end);
}
