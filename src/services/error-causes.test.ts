import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { causeOf, ERROR_CAUSES } from './error-causes.js';

/** The codes the README's symptom table names, in its "log entry says" column. */
function readmeCodes(): Set<string> {
  const lines = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').split('\n');
  const start = lines.findIndex((l) => /^\| symptom \| log entry says \| cause \|$/.test(l));
  assert.ok(start >= 0, 'README has the symptom table');
  const codes = new Set<string>();
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const says = line.split('|')[2] ?? '';
    for (const match of says.matchAll(/`([^`]+)`/g)) codes.add(match[1] ?? '');
  }
  return codes;
}

test('the module and the README symptom table name the same codes', () => {
  const inModule = new Set(ERROR_CAUSES.flatMap((e) => e.codes));
  const inReadme = readmeCodes();
  assert.deepEqual(
    [...inModule].filter((c) => !inReadme.has(c)),
    [],
    'codes explained in error-causes.ts but missing from the README table',
  );
  assert.deepEqual(
    [...inReadme].filter((c) => !inModule.has(c)),
    [],
    'codes in the README table that error-causes.ts does not explain',
  );
});

test('an exact code wins over its family, a family covers the rest, an unknown code has none', () => {
  assert.match(causeOf('user.userNameTaken')?.cause ?? '', /already holds this userName/);
  assert.match(causeOf('value.tooManyValues')?.cause ?? '', /size limits/);
  assert.match(causeOf('value.type')?.cause ?? '', /wrong type or format/);
  assert.match(causeOf('filter.syntax')?.cause ?? '', /filter or sort/);
  assert.match(causeOf('list.sortOrder.invalid')?.cause ?? '', /filter or sort/);
  assert.equal(causeOf('nosuch.code'), undefined);
  assert.equal(causeOf('internalish'), undefined);
  assert.equal(causeOf(null), undefined);
});

test('every cause and remedy is a sentence', () => {
  for (const entry of ERROR_CAUSES) {
    assert.match(entry.cause, /^[A-Z].*\.$/, entry.codes.join());
    assert.match(entry.remedy, /^[A-Z].*[.)]$/, entry.codes.join());
  }
});
