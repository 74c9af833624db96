import { Router } from 'express';
import { z } from 'zod';
import type { Inbound } from '../../inbound/inbound';
import type { ReadSource } from '../../reads/source';
import { templateOfMessage } from '../../reads/messages';
import { itemOfClaims, verifyTrackingToken } from '../../core/tracking';
import { HttpProblem, parse } from '../problem';

const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const VisitBody = z.object({ token: z.string().max(2000), page: z.string().max(500) });

/**
 * Tracking the client's engagement: our open pixel, our click redirect, and page
 * visits the site reports with the token it got in a tracked link (`?rt=`).
 */
export function trackingRoutes(deps: { inbound: Pick<Inbound, 'ingest'>; reads: ReadSource; trackingSecret: string }): Router {
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

  router.post('/v', async (request, response) => {
    const body = parse(VisitBody, request.body);
    const claims = claimsOf(body.token);
    const result = await inbound.ingest({ type: 'page_visit', item: itemOfClaims(claims), actor: 'tracking', payload: { page: body.page } });
    response.status(202).json({ event_id: result.event.id, outcome: result.outcome });
  });
  return router;
}
