import type { AttrPath } from './attr-path.js';
import type { ScimError } from './scim-error.js';

/**
 * The tokenizer shared by filters (RFC 7644 §3.4.2.2), PATCH paths (§3.5.2) and the attribute
 * names of `sortBy` / `attributes` / `excludedAttributes`. Offsets are 0-based; messages show them
 * 1-based ("at position N") because that is how a person counts characters.
 */

/**
 * A lexical token. `word` is a run of name characters: an attribute path (`name.givenName`, a URN
 * prefixed path), an operator (`eq`), a keyword (`and`, `not`, `true`). Whether it is one or the
 * other depends on where it stands, so the parser decides.
 */
export type Token =
  | { readonly kind: 'word'; readonly text: string; readonly at: number; readonly end: number }
  | { readonly kind: 'string'; readonly value: string; readonly at: number; readonly end: number }
  | { readonly kind: 'number'; readonly value: number; readonly at: number; readonly end: number }
  | { readonly kind: '(' | ')' | '[' | ']' | '.' | 'end'; readonly at: number; readonly end: number };

/** A `word` token: a name, operator or keyword. */
export type WordToken = Token & { readonly kind: 'word' };

/**
 * Builds the error for the caller's context (`invalidFilter`, `invalidPath`, `invalidValue`).
 * `code` is a short suffix such as `syntax` or `string`; the factory adds its namespace.
 */
export type ErrorFactory = (detail: string, code: string) => ScimError;

/** "at position N", 1-based, for a 0-based offset. */
export function positionOf(offset: number): string {
  return `at position ${offset + 1}`;
}

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isAlpha = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
// Word characters cover ATTRNAME (RFC 7643 §2.1), "$ref", the "." of subAttr and the ":" and
// digits/dots of schema URNs such as `urn:ietf:params:scim:schemas:core:2.0:User`.
const isWordStart = (c: string): boolean => isAlpha(c) || c === '$';
const isWordChar = (c: string): boolean =>
  isAlpha(c) || isDigit(c) || c === '_' || c === '-' || c === '$' || c === ':' || c === '.';

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/**
 * Splits `source` into tokens, ending with one `end` token. String literals are decoded as JSON
 * strings (RFC 8259 §7), numbers parsed per the JSON number grammar; anything else that is not a
 * name character, bracket, parenthesis or "." is an error naming its position.
 */
export function tokenize(source: string, fail: ErrorFactory): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source.charAt(i);
    if (isSpace(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === '[' || c === ']' || c === '.') {
      tokens.push({ kind: c, at: i, end: i + 1 });
      i++;
    } else if (c === '"') {
      const { value, end } = readString(source, i, fail);
      tokens.push({ kind: 'string', value, at: i, end });
      i = end;
    } else if (c === '-' || isDigit(c)) {
      const { value, end } = readNumber(source, i, fail);
      tokens.push({ kind: 'number', value, at: i, end });
      i = end;
    } else if (isWordStart(c)) {
      let end = i + 1;
      while (end < source.length && isWordChar(source.charAt(end))) end++;
      tokens.push({ kind: 'word', text: source.slice(i, end), at: i, end });
      i = end;
    } else if (c === "'") {
      throw fail(
        `Unexpected "'" ${positionOf(i)}: string values must be in double quotes, as in userName eq "bjensen"`,
        'syntax',
      );
    } else {
      throw fail(`Unexpected character ${JSON.stringify(c)} ${positionOf(i)}`, 'syntax');
    }
  }
  tokens.push({ kind: 'end', at: source.length, end: source.length });
  return tokens;
}

function readString(source: string, start: number, fail: ErrorFactory): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < source.length) {
    const c = source.charAt(i);
    if (c === '"') return { value, end: i + 1 };
    if (c === '\\') {
      const e = source.charAt(i + 1);
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) {
        value += simple;
        i += 2;
        continue;
      }
      if (e === 'u') {
        const unit = readHex4(source, i, fail);
        i += 6;
        if (unit >= 0xd800 && unit <= 0xdbff) {
          // A high surrogate must be followed by an escaped low surrogate (JSON encodes characters
          // outside the BMP as a pair); a lone half would corrupt the stored text.
          if (source.slice(i, i + 2) !== '\\u') throw loneSurrogate(i - 6, fail);
          const low = readHex4(source, i, fail);
          if (low < 0xdc00 || low > 0xdfff) throw loneSurrogate(i - 6, fail);
          value += String.fromCharCode(unit, low);
          i += 6;
        } else if (unit >= 0xdc00 && unit <= 0xdfff) {
          throw loneSurrogate(i - 6, fail);
        } else if (unit === 0) {
          // No stored value can hold U+0000 (PostgreSQL text cannot), so no filter can match one.
          throw fail(`The string ${positionOf(i - 6)} contains \\u0000 (NUL), which no value can hold`, 'string');
        } else {
          value += String.fromCharCode(unit);
        }
        continue;
      }
      const shown = e === '' ? '\\' : `\\${e}`;
      throw fail(
        `Invalid escape "${shown}" in the string ${positionOf(i)}; allowed are \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX`,
        'string',
      );
    }
    if (c < ' ') {
      throw fail(
        `Control character U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} in the string ${positionOf(i)} must be escaped (for example \\n or \\u0009)`,
        'string',
      );
    }
    value += c;
    i++;
  }
  throw fail(`Unterminated string starting ${positionOf(start)}: add the closing '"'`, 'string');
}

function readHex4(source: string, backslash: number, fail: ErrorFactory): number {
  const hex = source.slice(backslash + 2, backslash + 6);
  if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
    throw fail(
      `Invalid escape "${source.slice(backslash, backslash + 6)}" in the string ${positionOf(backslash)}: \\u must be followed by 4 hexadecimal digits`,
      'string',
    );
  }
  return Number.parseInt(hex, 16);
}

function loneSurrogate(at: number, fail: ErrorFactory): ScimError {
  return fail(
    `Unpaired UTF-16 surrogate escape in the string ${positionOf(at)}: characters outside the Basic Multilingual Plane are written as a pair such as \\ud83d\\ude00`,
    'string',
  );
}

function readNumber(source: string, start: number, fail: ErrorFactory): { value: number; end: number } {
  NUMBER.lastIndex = start;
  const match = NUMBER.exec(source);
  let end = match ? start + match[0].length : start;
  const next = source.charAt(end);
  if (!match || isWordChar(next)) {
    while (end < source.length && (isWordChar(source.charAt(end)) || source.charAt(end) === '+')) end++;
    if (end === start) end = start + 1;
    throw fail(
      `Invalid number "${source.slice(start, end)}" ${positionOf(start)}: numbers follow JSON, as in 42, -1.5 or 1e3`,
      'syntax',
    );
  }
  return { value: Number(source.slice(start, end)), end };
}

const ATTRNAME = /^(?:\$ref|[A-Za-z][A-Za-z0-9_-]*)$/i;

/** RFC 7643 §2.1: ATTRNAME = ALPHA *(nameChar), plus `$ref` of reference sub-attributes. */
export function isAttrName(name: string): boolean {
  return ATTRNAME.test(name);
}

/**
 * Turns a `word` token into an attribute path. The URI is split off at the LAST ':' first (URNs
 * contain dots, as in `...:enterprise:2.0:User:manager.value`), then the rest is split on '.'
 * into attribute and sub-attribute. A bare schema URN such as
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User` therefore reads as
 * `{ uri: 'urn:...:2.0', attr: 'User' }`; callers that accept a whole schema compare
 * `uri + ':' + attr` with schema ids.
 */
export function wordToAttrPath(token: WordToken, fail: ErrorFactory): AttrPath {
  const raw = token.text;
  const where = positionOf(token.at);
  const colon = raw.lastIndexOf(':');
  const uri = colon >= 0 ? raw.slice(0, colon) : undefined;
  const rest = colon >= 0 ? raw.slice(colon + 1) : raw;
  if (uri === '') throw fail(`Expected a schema URN before ":" in "${raw}" ${where}`, 'syntax');
  if (rest === '') {
    throw fail(`Expected an attribute name after the schema URN in "${raw}" ${where}`, 'syntax');
  }
  const parts = rest.split('.');
  if (parts.length > 2) {
    throw fail(
      `"${raw}" ${where} has more than one sub-attribute; a path is attribute or attribute.subAttribute`,
      'syntax',
    );
  }
  const attr = parts[0] ?? '';
  const sub = parts[1];
  if (!isAttrName(attr)) {
    throw fail(
      `"${attr}" in "${raw}" ${where} is not a valid attribute name (a letter followed by letters, digits, "-" or "_")`,
      'syntax',
    );
  }
  if (sub !== undefined && !isAttrName(sub)) {
    const detail =
      sub === ''
        ? `Expected a sub-attribute name after "." in "${raw}" ${where}`
        : `"${sub}" in "${raw}" ${where} is not a valid sub-attribute name (a letter followed by letters, digits, "-" or "_")`;
    throw fail(detail, 'syntax');
  }
  return {
    ...(uri !== undefined ? { uri } : {}),
    attr,
    ...(sub !== undefined ? { sub } : {}),
  };
}

/**
 * Parses text that must be exactly one attribute path (a `sortBy` value, one entry of
 * `attributes`), e.g. `name.givenName` or `urn:...:enterprise:2.0:User:employeeNumber`.
 */
export function parseAttrPath(text: string, fail: ErrorFactory): AttrPath {
  const stream = new TokenStream(text, tokenize(text, fail), fail, 'text');
  const token = stream.next();
  if (token.kind !== 'word') {
    throw fail(`Expected an attribute name ${positionOf(token.at)}, found ${stream.describe(token)}`, 'syntax');
  }
  const path = wordToAttrPath(token, fail);
  const after = stream.peek();
  if (after.kind !== 'end') {
    throw fail(`Expected only an attribute name, found ${stream.describe(after)} ${positionOf(after.at)}`, 'syntax');
  }
  return path;
}

/** A cursor over the tokens of one source text, with the helpers parsers need for messages. */
export class TokenStream {
  readonly source: string;
  readonly fail: ErrorFactory;
  /** What the source is, for "the end of the filter" and similar messages. */
  readonly noun: string;
  private readonly tokens: readonly Token[];
  private index = 0;

  constructor(source: string, tokens: readonly Token[], fail: ErrorFactory, noun: string) {
    this.source = source;
    this.tokens = tokens;
    this.fail = fail;
    this.noun = noun;
  }

  /** The current token (the `end` token once everything is consumed). */
  peek(): Token {
    return this.tokens[Math.min(this.index, this.tokens.length - 1)] as Token;
  }

  /** Returns the current token and moves past it (never past `end`). */
  next(): Token {
    const token = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return token;
  }

  /** How a token is shown in a message: `"equals"`, `"("`, `the string "x"`, `the end of the filter`. */
  describe(token: Token): string {
    switch (token.kind) {
      case 'end':
        return `the end of the ${this.noun}`;
      case 'string': {
        const raw = this.source.slice(token.at, token.end);
        return `the string ${raw.length > 40 ? `${raw.slice(0, 37)}..."` : raw}`;
      }
      case 'number':
        return `the number ${this.source.slice(token.at, token.end)}`;
      case 'word':
        return `"${token.text.length > 40 ? `${token.text.slice(0, 37)}...` : token.text}"`;
      default:
        return `"${token.kind}"`;
    }
  }
}
