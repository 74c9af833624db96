import { stageOf, type CompiledConfig } from '../core/compiled-config';
import type { RobotRunRow } from '../core/rows';
import { waitingOrder } from '../core/waiting-order';

export type ReloadRun = Pick<RobotRunRow, 'id' | 'entryId' | 'robotId' | 'pipeline' | 'stage' | 'dueAt' | 'waitsFor'>;

export interface ReloadEffects<Run extends ReloadRun> {
  /** Runs of robots the new config drops or moves. */
  cancelled: Run[];
  /** Runs that waited for one of those and still wait for something in the new config: they could never run. */
  cancelledFollowers: Run[];
  /** Runs that waited for one of those and, in the new config, wait for nothing: due now (plus their own delay). */
  released: Run[];
}

/** The rule semantics 8 states: a pending run survives a reload only if its robot is still where it was scheduled. */
export function reloadCancels(next: CompiledConfig, run: Pick<ReloadRun, 'robotId' | 'pipeline' | 'stage'>): boolean {
  const placement = next.robots.get(run.robotId);
  return !placement || placement.stage !== run.stage || placement.pipeline !== run.pipeline;
}

/**
 * What a reload does to the pending runs, pure (the reload and `robots plan` both ask this):
 * runs of robots gone or moved are cancelled; a run waiting (`after_robot`, a branch, a wait)
 * for one of those follows the new config — released when its robot waits for nothing there
 * any more, else cancelled too — down the chain. No run is left waiting for a run that is gone.
 */
export function reloadEffects<Run extends ReloadRun>(next: CompiledConfig, pending: Run[]): ReloadEffects<Run> {
  const cancelled = pending.filter((run) => reloadCancels(next, run));
  const gone = new Set(cancelled.map((run) => `${run.entryId}/${run.robotId}`));
  const cancelledFollowers: Run[] = [];
  const released: Run[] = [];
  const decided = new Set(cancelled.map((run) => run.id));
  for (let changed = true; changed;) {
    changed = false;
    for (const run of pending) {
      if (decided.has(run.id) || run.dueAt !== null || run.waitsFor === null || !gone.has(`${run.entryId}/${run.waitsFor}`)) continue;
      decided.add(run.id);
      changed = true;
      const robots = stageOf(next, run.pipeline, run.stage)?.robots ?? [];
      const waitsNow = waitingOrder(robots)[robots.findIndex((robot) => robot.id === run.robotId)] ?? null;
      if (waitsNow === null) released.push(run);
      else {
        cancelledFollowers.push(run);
        gone.add(`${run.entryId}/${run.robotId}`);
      }
    }
  }
  return { cancelled, cancelledFollowers, released };
}
