import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { WebhookRecord } from '../store/webhooks-store.js';

/** Standard Webhooks' secret form: the prefix, then base64 of the key bytes. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';
/** 32 bytes: the spec asks for 24 to 64. */
const SECRET_BYTES = 32;

/** A new signing secret, `whsec_` + base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

/** The secrets a delivery at `now` is signed with: the current one, and the previous one in its grace. */
export function signingSecrets(
  webhook: Pick<WebhookRecord, 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>,
  now: number,
): string[] {
  const secrets = [webhook.secret];
  if (
    webhook.previousSecret !== null &&
    webhook.previousSecretExpiresAt !== null &&
    webhook.previousSecretExpiresAt > now
  ) {
    secrets.push(webhook.previousSecret);
  }
  return secrets;
}

/**
 * The three Standard Webhooks headers for one send of `body`. `webhook-id` is the event id, the
 * same on every retry, so a receiver can drop a duplicate; the timestamp is the send's, so each
 * retry is signed anew. During a rotation both secrets sign, space-separated, and a receiver
 * holding either one verifies.
 */
export function signedHeaders(
  webhook: Pick<WebhookRecord, 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>,
  messageId: string,
  body: string,
  now: number,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const timestamp = new Date(Math.floor(now / 1000) * 1000);
  const signatures = signingSecrets(webhook, now).map((secret) => new Webhook(secret).sign(messageId, timestamp, body));
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(now / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}
