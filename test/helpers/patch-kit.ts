import assert from 'node:assert/strict';
import { applyPatch } from '../../src/scim/patch/apply-patch.js';
import type { ResourceDoc } from '../../src/scim/resource-doc.js';
import type { ResourceTypeDef } from '../../src/scim/schema/attribute.js';
import { ScimError } from '../../src/scim/scim-error.js';

/** Freezes a value and everything in it, so a test proves the core never writes its input. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * Asserts that a PATCH body is refused with 400, this scimType and this exact detail, and that
 * the (frozen) document it was applied to is unchanged.
 */
export function assertRefused(
  type: ResourceTypeDef,
  before: ResourceDoc,
  body: unknown,
  expected: { scimType: string | undefined; detail: string },
): void {
  const current = deepFreeze(structuredClone(before));
  assert.throws(
    () => applyPatch(type, current, body),
    (error: unknown) => {
      assert.ok(error instanceof ScimError);
      assert.deepEqual(
        { status: error.status, scimType: error.scimType, detail: error.detail },
        { status: 400, scimType: expected.scimType, detail: expected.detail },
      );
      return true;
    },
  );
  assert.deepEqual(current, before);
}

/** The ScimError `fn` throws, as plain fields to compare whole; fails when it throws nothing else. */
export function refusal(fn: () => unknown): {
  status: number;
  scimType: string | undefined;
  code: string;
  detail: string;
} {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ScimError, `expected a ScimError, got ${String(error)}`);
    return { status: error.status, scimType: error.scimType, code: error.code, detail: error.detail };
  }
  assert.fail('expected the call to throw');
}
