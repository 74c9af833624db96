import { Router } from 'express';
import { z } from 'zod';
import type { Inbound } from '../../inbound/inbound';
import type { ReadSource } from '../../reads/source';
import { clientEmailOfMessage, templateOfMessage } from '../../reads/messages';
import type { Messaging } from '../../messaging/messaging';
import { escapeHtml, itemOfClaims, verifyTrackingToken } from '../../core/tracking';
import { HttpProblem, parse } from '../problem';

const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const VisitBody = z.object({ token: z.string().max(2000), page: z.string().max(500) });

/**
 * Tracking the client's engagement: our open pixel, our click redirect, and page
 * visits the site reports with the token it got in a tracked link (`?rt=`).
 */
export function trackingRoutes(deps: { inbound: Pick<Inbound, 'ingest'>; reads: ReadSource; trackingSecret: string; messaging: Pick<Messaging, 'recordConsent'>; locale: () => 'ru' | 'en' }): Router {
  const { inbound, trackingSecret } = deps;
  const router = Router();
  const claimsOf = (token: string) => {
    const claims = verifyTrackingToken(token, trackingSecret);
    if (!claims) throw new HttpProblem({ type: 'urn:robots:bad-tracking-token', title: 'Unknown tracking link', status: 404 });
    return claims;
  };
  const templateOf = (messageId?: number) => (messageId ? templateOfMessage(deps.reads, messageId) : Promise.resolve(null));

  router.get('/o/:token.gif', async (request, response) => {
    const claims = verifyTrackingToken(request.params.token, trackingSecret);
    if (claims) {
      await inbound.ingest({ type: 'email_opened', item: itemOfClaims(claims), actor: 'tracking', payload: { message_id: claims.m ?? null, template: await templateOf(claims.m) } });
    }
    // Always answer with the pixel, even for a token we do not know: a mail client shows a broken image otherwise.
    response.set({ 'Content-Type': 'image/gif', 'Cache-Control': 'no-store' }).send(PIXEL);
  });

  router.get('/c/:token', async (request, response) => {
    const claims = claimsOf(request.params.token);
    if (!claims.u) throw new HttpProblem({ type: 'urn:robots:bad-tracking-token', title: 'Unknown tracking link', status: 404 });
    await inbound.ingest({ type: 'link_clicked', item: itemOfClaims(claims), actor: 'tracking', payload: { message_id: claims.m ?? null, url: claims.u, template: await templateOf(claims.m) } });
    // Pass a visitor token on, so the site can report page visits of this lead.
    const target = new URL(claims.u);
    target.searchParams.set('rt', request.params.token.split('.').length === 2 ? request.params.token : '');
    response.redirect(302, target.toString());
  });

  // The client's unsubscribe link: opening it asks (mail scanners open links unasked), the
  // button — or a mail program's one-click POST (RFC 8058) — records the opt-out.
  const addressOf = async (token: string) => {
    const claims = claimsOf(token);
    const address = claims.m ? await clientEmailOfMessage(deps.reads, claims.m) : null;
    if (!address) throw new HttpProblem({ type: 'urn:robots:bad-tracking-token', title: 'Unknown tracking link', status: 404 });
    return address;
  };
  router.get('/u/:token', async (request, response) => {
    const address = await addressOf(request.params.token);
    const words = UNSUBSCRIBE_WORDS[deps.locale()];
    response
      .set('Cache-Control', 'no-store')
      .type('html')
      .send(unsubscribePage(words.ask(address), `<form method="post"><button type="submit">${words.button}</button></form>`, deps.locale()));
  });
  router.post('/u/:token', async (request, response) => {
    const address = await addressOf(request.params.token);
    await deps.messaging.recordConsent({ channel: 'email', address, status: 'opt_out', source: 'unsubscribe_link', actor: 'unsubscribe link' });
    response
      .set('Cache-Control', 'no-store')
      .type('html')
      .send(unsubscribePage(UNSUBSCRIBE_WORDS[deps.locale()].done(address), '', deps.locale()));
  });

  router.post('/v', async (request, response) => {
    const body = parse(VisitBody, request.body);
    const claims = claimsOf(body.token);
    const result = await inbound.ingest({ type: 'page_visit', item: itemOfClaims(claims), actor: 'tracking', payload: { page: body.page } });
    response.status(202).json({ event_id: result.event.id, outcome: result.outcome });
  });
  return router;
}

const UNSUBSCRIBE_WORDS = {
  ru: { ask: (address: string) => `Больше не присылать письма на ${address}?`, button: 'Отписаться', done: (address: string) => `Готово: на ${address} больше не придут наши письма.` },
  en: { ask: (address: string) => `Stop sending emails to ${address}?`, button: 'Unsubscribe', done: (address: string) => `Done: ${address} will get no more emails from us.` },
};

/** A page of its own: the client has no session, and the board's styles are not theirs to load. */
function unsubscribePage(sentence: string, form: string, locale: 'ru' | 'en'): string {
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(sentence)}</title></head><body><main><h1>${escapeHtml(sentence)}</h1>${form}</main></body></html>`;
}
