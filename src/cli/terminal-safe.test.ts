import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonTerminalSafe, terminalSafe } from './terminal-safe.js';

test('control characters, C1 controls and bidi overrides are shown, never obeyed', () => {
  const hostile = '/scim/v2/Users/\u001b[2J\u001b[1;1Hfake line\r\n\u009b31m\u202eexe.txt\u2028';
  assert.equal(
    terminalSafe(hostile),
    '/scim/v2/Users/\\u001B[2J\\u001B[1;1Hfake line\\u000D\\u000A\\u009B31m\\u202Eexe.txt\\u2028',
  );
  assert.equal(terminalSafe('plain ascii, äöü, 日本'), 'plain ascii, äöü, 日本');
  // Already safe text stays as it is, so escaping twice changes nothing.
  assert.equal(terminalSafe(terminalSafe(hostile)), terminalSafe(hostile));
});

test('JSON output keeps its indentation and still parses to the same values', () => {
  const value = { path: '/x\u001b[2J\u009b\u202e', n: 1 };
  const printed = jsonTerminalSafe(JSON.stringify(value, null, 2));
  const unsafe = [...printed].filter((c) => {
    const n = c.codePointAt(0) ?? 0;
    return (n < 0x20 && n !== 0x0a) || (n >= 0x7f && n <= 0x9f) || n === 0x202e;
  });
  assert.deepEqual(unsafe, []);
  assert.match(printed, /\n {2}"path"/);
  assert.deepEqual(JSON.parse(printed), value);
});
