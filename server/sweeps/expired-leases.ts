import { In } from 'typeorm';
import { MessageEntity } from '../db/entities';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock';
import type { Store } from '../db/store';
import type { RunQueue } from '../pipeline/queue';
import type { Scheduler, Sweep } from '../pipeline/scheduler';

export interface ExpiredLeasesDeps {
  store: Store;
  clock: Clock;
  queue: RunQueue;
  scheduler: Pick<Scheduler, 'wake'>;
  logger: Pick<Logger, 'warn'>;
  leaseMs: number;
}

/**
 * Oban's rescuer, BullMQ's stalled-job check: a run still `running` after its lease ran out
 * belongs to a worker that stopped (kill -9, a lost connection). If one of its messages was
 * leaving when it stopped, nobody can say whether it arrived: the run and the message become
 * `unknown`, visible and retryable by hand, never resent blindly. Otherwise every side effect
 * of a run is keyed (messages, deals, tasks, calls), so it goes back to the queue and runs again.
 */
async function reclaimExpiredLeases(deps: ExpiredLeasesDeps): Promise<{ requeued: number; unknown: number }> {
  const now = deps.clock.now();
  const expired = await deps.queue.expiredLeases(now);
  let requeued = 0;
  let unknown = 0;
  for (const run of expired) {
    const inDoubt = await deps.store.manager.find(MessageEntity, { where: { runId: run.id, status: 'sending' }, select: ['id', 'channel', 'recipient'] });
    const worker = run.lockedBy ?? 'a worker';
    await deps.store.transaction(async (manager) => {
      if (inDoubt.length > 0) {
        await manager.update(MessageEntity, { id: In(inDoubt.map((message) => message.id)), status: 'sending' }, { status: 'unknown', error: `${worker} stopped while sending; not resent` });
        const which = inDoubt.map((message) => `${message.channel} to ${message.recipient}`).join(', ');
        await deps.queue.reclaim(
          manager,
          run,
          {
            status: 'unknown',
            detail: `${worker} stopped while sending (${which}): it may or may not have arrived, so it is not resent; retry by hand to send again`,
            reason: { code: 'unknown.worker_stopped', params: { worker } },
          },
          now,
        );
        unknown += 1;
      } else {
        await deps.queue.reclaim(manager, run, { status: 'scheduled', detail: `taken back after ${worker} stopped (lease expired); runs again`, reason: { code: 'scheduled.reclaimed', params: { worker } } }, now);
        requeued += 1;
      }
    });
    deps.logger.warn({ run: run.id, robot: run.robotId, worker, inDoubt: inDoubt.length }, 'reclaimed a run whose lease expired');
  }
  if (requeued > 0) deps.scheduler.wake();
  return { requeued, unknown };
}

/** The scheduler's sweep: on the first pass after a start, then every quarter lease. */
export function expiredLeasesSweep(deps: ExpiredLeasesDeps): Sweep {
  return { name: 'expired leases', everyMs: deps.leaseMs / 4, run: () => reclaimExpiredLeases(deps) };
}
