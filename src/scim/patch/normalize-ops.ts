import { MAX_PATCH_OPERATIONS } from '../limits.js';
import { parsePath } from '../path/parse-path.js';
import type { PatchPath } from '../path/path-ast.js';
import { isScimObject } from '../resource-doc.js';
import { describeValue } from '../schema/coerce.js';
import { invalidPath, invalidSyntax, ScimError } from '../scim-error.js';

/** RFC 7644 §3.5.2: the message schema of a PATCH body. */
export const PATCH_OP_SCHEMA_ID = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** The three PATCH operations of RFC 7644 §3.5.2, lower-cased. */
export type PatchOpName = 'add' | 'remove' | 'replace';

/**
 * One operation in RFC form: lower-case `op`, `path` parsed. `value` stays raw JSON, because only
 * the schema can tell how to read it (whether "True" is a boolean or a string, see
 * schema/coerce.ts); undefined means the operation had no `value`.
 */
export interface PatchOperation {
  readonly op: PatchOpName;
  readonly path?: PatchPath;
  /** The path as the client wrote it, for messages. */
  readonly pathText?: string;
  readonly value?: unknown;
  /** `Operations[2]`, to name the operation in errors. */
  readonly where: string;
}

const OP_NAMES: ReadonlySet<string> = new Set<PatchOpName>(['add', 'remove', 'replace']);

/**
 * Reads a PATCH request body (RFC 7644 §3.5.2) into operations in RFC form, accepting both Entra
 * dialects:
 * - `schemas`, when present, must list the PatchOp URN (compared ignoring case). A missing
 *   `schemas` is tolerated: the URN carries no information and some RFC clients omit it.
 * - `Operations` (key case-insensitive) must be a non-empty array of objects.
 * - `op` ignores case: Entra's legacy dialect sends "Add", "Replace", "Remove".
 * - `path`, when present and not empty, is parsed (errors are 400 `invalidPath`).
 * - `add` and `replace` need a `value` (RFC 7644 §3.5.2.1, §3.5.2.3).
 *
 * @throws ScimError 400 `invalidSyntax` for a malformed envelope, `invalidPath` for a bad path.
 */
export function normalizeOps(body: unknown): readonly PatchOperation[] {
  if (!isScimObject(body)) {
    throw invalidSyntax(
      `The PATCH body must be a JSON object with "schemas" and "Operations", got ${describeValue(body)}`,
      'patch.notObject',
    );
  }
  const schemas = field(body, 'schemas');
  if (schemas !== undefined && schemas !== null) {
    const ok =
      Array.isArray(schemas) &&
      schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_OP_SCHEMA_ID.toLowerCase());
    if (!ok) {
      throw invalidSyntax(`"schemas" of a PATCH body must be ["${PATCH_OP_SCHEMA_ID}"]`, 'patch.schemas');
    }
  }
  const operations = field(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) {
    throw invalidSyntax(
      operations === undefined
        ? 'The PATCH body has no "Operations"; send an array of operations such as {"op": "replace", "path": "active", "value": false}'
        : `"Operations" must be a non-empty array of operations, got ${Array.isArray(operations) ? 'an empty array' : describeValue(operations)}`,
      'patch.operations',
    );
  }
  if (operations.length > MAX_PATCH_OPERATIONS) {
    throw invalidSyntax(
      `A PATCH may carry at most ${MAX_PATCH_OPERATIONS} operations, got ${operations.length}`,
      'patch.tooManyOperations',
    );
  }
  return operations.map((raw, i) => normalizeOne(raw, `Operations[${i}]`));
}

function normalizeOne(raw: unknown, where: string): PatchOperation {
  if (!isScimObject(raw)) {
    throw invalidSyntax(
      `${where} must be an object with "op", "path" and "value", got ${describeValue(raw)}`,
      'patch.operation',
    );
  }
  const opRaw = field(raw, 'op');
  const op = typeof opRaw === 'string' ? opRaw.toLowerCase() : undefined;
  if (op === undefined || !OP_NAMES.has(op)) {
    throw invalidSyntax(
      `${where}: "op" must be "add", "remove" or "replace", got ${opRaw === undefined ? 'nothing' : describeValue(opRaw)}`,
      'patch.op',
    );
  }
  const pathRaw = field(raw, 'path');
  let path: PatchPath | undefined;
  let pathText: string | undefined;
  if (pathRaw !== undefined && pathRaw !== null) {
    if (typeof pathRaw !== 'string') {
      throw invalidPath(
        `${where}: "path" must be a string such as "name.givenName", got ${describeValue(pathRaw)}`,
        'path.notString',
      );
    }
    // An empty path reads as no path: some clients send "" for the path-less form.
    if (pathRaw.trim() !== '') {
      pathText = pathRaw;
      path = parseWithContext(pathRaw, where);
    }
  }
  const value = field(raw, 'value');
  if ((op === 'add' || op === 'replace') && value === undefined) {
    throw invalidSyntax(`${where}: "${op}" needs a "value" (RFC 7644 §3.5.2)`, 'patch.noValue');
  }
  return {
    op: op as PatchOpName,
    ...(path !== undefined ? { path } : {}),
    ...(pathText !== undefined ? { pathText } : {}),
    ...(value !== undefined ? { value } : {}),
    where,
  };
}

function parseWithContext(text: string, where: string): PatchPath {
  try {
    return parsePath(text);
  } catch (error) {
    if (error instanceof ScimError) {
      throw new ScimError(error.status, `${where}: ${error.detail}`, error.scimType, error.code);
    }
    throw error;
  }
}

/** A member of a JSON object by name ignoring case (Entra and Okta both spell "Operations"). */
function field(object: Readonly<Record<string, unknown>>, name: string): unknown {
  if (Object.hasOwn(object, name)) return object[name];
  const lower = name.toLowerCase();
  const key = Object.keys(object).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : object[key];
}
