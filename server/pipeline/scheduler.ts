import type { Logger } from 'pino';
import type { Clock } from '../core/clock';
import type { RobotRunRow } from '../core/rows';
import type { RunQueue } from './queue';

/**
 * A periodic job beside the robot runs (overdue tasks, unanswered calls): the scheduler runs
 * the sweeps it is given before each pass, each at most every `everyMs`, and knows none by name.
 */
export interface Sweep {
  name: string;
  everyMs: number;
  run(): Promise<unknown>;
  /** When the sweep next has something to do, so an idle worker wakes for it. */
  nextDueAt?(): Promise<number | null>;
}

export interface SchedulerDeps {
  queue: RunQueue;
  clock: Clock;
  logger: Pick<Logger, 'error' | 'warn'>;
  /** This process's name on the runs it claims. */
  workerId: string;
  /** How long a claimed run is ours without renewal. */
  leaseMs: number;
  /** Runs executing at once; it claims up to 4× that ahead. */
  concurrency: number;
  /** Executes one claimed run (the runner), whatever its outcome. */
  execute(run: RobotRunRow): Promise<unknown>;
}

const BATCH = 64;
const MAX_IDLE_MS = 1000;
/**
 * Runs claimed ahead of the ones executing: a stage's robots run one after another, so most of a
 * claimed batch waits behind its entry's earlier robot. Counting only executing runs against
 * `concurrency` keeps that many busy; the window bounds what is leased but not yet started.
 */
const CLAIM_WINDOW = 4;

/**
 * No robot type may hold every slot: runs that wait on someone else (a webhook target that
 * never answers, a provider) each keep a slot until their own timeout, and 128 hanging webhooks
 * once left alerts no slot for minutes. A type takes at most the slots minus this share, so the
 * others always have some; a type alone in the queue still has nearly all of them.
 */
export function laneLimit(concurrency: number): number {
  return Math.max(1, concurrency - Math.ceil(concurrency / 4));
}

export class Scheduler {
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private draining: Promise<number> | null = null;
  private wakeRequested = false;
  private timerAt = Number.POSITIVE_INFINITY;
  private readonly sweeps: Array<{ sweep: Sweep; lastRun: number }> = [];
  private readonly inFlight = new Map<number, { run: RobotRunRow; done: Promise<void> }>();
  private readonly entryTails = new Map<number, Promise<void>>();
  private executing = 0;
  /** Slots held per robot type (a lane); see laneLimit. */
  private readonly lanes = new Map<string, number>();
  private readonly slotWaiters: Array<{ lane: string; start: () => void }> = [];
  /** Claimed runs that have not started executing: they are late as much as a run not yet claimed. */
  private readonly waitingToStart = new Map<number, { dueAt: number | null; lane: string }>();
  private waiters: Array<() => void> = [];
  private stopping = false;
  private readonly dueNowListeners: Array<() => void> = [];

  /**
   * The durable queue is the robot_runs table (queue.ts): a run is claimed atomically,
   * executed, and its outcome written back. A worker sleeps until the next due run, and a
   * commit that schedules something wakes it at once.
   */
  constructor(private readonly deps: SchedulerDeps) {}

  addSweep(sweep: Sweep): void {
    this.sweeps.push({ sweep, lastRun: Number.NEGATIVE_INFINITY });
  }

  /** Claims and executes due runs until none is due at the clock's now. */
  async runDue(): Promise<number> {
    if (this.draining) {
      this.wakeRequested = true;
      this.signal();
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
    for (const entry of this.sweeps) {
      if (this.deps.clock.now() - entry.lastRun < entry.sweep.everyMs) continue;
      entry.lastRun = this.deps.clock.now();
      await entry.sweep.run();
    }
    // Leases are pushed forward while runs execute, so only a stopped worker's runs expire.
    const renewal = setInterval(() => void this.renewLeases(), Math.max(50, this.deps.leaseMs / 3));
    renewal.unref();
    try {
      for (;;) {
        this.wakeRequested = false;
        // Runs parked behind a full lane take no room: other types are claimed past them.
        const full = this.fullLanes();
        const room = this.stopping ? 0 : this.deps.concurrency * CLAIM_WINDOW - this.inFlight.size + this.parkedIn(full);
        let runs: RobotRunRow[] = [];
        try {
          if (room > 0) runs = await this.deps.queue.claimDue(this.deps.clock.now(), Math.min(room, BATCH), this.deps.workerId, this.deps.leaseMs, [...full]);
        } catch (error) {
          // The database is away: runs under way finish (or keep their lease) before we give up this pass.
          await Promise.allSettled([...this.inFlight.values()].map((entry) => entry.done));
          throw error;
        }
        this.startInEntryOrder(runs);
        processed += runs.length;
        if (runs.length > 0 && room > runs.length) continue;
        if (this.inFlight.size === 0) {
          if (this.wakeRequested && !this.stopping) continue;
          return processed;
        }
        // Wait for a slot, a wake-up, or the next due time: never for a slow run to finish
        // before anything else may start (no head-of-line blocking).
        await this.untilSomethingChanges();
      }
    } finally {
      clearInterval(renewal);
    }
  }

  /**
   * Robots of one stage entry run one after another in the order written (semantics 2);
   * entries run side by side, at most `concurrency` runs executing at once.
   */
  private startInEntryOrder(runs: RobotRunRow[]): void {
    const ordered = [...runs].sort((a, b) => a.entryId - b.entryId || (a.dueAt ?? 0) - (b.dueAt ?? 0) || a.position - b.position);
    for (const run of ordered) {
      const before = this.entryTails.get(run.entryId) ?? Promise.resolve();
      this.waitingToStart.set(run.id, { dueAt: run.dueAt, lane: run.robotType });
      const done = before
        .then(() =>
          this.inSlot(run.robotType, () => {
            this.waitingToStart.delete(run.id);
            return this.deps.execute(run);
          }),
        )
        .then(
          () => undefined,
          (error: unknown) => this.deps.logger.error({ err: error, run: run.id }, 'robot run failed outside the runner'),
        )
        .finally(() => {
          this.waitingToStart.delete(run.id);
          this.inFlight.delete(run.id);
          if (this.entryTails.get(run.entryId) === done) this.entryTails.delete(run.entryId);
          this.signal();
        });
      this.inFlight.set(run.id, { run, done });
      this.entryTails.set(run.entryId, done);
    }
  }

  /**
   * At most `concurrency` runs execute at once, and at most laneLimit of one robot type; the
   * others wait here in claim order, except that a waiter whose type is at its limit lets the
   * ones behind it pass.
   */
  private async inSlot<T>(lane: string, work: () => Promise<T>): Promise<T> {
    if (this.executing >= this.deps.concurrency || (this.lanes.get(lane) ?? 0) >= laneLimit(this.deps.concurrency)) {
      await new Promise<void>((resolve) => this.slotWaiters.push({ lane, start: resolve }));
    } else {
      this.executing += 1;
      this.lanes.set(lane, (this.lanes.get(lane) ?? 0) + 1);
    }
    try {
      return await work();
    } finally {
      this.lanes.set(lane, (this.lanes.get(lane) ?? 1) - 1);
      this.executing -= 1;
      this.startWaiters();
    }
  }

  /** Hands free slots to waiters, first come first served among the types under their limit. */
  private startWaiters(): void {
    const limit = laneLimit(this.deps.concurrency);
    for (let index = 0; index < this.slotWaiters.length && this.executing < this.deps.concurrency;) {
      const waiter = this.slotWaiters[index]!;
      if ((this.lanes.get(waiter.lane) ?? 0) >= limit) {
        index += 1;
        continue;
      }
      this.slotWaiters.splice(index, 1);
      this.executing += 1;
      this.lanes.set(waiter.lane, (this.lanes.get(waiter.lane) ?? 0) + 1);
      waiter.start();
    }
  }

  /** The due time of the oldest run this worker claimed but has not started: its lateness is real. */
  oldestWaitingDueAt(): number | null {
    let oldest: number | null = null;
    for (const { dueAt } of this.waitingToStart.values()) if (dueAt !== null && (oldest === null || dueAt < oldest)) oldest = dueAt;
    return oldest;
  }

  /** Robot types holding all the slots one type may hold. */
  private fullLanes(): Set<string> {
    const limit = laneLimit(this.deps.concurrency);
    return new Set([...this.lanes].filter(([, held]) => held >= limit).map(([lane]) => lane));
  }

  /** Claimed runs waiting behind a full lane. */
  private parkedIn(full: Set<string>): number {
    if (full.size === 0) return 0;
    let parked = 0;
    for (const { lane } of this.waitingToStart.values()) if (full.has(lane)) parked += 1;
    return parked;
  }

  private async renewLeases(): Promise<void> {
    const ids = [...this.inFlight.keys()];
    await this.deps.queue.renewLeases(ids, this.deps.workerId, this.deps.clock.now() + this.deps.leaseMs).catch((error: unknown) => {
      this.deps.logger.warn({ err: error }, 'could not renew run leases');
    });
  }

  private untilSomethingChanges(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.stopping ? 50 : MAX_IDLE_MS);
      timer.unref();
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** A run finished, or a wake-up came: the drain loop looks again. */
  private signal(): void {
    const waiters = this.waiters.splice(0);
    for (const waiter of waiters) waiter();
  }

  /** How many runs this worker is executing right now. */
  get busy(): number {
    return this.executing;
  }

  /** Runs this worker holds a lease on: executing, or claimed and waiting their turn. */
  get claimed(): number {
    return this.inFlight.size;
  }

  /** Starts the background loop of `serve`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    void this.loop();
  }

  /**
   * Stops claiming; runs under way may finish within `graceMs`. Runs still going after that keep
   * their lease until it expires, and the reaper of a live worker takes them back.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.running = false;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.signal();
    if (this.draining) {
      const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([this.draining.catch(() => undefined), grace]);
    }
  }

  /** Called after a commit that scheduled runs, so immediate robots do not wait for a poll. */
  wake(): void {
    if (!this.running) return;
    if (this.draining) {
      this.wakeRequested = true;
      this.signal();
      return;
    }
    this.sleepUntil(this.deps.clock.now());
  }

  /** Told when this process committed work due now, so other processes can be woken (LISTEN/NOTIFY). */
  onDueNow(listener: () => void): void {
    this.dueNowListeners.push(listener);
  }

  /** A run was scheduled for `dueAt`: wake now if it is due, or sleep no longer than until then. */
  scheduled(dueAts: Array<number | null>): void {
    const due = dueAts.filter((at): at is number => at !== null);
    if (due.length === 0) return;
    const earliest = Math.min(...due);
    if (earliest <= this.deps.clock.now()) {
      for (const listener of this.dueNowListeners) listener();
      this.wake();
    } else if (this.running && this.draining) setTimeout(() => this.signal(), earliest - this.deps.clock.now()).unref();
    else if (this.running && earliest < this.timerAt) this.sleepUntil(earliest);
  }

  /** The earliest moment a run or a sweep has something to do. */
  async nextDueAt(): Promise<number | null> {
    const times = await Promise.all([this.deps.queue.nextDueAt(), ...this.sweeps.map(({ sweep }) => sweep.nextDueAt?.() ?? null)]);
    const due = times.filter((time): time is number => time !== null);
    return due.length ? Math.min(...due) : null;
  }

  private sleepUntil(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => void this.loop(), Math.max(0, at - this.deps.clock.now()));
  }

  private async loop(): Promise<void> {
    if (!this.running) return;
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
    try {
      await this.runDue();
    } catch (error) {
      this.deps.logger.error({ err: error }, 'scheduler pass failed');
    }
    if (!this.running) return;
    const next = await this.nextDueAt().catch(() => null);
    const wait = next === null ? MAX_IDLE_MS : Math.max(0, Math.min(MAX_IDLE_MS, next - this.deps.clock.now()));
    if (!this.timer) this.sleepUntil(this.deps.clock.now() + wait);
  }
}
