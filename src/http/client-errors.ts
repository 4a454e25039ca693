import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyInstance } from 'fastify';
import { errorBody, SCIM_CONTENT_TYPE } from './scim-error-body.js';

/**
 * Node's parser refuses some requests before Fastify sees them: headers or a request line over
 * its limits, a malformed request line, a request that took too long to arrive. The answer is
 * still a SCIM error body in application/scim+json (SPEC "Errors and bad input"), written
 * straight to the socket, which is then closed: the connection's state is unknown.
 */
export function clientErrorHandler(this: FastifyInstance, error: ConnectionError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail] = describe(error);
  this.log.debug({ err: error, status }, 'refused by the HTTP parser');
  if (socket.writable) {
    const body = JSON.stringify(errorBody(status, detail, status === 400 ? 'invalidSyntax' : undefined));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${SCIM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

function describe(error: ConnectionError): [number, string] {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'The request did not arrive in time; send its headers and body without pausing'];
    case 'HPE_HEADER_OVERFLOW': {
      // The request line and the headers share Node's size limit: when the request line is the
      // larger part (or never ended), it is the URL that is too long.
      // Typed as JSON by Fastify, a Buffer at run time: what Node had read when it gave up.
      const packet: unknown = error.rawPacket;
      const raw = Buffer.isBuffer(packet) ? packet.toString('latin1') : '';
      const lineEnd = raw.indexOf('\r\n');
      const headersEnd = raw.indexOf('\r\n\r\n');
      const line = lineEnd < 0 ? raw.length : lineEnd;
      const headers = (headersEnd < 0 ? raw.length : headersEnd) - line;
      if (lineEnd < 0 || line >= headers) {
        return [414, 'The request URL is longer than this service accepts; send long filters with POST /.search'];
      }
      return [431, 'The request headers are larger than this service accepts (16 KB in all)'];
    }
    default:
      return [400, 'The request is not valid HTTP/1.1 (a malformed request line or header?)'];
  }
}
