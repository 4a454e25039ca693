import type { AttrPath } from '../attr-path.js';
import {
  type ErrorFactory,
  isAttrName,
  positionOf,
  type Token,
  TokenStream,
  tokenize,
  type WordToken,
  wordToAttrPath,
} from '../lexer.js';
import {
  MAX_FILTER_DEPTH,
  MAX_FILTER_LENGTH,
  MAX_FILTER_TERMS,
  MAX_FILTER_VALUE_LENGTH,
  MAX_SUBSTRING_PATTERN_LENGTH,
} from '../limits.js';
import { invalidFilter } from '../scim-error.js';
import type { CompareOp, Filter, FilterLiteral } from './ast.js';

const COMPARE_OPS: ReadonlySet<string> = new Set<CompareOp>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const SUBSTRING_OPS: ReadonlySet<string> = new Set<CompareOp>(['co', 'sw', 'ew']);
const OPERATOR_LIST = 'eq, ne, co, sw, ew, gt, ge, lt, le, pr';

const filterError: ErrorFactory = (detail, code) => invalidFilter(detail, `filter.${code}`);

/**
 * Parses a SCIM filter (RFC 7644 §3.4.2.2) into its AST. Attribute names, operators and the
 * keywords `and`, `or`, `not`, `true`, `false`, `null` are case-insensitive (§3.4.2.2: "Attribute
 * names and attribute operators used in filters are case insensitive"); the AST keeps the client's
 * spelling of names and lower-cases operators. Precedence: parentheses and `not (...)` bind
 * tightest, then `and`, then `or`; both are left-associative.
 *
 * Besides length and depth, a filter may hold at most MAX_FILTER_TERMS comparisons and `pr` tests,
 * and its string literals are capped (limits.ts): every term becomes SQL or, in PATCH, a test of
 * every element, so the caps bound what one request can make the service do.
 *
 * @throws ScimError 400 `invalidFilter` with the 1-based position and what was expected.
 */
export function parseFilter(text: string): Filter {
  if (text.length > MAX_FILTER_LENGTH) {
    throw invalidFilter(
      `The filter is ${text.length} characters long; the limit is ${MAX_FILTER_LENGTH}`,
      'filter.tooLong',
    );
  }
  const stream = new TokenStream(text, tokenize(text, filterError), filterError, 'filter');
  if (stream.peek().kind === 'end') {
    throw invalidFilter('The filter is empty; write an expression such as userName eq "bjensen"', 'filter.empty');
  }
  const filter = parseFilterExpression(stream, undefined, 0);
  const rest = stream.peek();
  if (rest.kind !== 'end') {
    if (rest.kind === ')') {
      throw stream.fail(`Unbalanced parentheses: ")" ${positionOf(rest.at)} has no matching "("`, 'syntax');
    }
    if (rest.kind === ']') {
      throw stream.fail(`Unbalanced brackets: "]" ${positionOf(rest.at)} has no matching "["`, 'syntax');
    }
    throw stream.fail(
      `Expected "and", "or" or the end of the filter ${positionOf(rest.at)}, found ${stream.describe(rest)}`,
      'syntax',
    );
  }
  return filter;
}

/**
 * Parses `FILTER` (or, inside `attr[...]`, `valFilter`) from the stream's current token and stops
 * at the first token that cannot continue it, leaving that token unread. `within` is the
 * attribute of the enclosing value path: inside it, paths are bare sub-attribute names and value
 * paths cannot nest. Shared with the PATCH path parser, whose errors the stream's factory builds.
 */
export function parseFilterExpression(stream: TokenStream, within: AttrPath | undefined, depth: number): Filter {
  let left = parseAnd(stream, within, depth);
  for (let t = stream.peek(); isKeyword(t, 'or'); t = stream.peek()) {
    stream.next();
    const right = parseAnd(stream, within, depth);
    left = { kind: 'or', left, right, at: left.at };
  }
  return left;
}

function parseAnd(stream: TokenStream, within: AttrPath | undefined, depth: number): Filter {
  let left = parseUnary(stream, within, depth);
  for (let t = stream.peek(); isKeyword(t, 'and'); t = stream.peek()) {
    stream.next();
    const right = parseUnary(stream, within, depth);
    left = { kind: 'and', left, right, at: left.at };
  }
  return left;
}

function parseUnary(stream: TokenStream, within: AttrPath | undefined, depth: number): Filter {
  const t = stream.next();
  // A parenthesized filter is its inner node: the AST has no node for grouping.
  if (t.kind === '(') return parseGroup(stream, t, within, depth);
  if (isKeyword(t, 'not')) {
    const open = stream.next();
    if (open.kind !== '(') {
      throw stream.fail(
        `Expected "(" after "not" ${positionOf(open.at)}, found ${stream.describe(open)}; write not (expression)`,
        'syntax',
      );
    }
    return { kind: 'not', filter: parseGroup(stream, open, within, depth), at: t.at };
  }
  if (t.kind !== 'word') {
    const expected = within ? 'a sub-attribute name, "(" or "not"' : 'an attribute name, "(" or "not"';
    throw stream.fail(`Expected ${expected} ${positionOf(t.at)}, found ${stream.describe(t)}`, 'syntax');
  }
  const path = wordToAttrPath(t, stream.fail);
  if (within && (path.uri !== undefined || path.sub !== undefined)) {
    throw stream.fail(
      `Inside "${within.attr}[...]" name a sub-attribute of "${within.attr}" on its own (such as "value" or "type"); found "${t.text}" ${positionOf(t.at)}`,
      'syntax',
    );
  }
  if (stream.peek().kind === '[') return parseValuePath(stream, t, path, within, depth);
  return parseAttrExp(stream, t, path);
}

function parseGroup(stream: TokenStream, open: Token, within: AttrPath | undefined, depth: number): Filter {
  checkDepth(stream, open, depth);
  const inner = parseFilterExpression(stream, within, depth + 1);
  const close = stream.next();
  if (close.kind !== ')') {
    throw stream.fail(
      close.kind === 'end'
        ? `Unbalanced parentheses: missing ")" to close the "(" ${positionOf(open.at)}`
        : `Expected "and", "or" or ")" ${positionOf(close.at)}, found ${stream.describe(close)}`,
      'syntax',
    );
  }
  return inner;
}

function parseValuePath(
  stream: TokenStream,
  word: WordToken,
  path: AttrPath,
  within: AttrPath | undefined,
  depth: number,
): Filter {
  const open = stream.next();
  if (within) {
    throw stream.fail(
      `Value filters cannot be nested: "${word.text}[" ${positionOf(word.at)} is inside "${within.attr}[...]"`,
      'syntax',
    );
  }
  if (path.sub !== undefined) {
    throw stream.fail(
      `A value filter "[...]" follows a multi-valued attribute, not a sub-attribute: "${word.text}[" ${positionOf(word.at)}`,
      'syntax',
    );
  }
  checkDepth(stream, open, depth);
  const filter = parseFilterExpression(stream, path, depth + 1);
  const close = stream.next();
  if (close.kind !== ']') {
    throw stream.fail(
      close.kind === 'end'
        ? `Missing "]" to close "${word.text}[" ${positionOf(open.at)}`
        : `Expected "and", "or" or "]" ${positionOf(close.at)}, found ${stream.describe(close)}`,
      'syntax',
    );
  }
  const after = stream.peek();
  if (after.kind === '.') {
    // RFC 7644 §3.4.2.2's grammar ends a valuePath at "]", but clients write the PATCH-path form
    // `emails[type eq "work"].value eq "x"` in filters too (the SCIM issue for it asks for
    // exactly this). It means one element matching both, so it is read as
    // `emails[type eq "work" and value eq "x"]`.
    stream.next();
    const subToken = stream.next();
    if (subToken.kind !== 'word' || !isAttrName(subToken.text)) {
      throw stream.fail(
        `Expected a sub-attribute name after "${word.text}[...]." ${positionOf(subToken.at)}, found ${stream.describe(subToken)}`,
        'syntax',
      );
    }
    const condition = parseAttrExp(stream, subToken, { attr: subToken.text });
    return {
      kind: 'valuePath',
      path,
      filter: { kind: 'and', left: filter, right: condition, at: filter.at },
      at: word.at,
    };
  }
  return { kind: 'valuePath', path, filter, at: word.at };
}

function parseAttrExp(stream: TokenStream, word: WordToken, path: AttrPath): Filter {
  countTerm(stream, word);
  const opToken = stream.next();
  const op = opToken.kind === 'word' ? opToken.text.toLowerCase() : undefined;
  if (op === 'pr') {
    const extra = stream.peek();
    if (isLiteral(extra)) {
      throw stream.fail(
        `The operator "pr" takes no value, found ${stream.describe(extra)} ${positionOf(extra.at)}`,
        'syntax',
      );
    }
    return { kind: 'present', path, at: word.at };
  }
  if (op === undefined || !COMPARE_OPS.has(op)) {
    throw stream.fail(
      `Expected a comparison operator (${OPERATOR_LIST}) after "${word.text}" ${positionOf(opToken.at)}, found ${stream.describe(opToken)}`,
      'syntax',
    );
  }
  const valueToken = stream.next();
  const value = literalValue(valueToken);
  if (value === undefined) {
    const hint = valueToken.kind === 'word' ? `; put strings in double quotes: "${valueToken.text}"` : '';
    throw stream.fail(
      `Expected a value (a "string", a number, true, false or null) after "${op}" ${positionOf(valueToken.at)}, found ${stream.describe(valueToken)}${hint}`,
      'syntax',
    );
  }
  if (typeof value.value === 'string') checkLiteralLength(stream, op, valueToken, value.value);
  return { kind: 'compare', path, op: op as CompareOp, value: value.value, at: word.at };
}

// Terms parsed so far per source text. The stream is the one object a parse (of a filter, or of
// the value filter inside a PATCH path) owns from start to end, so the count lives beside it.
const termCounts = new WeakMap<TokenStream, number>();

function countTerm(stream: TokenStream, word: WordToken): void {
  const count = (termCounts.get(stream) ?? 0) + 1;
  termCounts.set(stream, count);
  if (count > MAX_FILTER_TERMS) {
    throw invalidFilter(
      `The ${stream.noun} has more than ${MAX_FILTER_TERMS} terms (comparisons and "pr" tests), the limit; term ${count} starts ${positionOf(word.at)}`,
      'filter.tooManyTerms',
    );
  }
}

function checkLiteralLength(stream: TokenStream, op: string, token: Token, value: string): void {
  const where = positionOf(token.at);
  if (SUBSTRING_OPS.has(op) && value.length > MAX_SUBSTRING_PATTERN_LENGTH) {
    throw invalidFilter(
      `The "${op}" value ${where} is ${value.length} characters long; "co", "sw" and "ew" values may be at most ${MAX_SUBSTRING_PATTERN_LENGTH}`,
      'filter.patternTooLong',
    );
  }
  if (value.length > MAX_FILTER_VALUE_LENGTH) {
    throw invalidFilter(
      `The string ${where} in the ${stream.noun} is ${value.length} characters long; values may be at most ${MAX_FILTER_VALUE_LENGTH}`,
      'filter.valueTooLong',
    );
  }
}

function literalValue(t: Token): { value: FilterLiteral } | undefined {
  if (t.kind === 'string' || t.kind === 'number') return { value: t.value };
  if (t.kind !== 'word') return undefined;
  switch (t.text.toLowerCase()) {
    case 'true':
      return { value: true };
    case 'false':
      return { value: false };
    case 'null':
      return { value: null };
    default:
      return undefined;
  }
}

function isLiteral(t: Token): boolean {
  return literalValue(t) !== undefined;
}

function isKeyword(t: Token, keyword: string): boolean {
  return t.kind === 'word' && t.text.toLowerCase() === keyword;
}

function checkDepth(stream: TokenStream, open: Token, depth: number): void {
  if (depth >= MAX_FILTER_DEPTH) {
    throw stream.fail(
      `The ${stream.noun} nests parentheses or brackets more than ${MAX_FILTER_DEPTH} levels deep ${positionOf(open.at)}`,
      'tooDeep',
    );
  }
}
