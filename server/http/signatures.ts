import { timingSafeEqual } from 'node:crypto';
import { signPayload } from '../core/payload-signing';

const MAX_SIGNATURE_AGE_MS = 5 * 60 * 1000;

/**
 * Checks `x-robots-signature: sha256=<hex>` over `timestamp.body` and that the timestamp is
 * fresh; the same scheme our outgoing `webhook` robot signs with. Returns why not, or true.
 */
export function verifySignature(secret: string, timestampHeader: string | undefined, signatureHeader: string | undefined, rawBody: string, now: number): true | string {
  if (!timestampHeader || !signatureHeader) return 'missing x-robots-timestamp or x-robots-signature';
  const timestamp = Number(timestampHeader);
  if (!Number.isFinite(timestamp)) return 'x-robots-timestamp is not a Unix time in seconds';
  if (Math.abs(now - timestamp * 1000) > MAX_SIGNATURE_AGE_MS) return 'stale timestamp (more than 5 minutes off)';
  const expected = Buffer.from(signPayload(secret, timestampHeader, rawBody));
  const given = Buffer.from(signatureHeader);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'signature does not match';
  return true;
}
