import type { RobotRunRow } from '../db/entities';
import type { Engine } from './engine';
import { executeRun } from './runner';
import { raiseOverdueTasks } from './events';
import { expireUnansweredCalls } from './callbacks';

/**
 * The durable queue is the robot_runs table itself (a small JobQueue): a run is claimed
 * atomically, executed, and its outcome written back. A worker sleeps until the next due
 * run, and a commit that schedules something wakes it at once.
 */
export interface JobQueue {
  claimDue(now: number, limit: number, workerId: string): Promise<RobotRunRow[]>;
  nextDueAt(): Promise<number | null>;
}

const BATCH = 64;
const MAX_IDLE_MS = 1000;
const CALL_SWEEP_MS = 15000;

export class Scheduler {
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private draining: Promise<number> | null = null;
  private wakeRequested = false;
  private timerAt = Number.POSITIVE_INFINITY;
  private lastCallSweep = Number.NEGATIVE_INFINITY;

  constructor(private readonly engine: Engine) {}

  get queue(): JobQueue {
    const store = this.engine.store;
    return { claimDue: (now, limit, workerId) => store.claimDueRuns(now, limit, workerId), nextDueAt: () => store.nextDueAt() };
  }

  /** Claims and executes due runs until none is due at the clock's now. */
  async runDue(): Promise<number> {
    if (this.draining) {
      this.wakeRequested = true;
      return this.draining;
    }
    this.draining = this.drain();
    try {
      return await this.draining;
    } finally {
      this.draining = null;
    }
  }

  private async drain(): Promise<number> {
    let processed = 0;
    await raiseOverdueTasks(this.engine);
    // A call whose status callback never came must not stall the callback chain: sweep now and then.
    if (this.engine.now() - this.lastCallSweep >= CALL_SWEEP_MS) {
      this.lastCallSweep = this.engine.now();
      await expireUnansweredCalls(this.engine);
    }
    for (;;) {
      this.wakeRequested = false;
      const runs = await this.queue.claimDue(this.engine.now(), BATCH, this.engine.workerId);
      if (runs.length === 0) {
        if (this.wakeRequested) continue;
        return processed;
      }
      await executeInEntryOrder(this.engine, runs);
      processed += runs.length;
    }
  }

  /** Starts the background loop of `serve`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.draining) await this.draining.catch(() => undefined);
  }

  /** Called after a commit that scheduled runs, so immediate robots do not wait for a poll. */
  wake(): void {
    if (!this.running) return;
    if (this.draining) {
      this.wakeRequested = true;
      return;
    }
    this.sleepUntil(this.engine.now());
  }

  /** A run was scheduled for `dueAt`: wake now if it is due, or sleep no longer than until then. */
  scheduled(dueAts: Array<number | null>): void {
    const due = dueAts.filter((at): at is number => at !== null);
    if (due.length === 0) return;
    const earliest = Math.min(...due);
    if (earliest <= this.engine.now()) this.wake();
    else if (this.running && !this.draining && earliest < this.timerAt) this.sleepUntil(earliest);
  }

  private sleepUntil(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => void this.loop(), Math.max(0, at - this.engine.now()));
  }

  private async loop(): Promise<void> {
    if (!this.running) return;
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
    try {
      await this.runDue();
    } catch (error) {
      this.engine.logger.error({ err: error }, 'scheduler pass failed');
    }
    if (!this.running) return;
    const next = await this.queue.nextDueAt().catch(() => null);
    const wait = next === null ? MAX_IDLE_MS : Math.max(0, Math.min(MAX_IDLE_MS, next - this.engine.now()));
    if (!this.timer) this.sleepUntil(this.engine.now() + wait);
  }
}

/** Robots of one stage entry run one after another in the order written; entries run side by side. */
async function executeInEntryOrder(engine: Engine, runs: RobotRunRow[]): Promise<void> {
  const byEntry = new Map<number, RobotRunRow[]>();
  for (const run of runs) byEntry.set(run.entryId, [...(byEntry.get(run.entryId) ?? []), run]);
  await Promise.all(
    [...byEntry.values()].map(async (entryRuns) => {
      entryRuns.sort((a, b) => (a.dueAt ?? 0) - (b.dueAt ?? 0) || a.position - b.position);
      for (const run of entryRuns) await executeRun(engine, run);
    }),
  );
}
