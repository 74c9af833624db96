import { z } from 'zod';
import { parseDuration } from '../config/duration';
import { Duration, JsonLogic } from '../config/primitives';
import { evaluateCondition } from '../server/core/conditions';
import { NotNowError } from '../server/core/quiet-hours';
import { defineRobot } from './contract';

/**
 * Bitrix24's wait robot: holds the robots written after it in the stage until `until` holds
 * (HubSpot's "delay until"). It is looked at again whenever the item changes (an event on it
 * makes the wait due at once) and every `recheck`; after `timeout` from entering the stage it
 * gives up, and `on_timeout` says whether the robots after it still run.
 */
export const waitFor = defineRobot({
  type: 'wait_for',
  description: 'Wait until a condition holds (at most `timeout` from entering the stage); the robots after it in the stage run when it resolves',
  params: z.object({
    until: JsonLogic.describe('json-logic on the item context: what the robots after it wait for'),
    timeout: Duration.describe('Give up this long after the item entered the stage'),
    on_timeout: z.enum(['continue', 'stop']).default('continue').describe('continue: the robots after it run anyway; stop: they are cancelled'),
    recheck: Duration.default('1h').describe('Look again at least this often (an event on the item looks at once)'),
  }),
  async run({ params, item, context, now }) {
    if (evaluateCondition(params.until, context)) return { outcome: 'done', detail: 'the condition holds', reason: { code: 'done.condition_met' } };
    const deadline = item.row.enteredStageAt + (parseDuration(params.timeout)?.toMillis() ?? 0);
    if (now >= deadline) {
      return params.on_timeout === 'continue'
        ? { outcome: 'done', detail: `timed out after ${params.timeout}; the robots after it run anyway`, reason: { code: 'done.wait_timed_out', params: { after: params.timeout } } }
        : { outcome: 'cancelled', detail: `timed out after ${params.timeout}; the robots after it do not run`, reason: { code: 'cancelled.wait_timed_out', params: { after: params.timeout } } };
    }
    const recheck = parseDuration(params.recheck)?.toMillis() ?? 3_600_000;
    throw new NotNowError(`waiting until the condition holds (gives up ${new Date(deadline).toISOString()})`, Math.min(now + recheck, deadline));
  },
});
