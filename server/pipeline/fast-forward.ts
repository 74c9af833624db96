import type { FakeClock } from '../core/clock';
import type { Scheduler } from './scheduler';

/**
 * Walks a fake clock to `until`, stopping at every moment a run falls due so each robot runs
 * at its own due time (Temporal-style time skipping: days of cadence in milliseconds).
 * `afterStep` looks after every step (simulate notes a failed run before its retry overwrites it).
 */
export async function fastForward(scheduler: Pick<Scheduler, 'runDue' | 'nextDueAt'>, clock: FakeClock, until: number, afterStep: () => Promise<void> = async () => undefined): Promise<number> {
  let processed = await scheduler.runDue();
  await afterStep();
  for (let guard = 0; guard < 100000; guard += 1) {
    const next = await scheduler.nextDueAt();
    if (next === null || next > until) break;
    if (next > clock.now()) clock.set(next);
    processed += await scheduler.runDue();
    await afterStep();
  }
  if (until > clock.now()) clock.set(until);
  processed += await scheduler.runDue();
  await afterStep();
  return processed;
}
