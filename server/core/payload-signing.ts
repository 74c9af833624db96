import { createHmac } from 'node:crypto';

/**
 * How a POST between us and another system is signed, both ways: the webhook robot signs what it
 * sends, named webhooks and the raw inbound email endpoint check what they receive.
 */
export const SIGNATURE_HEADER = 'x-robots-signature';
export const TIMESTAMP_HEADER = 'x-robots-timestamp';

/** `sha256=<hex>` over `timestamp.body`: the receiver recomputes it with the shared secret. */
export function signPayload(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}
