import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { newWebhookSecret, signedHeaders, signingSecrets } from './webhook-signing.js';

const body = JSON.stringify({ id: 'evt-1', type: 'user.created', data: { n: 1 } });

test('a secret is whsec_ and base64 of 32 random bytes', () => {
  const secret = newWebhookSecret();
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.equal(Buffer.from(secret.slice(6), 'base64').length, 32);
  assert.notEqual(newWebhookSecret(), secret);
});

test('the headers verify with standardwebhooks; webhook-id is the message id', () => {
  const secret = newWebhookSecret();
  const now = Date.now();
  const headers = signedHeaders({ secret, previousSecret: null, previousSecretExpiresAt: null }, 'evt-1', body, now);
  assert.equal(headers['webhook-id'], 'evt-1');
  assert.equal(headers['webhook-timestamp'], String(Math.floor(now / 1000)));
  assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
  assert.throws(() => new Webhook(newWebhookSecret()).verify(body, headers), /No matching signature/);
  assert.throws(() => new Webhook(secret).verify(`${body} `, headers), /No matching signature/);
});

test('during a rotation both secrets sign, space-separated; after the grace only the current one', () => {
  const [current, previous] = [newWebhookSecret(), newWebhookSecret()];
  const now = Date.now();
  const rotating = { secret: current, previousSecret: previous, previousSecretExpiresAt: now + 1000 };
  const headers = signedHeaders(rotating, 'evt-2', body, now);
  assert.equal(headers['webhook-signature'].split(' ').length, 2);
  for (const secret of [current, previous]) assert.ok(new Webhook(secret).verify(body, headers));
  assert.deepEqual(signingSecrets(rotating, now + 1000), [current]);
  const later = signedHeaders(rotating, 'evt-2', body, now + 1000);
  assert.throws(() => new Webhook(previous).verify(body, later));
  assert.ok(new Webhook(current).verify(body, later));
});
