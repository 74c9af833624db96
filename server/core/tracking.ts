import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ItemRef } from './items';

/**
 * Our own open pixel and click redirects (issue on triggers): a token names the message and
 * the item, and for clicks the destination, signed so nobody can forge an open or turn the
 * redirect into an open redirect.
 */
export interface TrackingClaims {
  /** Our message id. */
  m?: number;
  /** The item: `lead:42`. */
  i: string;
  /** Click destination. */
  u?: string;
}

export function signTrackingToken(claims: TrackingClaims, secret: string): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = createHmac('sha256', secret).update(body).digest('base64url').slice(0, 22);
  return `${body}.${signature}`;
}

export function verifyTrackingToken(token: string, secret: string): TrackingClaims | null {
  const [body, signature] = token.split('.');
  if (!body || !signature) return null;
  const expected = createHmac('sha256', secret).update(body).digest('base64url').slice(0, 22);
  if (expected.length !== signature.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) return null;
  try {
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TrackingClaims;
    return typeof claims.i === 'string' && /^(lead|deal):\d+$/.test(claims.i) ? claims : null;
  } catch {
    return null;
  }
}

export function itemOfClaims(claims: TrackingClaims): ItemRef {
  const [kind, id] = claims.i.split(':');
  return { kind: kind as ItemRef['kind'], id: Number(id) };
}

const LINK = /https?:\/\/[^\s"'<>)]+/g;

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/**
 * The HTML part of an email written as text: the same words, paragraphs and line breaks, links
 * clickable. A text-only email has nowhere to put the open pixel, so `email_opened` could never
 * fire for the text templates most people write.
 */
/**
 * The client's own unsubscribe link for one email (List-Unsubscribe): signed like the tracking
 * links, so only the mail we sent can opt its recipient out.
 */
export function unsubscribeUrl(claims: { messageId: number; item: ItemRef }, baseUrl: string, secret: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/t/u/${signTrackingToken({ m: claims.messageId, i: `${claims.item.kind}:${claims.item.id}` }, secret)}`;
}

export function textToHtml(text: string): string {
  const paragraphs = text
    .trim()
    .split(/\n{2,}/)
    .map((paragraph) => {
      let html = '';
      let last = 0;
      for (const match of paragraph.matchAll(LINK)) {
        html += escapeHtml(paragraph.slice(last, match.index));
        html += `<a href="${escapeHtml(match[0])}">${escapeHtml(match[0])}</a>`;
        last = (match.index ?? 0) + match[0].length;
      }
      html += escapeHtml(paragraph.slice(last));
      return `<p>${html.replace(/\n/g, '<br>\n')}</p>`;
    });
  return `<!doctype html><html><body>\n${paragraphs.join('\n')}\n</body></html>`;
}

/**
 * Rewrites every link of an outgoing email through our click redirect and adds the open pixel
 * to its HTML. Pure; links already pointing at our tracker are left alone.
 */
export function addTracking(message: { text: string; html: string | null }, claims: { messageId: number; item: ItemRef }, baseUrl: string, secret: string): { text: string; html: string | null } {
  const base = baseUrl.replace(/\/$/, '');
  const item = `${claims.item.kind}:${claims.item.id}`;
  const rewrite = (url: string) => (url.startsWith(`${base}/t/`) ? url : `${base}/t/c/${signTrackingToken({ m: claims.messageId, i: item, u: url }, secret)}`);
  const text = message.text.replace(LINK, rewrite);
  if (message.html === null) return { text, html: null };
  const pixel = `<img src="${base}/t/o/${signTrackingToken({ m: claims.messageId, i: item }, secret)}.gif" width="1" height="1" alt="" style="display:none">`;
  const linked = message.html.replace(/href="(https?:\/\/[^"]+)"/g, (_, url: string) => `href="${rewrite(url)}"`);
  return { text, html: linked.includes('</body>') ? linked.replace('</body>', `${pixel}</body>`) : `${linked}${pixel}` };
}
