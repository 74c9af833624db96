import type { RunQueue } from '../pipeline/queue';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** A robot on the studio's map: its runs waiting now and how the last seven days' runs ended (the counting is the queue's). */
export async function robotActivity(queue: Pick<RunQueue, 'robotActivity'>, robotId: string, now: number) {
  const { pending, finished } = await queue.robotActivity(robotId, now - WEEK_MS);
  return { robot: robotId, pending, last_7_days: { done: finished.done, skipped: finished.skipped, failed: finished.failed + finished.dead, unknown: finished.unknown, cancelled: finished.cancelled } };
}
