import { Router } from 'express';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { pipelineOf } from '../../core/compiled-config';
import type { Clock } from '../../core/clock';
import type { LiveConfig } from '../../core/live-config';
import { funnelReport, loadFunnelRows } from '../../reports/analytics';
import type { ReadSource } from '../../reads/source';
import { ForbiddenError, InvalidRequestError } from '../../core/errors';
import { canReadFunnel } from '../../auth/access';
import { requireOperation } from '../auth';
import { parse, RequestValidationError } from '../problem';
import { userNames } from '../../reads/users';

export const FunnelQuery = z.strictObject({
  pipeline: z.string().default('leads').describe('`leads` or a deal pipeline'),
  from: z.iso.date().optional().describe("YYYY-MM-DD, items and moves from this day (the config's time zone)"),
  to: z.iso.date().optional().describe("YYYY-MM-DD, up to and including this day (the config's time zone)"),
});

/** GET /api/analytics/funnel: the funnel report of one pipeline (managers, of a deal pipeline its team's; ops, admins). */
export function analyticsRoutes(deps: { config: LiveConfig; clock: Clock; reads: ReadSource }): Router {
  const router = Router();
  router.get('/funnel', requireOperation('analytics.read'), async (request, response) => {
    const query = parse(FunnelQuery, request.query);
    const config = deps.config.current;
    if (!pipelineOf(config, query.pipeline)) {
      throw new InvalidRequestError(`unknown pipeline "${query.pipeline}" (leads, ${[...config.deals.keys()].join(', ')})`);
    }
    if (!canReadFunnel(config, request.user!, query.pipeline)) {
      throw new ForbiddenError(`the funnel of "${query.pipeline}" is for the managers of its team, ops and admins`, 'forbidden.funnel');
    }
    // Days are the config's days: "from 2026-11-01" in Moscow starts at Moscow's midnight, and
    // "to" takes in its whole day (from=today&to=today is today), so the bound is the next midnight.
    const zone = config.source.timezone;
    const since = query.from ? DateTime.fromISO(query.from, { zone }).toMillis() : 0;
    const until = query.to ? DateTime.fromISO(query.to, { zone }).plus({ days: 1 }).toMillis() : Number.MAX_SAFE_INTEGER;
    if (since >= until) throw new RequestValidationError([{ path: 'to', message: '`to` is before `from`' }]);
    const rows = await loadFunnelRows(deps.reads, config, query.pipeline, since, until);
    const stored = new Map((await userNames(deps.reads)).map((user) => [user.login, user.name]));
    response.json({ ...funnelReport(config, query.pipeline, rows, deps.clock.now(), stored), from: query.from ?? null, to: query.to ?? null });
  });
  return router;
}
