import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScimError } from '../scim-error.js';
import { checkIfMatch, ifNoneMatchHits, parseEntityTags } from './preconditions.js';
import { etag, versionOfEtag } from './to-scim.js';

test('checkIfMatch: absent, *, the current version or a list holding it pass; anything else is 412', () => {
  for (const header of [undefined, '*', 'W/"3"', 'W/"1", W/"3"']) {
    assert.doesNotThrow(() => checkIfMatch('User', 3, header), String(header));
  }
  for (const header of ['W/"2"', '"3"', '']) {
    assert.throws(
      () => checkIfMatch('Group', 3, header),
      (e: unknown) => e instanceof ScimError && e.status === 412 && e.code === 'group.preconditionFailed',
      header,
    );
  }
});

test('checkIfMatch compares the version alone: a User ETag with its groups digest passes on the same version', () => {
  assert.doesNotThrow(() => checkIfMatch('User', 3, 'W/"3-AbC_9-x"'));
  assert.doesNotThrow(() => checkIfMatch('User', 3, 'W/"9", W/"3-zz"'));
  assert.throws(
    () => checkIfMatch('User', 3, 'W/"4-AbC"'),
    (e: unknown) => e instanceof ScimError && e.status === 412,
  );
  // Malformed lists hold no version: the write is refused rather than guessed at.
  for (const header of ['W/3', 'W/"3', 'W/"3" W/"4"', 'abc']) {
    assert.throws(
      () => checkIfMatch('User', 3, header),
      (e: unknown) => e instanceof ScimError && e.status === 412,
      header,
    );
  }
});

test('parseEntityTags reads RFC 7232 lists tag by tag: commas inside a tag, empty elements, *', () => {
  assert.equal(parseEntityTags(' * '), '*');
  assert.deepEqual(parseEntityTags('W/"a,b", "c" ,, W/""'), [
    { weak: true, opaque: '"a,b"' },
    { weak: false, opaque: '"c"' },
    { weak: true, opaque: '""' },
  ]);
  for (const bad of ['', 'W/', '"a', 'a"b"', '"a" "b"', 'w/"a"']) assert.equal(parseEntityTags(bad), undefined, bad);
});

test('ifNoneMatchHits: weak comparison, * for any current representation, a list, nothing for junk', () => {
  const current = etag(7, 'dig');
  for (const header of ['*', current, 'W/"1", W/"7-dig"', '"7-dig"'])
    assert.equal(ifNoneMatchHits(header, current), true, header);
  for (const header of [undefined, 'W/"7"', 'W/"7-other"', 'W/"8-dig"', 'garbage', '']) {
    assert.equal(ifNoneMatchHits(header, current), false, String(header));
  }
  assert.equal(ifNoneMatchHits('W/"7"', etag(7)), true);
});

test('etag and versionOfEtag: the counter, with the digest when there is one, read back', () => {
  assert.equal(etag(5), 'W/"5"');
  assert.equal(etag(5, 'x-Y_1'), 'W/"5-x-Y_1"');
  assert.equal(versionOfEtag(etag(5, 'x-Y_1')), 5);
  assert.equal(versionOfEtag('W/"5"'), 5);
  for (const tag of ['"5"', 'W/"five"', 'W/"5-"', 'W/"5-a b"']) assert.equal(versionOfEtag(tag), undefined, tag);
});
