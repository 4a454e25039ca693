import { request as httpRequest } from 'node:http';

/**
 * A POST whose headers are sent and acknowledged ("100 Continue") while its body waits for
 * `send()`, which resolves to the response status. The "100 Continue" proves that the request
 * has reached the service, so a signal sent after it lands with the request in flight, however
 * loaded the machine is.
 */
export function heldPost(
  port: number,
  path: string,
  token: string,
  resource: unknown,
): Promise<{ send(): Promise<number> }> {
  const payload = JSON.stringify(resource);
  return new Promise((resolveHeld, rejectHeld) => {
    const request = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/scim+json',
        'content-length': Buffer.byteLength(payload),
        expect: '100-continue',
      },
    });
    const status = new Promise<number>((resolve, reject) => {
      request.once('response', (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      });
      request.once('error', reject);
    });
    request.once('error', rejectHeld);
    request.once('continue', () =>
      resolveHeld({
        send: () => {
          request.end(payload);
          return status;
        },
      }),
    );
    request.flushHeaders();
  });
}
