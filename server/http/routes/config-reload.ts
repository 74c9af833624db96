import { Router } from 'express';
import { z } from 'zod';
import type { Clock } from '../../core/clock';
import { ConfigError } from '../../core/errors';
import type { LiveConfig } from '../../core/live-config';
import type { Store } from '../../db/store';
import type { RunQueue } from '../../pipeline/queue';
import { planConfigFile, type ReloadResult } from '../../config-ops/plan-state';
import { requireOperation } from '../auth';
import { parse } from '../problem';

/** The query of `POST /api/config/reload`: `?dry_run=1` plans instead of reloading; any other key is a 400. */
export const ReloadQuery = z.strictObject({ dry_run: z.enum(['1', 'true']).optional().describe('Plan only: answer what the reload would do, change nothing') });

export interface ConfigReloadDeps {
  clock: Clock;
  config: LiveConfig;
  store: Store;
  queue: RunQueue;
  configFile: string;
  reload(): Promise<ReloadResult>;
}

/** `POST /api/config/reload`: reload the file now, or (`?dry_run=1`) say what a reload would do to the runs already scheduled. */
export function configReloadRoutes(deps: ConfigReloadDeps): Router {
  const router = Router();
  router.post('/reload', requireOperation('config.reload'), async (request, response) => {
    if (parse(ReloadQuery, request.query).dry_run) {
      const planned = await planConfigFile(deps, deps.configFile);
      if (!planned.ok) throw new ConfigError(planned.issues);
      response.json({ status: 'planned', ...planned.plan });
      return;
    }
    const result = await deps.reload();
    if (!result.ok) throw new ConfigError(result.issues);
    response.json({ status: 'reloaded', cancelled_runs: result.cancelledRuns });
  });
  return router;
}
