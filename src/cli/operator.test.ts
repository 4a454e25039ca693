import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliOperator } from './operator.js';

test('the CLI operator is the login name, or under sudo the person who typed sudo', () => {
  assert.deepEqual(
    cliOperator({}, () => 'jane'),
    { kind: 'cli', operator: 'jane' },
  );
  assert.deepEqual(
    cliOperator({ SUDO_USER: 'sam' }, () => 'root'),
    { kind: 'cli', operator: 'sam' },
  );
  assert.deepEqual(
    cliOperator({ SUDO_USER: ' ' }, () => 'root'),
    { kind: 'cli', operator: 'root' },
    'an empty SUDO_USER names nobody',
  );
  const noPasswdEntry = () => {
    throw new Error('ENOENT');
  };
  assert.deepEqual(cliOperator({}, noPasswdEntry), { kind: 'cli', operator: 'unknown' });
});
