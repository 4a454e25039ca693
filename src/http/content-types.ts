import type { FastifyInstance } from 'fastify';
import { invalidSyntax, invalidValue } from '../scim/scim-error.js';

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
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        // JSON.parse messages name the position ("Unexpected token } in JSON at position 42"),
        // which is what the client needs; they never contain our data.
        done(
          invalidSyntax(`The request body is not valid JSON: ${(error as Error).message}`, 'request.json'),
          undefined,
        );
        return;
      }
      const nulAt = findNul(parsed, '$');
      if (nulAt !== undefined) {
        done(
          invalidValue(
            `The value at ${nulAt} contains a NUL character (\\u0000), which cannot be stored`,
            'request.nul',
          ),
        );
        return;
      }
      done(null, parsed);
    },
  );
}

/**
 * The JSON path ($.name.givenName, $.members[0].value) of a key or string holding U+0000, or
 * undefined. PostgreSQL text cannot store it, so every store refuses it alike. Iterative: a body
 * may nest arrays thousands deep.
 */
function findNul(root: unknown, rootPath: string): string | undefined {
  const stack: [unknown, string][] = [[root, rootPath]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [value, path] = next;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path;
    } else if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) stack.push([item, `${path}[${i}]`]);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const here = `${path}.${key.replaceAll('\u0000', '\\u0000')}`;
        if (key.includes('\u0000')) return here;
        stack.push([item, here]);
      }
    }
  }
  return undefined;
}
