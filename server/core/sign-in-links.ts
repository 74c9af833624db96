import { createHmac, timingSafeEqual } from 'node:crypto';
import { itemLink, type ItemRef } from './items';

/**
 * One-time sign-in links behind the Open button of an alert to one of our people:
 * a token signed by the engine's secret that names the person, the item and an expiry. The
 * server marks it used on the first open (server/auth/sessions.ts), so the link in a Telegram
 * chat is a key for one door, once, for a quarter of an hour.
 */
export const SIGN_IN_LINK_TTL_MS = 15 * 60_000;

export interface SignInLinkClaims {
  login: string;
  item: ItemRef;
  /** Random, unique per link: what "used" is recorded under. */
  nonce: string;
  expiresAt: number;
}

export type SignInLinkCheck =
  | { ok: true; claims: SignInLinkClaims }
  /** `expired` and `invalid` say so to the person; an expired link still names its item. */
  | { ok: false; reason: 'expired'; item: ItemRef }
  | { ok: false; reason: 'invalid' };

/** A key of its own, derived from the tracking secret: a tracking token is never a sign-in link. */
function linkKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('robots sign-in link v1').digest();
}

function signature(body: string, secret: string): string {
  return createHmac('sha256', linkKey(secret)).update(body).digest('base64url');
}

export function signSignInLink(claims: SignInLinkClaims, secret: string): string {
  const body = Buffer.from(JSON.stringify({ l: claims.login, i: `${claims.item.kind}:${claims.item.id}`, n: claims.nonce, e: claims.expiresAt })).toString('base64url');
  return `${body}.${signature(body, secret)}`;
}

export function verifySignInLink(token: string, secret: string, now: number): SignInLinkCheck {
  const [body, given, extra] = token.split('.');
  if (!body || !given || extra !== undefined) return { ok: false, reason: 'invalid' };
  const expected = signature(body, secret);
  if (expected.length !== given.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(given))) return { ok: false, reason: 'invalid' };
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  const { l, i, n, e } = (raw ?? {}) as Record<string, unknown>;
  const item = typeof i === 'string' ? /^(lead|deal):(\d{1,10})$/.exec(i) : null;
  if (typeof l !== 'string' || typeof n !== 'string' || typeof e !== 'number' || !item) return { ok: false, reason: 'invalid' };
  const ref: ItemRef = { kind: item[1] as ItemRef['kind'], id: Number(item[2]) };
  if (now >= e) return { ok: false, reason: 'expired', item: ref };
  return { ok: true, claims: { login: l, item: ref, nonce: n, expiresAt: e } };
}

export function signInLinkUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/auth/link?token=${token}`;
}

/**
 * The alert's buttons with the Open button (the item's board link) turned into a sign-in
 * link for its recipient. Made when the message leaves, so the quarter of an hour starts when
 * the person can see it, and the link never sits in the messages table, which others may read.
 */
export function withSignInLink(meta: Record<string, unknown>, link: { baseUrl: string; secret: string; login: string; item: ItemRef; now: number; nonce: string }): Record<string, unknown> {
  if (!Array.isArray(meta.buttons)) return meta;
  const boardLink = itemLink(link.baseUrl, link.item);
  const url = signInLinkUrl(link.baseUrl, signSignInLink({ login: link.login, item: link.item, nonce: link.nonce, expiresAt: link.now + SIGN_IN_LINK_TTL_MS }, link.secret));
  let swapped = false;
  const swap = (button: unknown): unknown => {
    if (Array.isArray(button)) return button.map(swap);
    if (button && typeof button === 'object' && (button as { url?: unknown }).url === boardLink) {
      swapped = true;
      return { ...button, url };
    }
    return button;
  };
  const buttons = meta.buttons.map(swap);
  return swapped ? { ...meta, buttons } : meta;
}
