import type { FakeClock } from '../core/clock';
import type { Engine } from '../engine/engine';

/**
 * Walks a fake clock to `until`, stopping at every moment a run falls due so each robot runs
 * at its own due time (Temporal-style time skipping: days of cadence in milliseconds).
 */
export async function fastForward(engine: Engine, clock: FakeClock, until: number): Promise<number> {
  let processed = await engine.runDue();
  for (let guard = 0; guard < 100000; guard += 1) {
    const next = await engine.scheduler.nextDueAt();
    if (next === null || next > until) break;
    if (next > clock.now()) clock.set(next);
    processed += await engine.runDue();
  }
  if (until > clock.now()) clock.set(until);
  processed += await engine.runDue();
  return processed;
}
