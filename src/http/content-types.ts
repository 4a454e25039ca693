import type { FastifyInstance } from 'fastify';
import { MAX_BODY_DEPTH, MAX_OBJECT_KEYS } from '../scim/limits.js';
import { invalidSyntax, invalidValue, type ScimError } from '../scim/scim-error.js';

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
      const problem = scanBody(parsed);
      if (problem !== undefined) {
        done(problem, undefined);
        return;
      }
      done(null, parsed);
    },
  );
}

/** One value met by {@link scanBody}, with what is needed to name where it is. */
interface Frame {
  readonly value: unknown;
  readonly parent: Frame | undefined;
  /** The key or index in the parent; '' for the root. */
  readonly step: string | number;
  /** Containers enclosing the value: 0 for the root. */
  readonly depth: number;
}

/**
 * The one walk over a parsed body before any other code sees it, refusing what no store or
 * later loop should meet: U+0000 in a key or string (PostgreSQL text cannot store it, so every
 * store refuses it alike), objects and arrays nested more than MAX_BODY_DEPTH levels, and objects
 * with more than MAX_OBJECT_KEYS keys (limits.ts). Iterative, because JSON.parse accepts bodies
 * nested a hundred thousand levels; the walk stops at the first problem, in document order, so it
 * is linear in the body. Paths are built only for the error, from parent links.
 */
function scanBody(root: unknown): ScimError | undefined {
  const stack: Frame[] = [{ value: root, parent: undefined, step: '', depth: 0 }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    const { value, step } = frame;
    if (typeof step === 'string' && step.includes('\u0000')) return nulError(frame);
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return nulError(frame);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    const depth = frame.depth + 1;
    if (depth > MAX_BODY_DEPTH) {
      return invalidSyntax(
        `The request body nests objects and arrays more than ${MAX_BODY_DEPTH} levels deep at ${pathOf(frame)}; the limit is ${MAX_BODY_DEPTH}`,
        'request.tooDeep',
      );
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], parent: frame, step: i, depth });
      continue;
    }
    const keys = Object.keys(value);
    if (keys.length > MAX_OBJECT_KEYS) {
      return invalidSyntax(
        `The object at ${pathOf(frame)} has ${keys.length} keys; the limit is ${MAX_OBJECT_KEYS} keys per object`,
        'request.tooManyKeys',
      );
    }
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i] as string;
      stack.push({ value: (value as Record<string, unknown>)[key], parent: frame, step: key, depth });
    }
  }
  return undefined;
}

function nulError(frame: Frame): ScimError {
  return invalidValue(
    `The value at ${pathOf(frame)} contains a NUL character (\\u0000), which cannot be stored`,
    'request.nul',
  );
}

/** Longest key shown in a path: the path goes into the error detail and the provisioning log. */
const MAX_SHOWN_KEY = 64;

/** The JSON path of a frame, `$.name.givenName` or `$.members[0].value`. */
function pathOf(frame: Frame): string {
  const steps: string[] = [];
  for (let at: Frame | undefined = frame; at?.parent !== undefined; at = at.parent) {
    if (typeof at.step === 'number') {
      steps.push(`[${at.step}]`);
    } else {
      const key = at.step.length > MAX_SHOWN_KEY ? `${at.step.slice(0, MAX_SHOWN_KEY)}...` : at.step;
      steps.push(`.${key.replaceAll('\u0000', '\\u0000')}`);
    }
  }
  return `$${steps.reverse().join('')}`;
}
