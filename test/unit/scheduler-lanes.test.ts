import { FakeClock } from '../../server/core/clock';
import type { RobotRunRow } from '../../server/core/rows';
import type { RunQueue } from '../../server/pipeline/queue';
import { laneLimit, Scheduler } from '../../server/pipeline/scheduler';
import { until } from '../support/until';

const clock = new FakeClock('2026-03-02T09:00:00+03:00');

function run(id: number, robotType: string, dueAt: number): RobotRunRow {
  return {
    id,
    entryId: id, // one run an entry: nothing waits for an earlier robot of its stage
    entityType: 'lead',
    entityId: id,
    pipeline: 'leads',
    stage: 'new',
    robotId: `${robotType}_${id}`,
    robotType,
    position: 0,
    status: 'running',
    dueAt,
    waitsFor: null,
    attempts: 0,
    causalDepth: 0,
    detail: null,
    lastError: null,
    lockedBy: 'test',
    leaseUntil: null,
    startedAt: null,
    finishedAt: null,
    createdAt: dueAt,
  };
}

/** A queue of due runs handed out in order, skipping the types the worker has no slot for, as claimDue does. */
function queueOf(runs: RobotRunRow[]): RunQueue {
  let pending = [...runs];
  return {
    claimDue: async (_now: number, limit: number, _worker: string, _leaseMs: number, excludedTypes: readonly string[] = []) => {
      const claimed = pending.filter((candidate) => !excludedTypes.includes(candidate.robotType)).slice(0, limit);
      pending = pending.filter((candidate) => !claimed.includes(candidate));
      return claimed;
    },
    renewLeases: async () => undefined,
    nextDueAt: async () => null,
  } as unknown as RunQueue;
}

describe('slots shared by robot types', () => {
  it('leaves every type but one a share: 60 hanging webhooks do not keep 5 alerts waiting', async () => {
    const now = clock.now();
    const webhooks = Array.from({ length: 60 }, (_, index) => run(index + 1, 'webhook', now - 60_000));
    const alerts = Array.from({ length: 5 }, (_, index) => run(100 + index, 'notify', now - 1_000));
    const hanging: Array<() => void> = [];
    let webhooksAtOnce = 0;
    let mostWebhooksAtOnce = 0;
    const alerted: number[] = [];
    const scheduler = new Scheduler({
      queue: queueOf([...webhooks, ...alerts]),
      clock,
      logger: { error: () => undefined, warn: () => undefined },
      workerId: 'test',
      leaseMs: 60_000,
      concurrency: 8,
      execute: async (claimed) => {
        if (claimed.robotType === 'notify') {
          alerted.push(claimed.id);
          return;
        }
        webhooksAtOnce += 1;
        mostWebhooksAtOnce = Math.max(mostWebhooksAtOnce, webhooksAtOnce);
        await new Promise<void>((resolve) => hanging.push(resolve));
        webhooksAtOnce -= 1;
      },
    });

    const drained = scheduler.runDue();
    await until(() => alerted.length === 5, { what: 'the 5 alerts ran beside the hanging webhooks' });
    expect(mostWebhooksAtOnce).toBe(laneLimit(8));
    // The webhooks still waiting for a slot are late, and say so.
    expect(scheduler.oldestWaitingDueAt()).toBe(now - 60_000);

    while (hanging.length > 0 || webhooksAtOnce > 0) {
      hanging.splice(0).forEach((release) => release());
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await drained).toBe(65);
    expect(scheduler.oldestWaitingDueAt()).toBeNull();
  });

  it('lets a type alone in the queue use nearly every slot, and one slot is always one', () => {
    expect(laneLimit(128)).toBe(96);
    expect(laneLimit(4)).toBe(3);
    expect(laneLimit(1)).toBe(1);
  });
});
