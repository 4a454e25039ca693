import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScimError } from '../scim/scim-error.js';
import { checkWebhookUrl, MAX_WEBHOOK_URL } from './webhook-views.js';

test('a webhook URL is http or https, without credentials, and not too long', () => {
  assert.equal(checkWebhookUrl(' https://hooks.example.com/parallel '), 'https://hooks.example.com/parallel');
  assert.equal(checkWebhookUrl('http://127.0.0.1:8080/x?y=1'), 'http://127.0.0.1:8080/x?y=1');
  for (const bad of [
    'ftp://example.com/x',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'hooks.example.com/x',
    '',
    'https://user:pass@example.com/x',
    `https://example.com/${'a'.repeat(MAX_WEBHOOK_URL)}`,
  ]) {
    assert.throws(
      () => checkWebhookUrl(bad),
      (e: unknown) => e instanceof ScimError && e.status === 400 && e.code === 'webhook.url',
      bad,
    );
  }
});
