import { parseFilterExpression } from '../filter/parse-filter.js';
import { type ErrorFactory, isAttrName, positionOf, TokenStream, tokenize, wordToAttrPath } from '../lexer.js';
import { MAX_FILTER_LENGTH } from '../limits.js';
import { invalidPath } from '../scim-error.js';
import type { PatchPath } from './path-ast.js';

const pathError: ErrorFactory = (detail, code) => invalidPath(detail, `path.${code}`);

/**
 * Parses a PATCH operation's `path` (RFC 7644 §3.5.2): `PATH = attrPath / valuePath [subAttr]`,
 * e.g. `name.givenName`, `emails[type eq "work"].value`, `members[value eq "2819c223..."]` or
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`. Names keep the
 * client's spelling; resolving them against the schema is the caller's job. A bare schema URN
 * reads as `{ uri: 'urn:...:2.0', attr: 'User' }` (see `wordToAttrPath`).
 *
 * @throws ScimError 400 `invalidPath` with the 1-based position and what was expected.
 */
export function parsePath(text: string): PatchPath {
  if (text.length > MAX_FILTER_LENGTH) {
    throw invalidPath(`The path is ${text.length} characters long; the limit is ${MAX_FILTER_LENGTH}`, 'path.tooLong');
  }
  const stream = new TokenStream(text, tokenize(text, pathError), pathError, 'path');
  const first = stream.next();
  if (first.kind === 'end') {
    throw invalidPath('The path is empty; omit "path" or name an attribute such as name.givenName', 'path.empty');
  }
  if (first.kind !== 'word') {
    throw stream.fail(`Expected an attribute name ${positionOf(first.at)}, found ${stream.describe(first)}`, 'syntax');
  }
  const attr = wordToAttrPath(first, pathError);
  if (stream.peek().kind !== '[') {
    expectEnd(stream);
    return { attr };
  }
  const open = stream.next();
  if (attr.sub !== undefined) {
    throw stream.fail(
      `A value filter "[...]" follows a multi-valued attribute, not a sub-attribute: "${first.text}[" ${positionOf(first.at)}`,
      'syntax',
    );
  }
  const filter = parseFilterExpression(stream, attr, 1);
  const close = stream.next();
  if (close.kind !== ']') {
    throw stream.fail(
      close.kind === 'end'
        ? `Missing "]" to close "${first.text}[" ${positionOf(open.at)}`
        : `Expected "and", "or" or "]" ${positionOf(close.at)}, found ${stream.describe(close)}`,
      'syntax',
    );
  }
  if (stream.peek().kind !== '.') {
    expectEnd(stream);
    return { attr, filter };
  }
  stream.next();
  const sub = stream.next();
  if (sub.kind !== 'word' || !isAttrName(sub.text)) {
    throw stream.fail(
      `Expected a sub-attribute name after "]." ${positionOf(sub.at)}, found ${stream.describe(sub)}`,
      'syntax',
    );
  }
  expectEnd(stream);
  return { attr, filter, subAttr: sub.text };
}

function expectEnd(stream: TokenStream): void {
  const rest = stream.peek();
  if (rest.kind !== 'end') {
    throw stream.fail(`Unexpected ${stream.describe(rest)} ${positionOf(rest.at)} after the end of the path`, 'syntax');
  }
}
