import type { FastifyInstance } from 'fastify';
import { invalidSyntax } from '../scim/scim-error.js';

/**
 * RFC 7644 §3.1: SCIM bodies are application/scim+json; plain application/json is accepted too
 * (Okta and many scripts send it), as is any other `+json` type. Anything else is 415.
 */
export function registerJsonParsers(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    /^application\/([\w.+-]+\+)?json(\s*;.*)?$/i,
    { parseAs: 'string', bodyLimit },
    (_request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') {
        done(null, undefined);
        return;
      }
      try {
        done(null, JSON.parse(text));
      } catch (error) {
        // JSON.parse messages name the position ("Unexpected token } in JSON at position 42"),
        // which is what the client needs; they never contain our data.
        done(
          invalidSyntax(`The request body is not valid JSON: ${(error as Error).message}`, 'request.json'),
          undefined,
        );
      }
    },
  );
}
