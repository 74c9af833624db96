import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { CONFIG_LIMITS, loadConfigFileOffThread, readConfigBytes } from '../config/loader';
import type { CompiledConfig } from './core/compiled-config';
import { randomUUID } from 'node:crypto';
import { robotDefinitions } from '../robots';
import { AutoCallbackParams, DEFAULT_CALLBACK } from '../robots/auto-callback';
import { Accounts } from './auth/accounts';
import type { ScryptParameters } from './auth/passwords';
import { Sessions } from './auth/sessions';
import { DatabaseFailureLog, SignInGuard } from './auth/sign-in-guard';
import { syncConfigUsers } from './auth/users';
import { WebhookReceipts } from './auth/webhook-receipts';
import type { ChannelRegistry } from './channels/channel';
import { fetchPoster } from './channels/http-post';
import type { Clock } from './core/clock';
import { ConfigError } from './core/errors';
import type { ReloadResult } from './config-ops/plan-state';
import { LiveConfig } from './core/live-config';
import { readConfigText } from './config-ops/config-file';
import { ConfigStudio } from './config-ops/studio';
import { ConfigVersions, configHash, type ConfigChanged } from './config-ops/versions';
import type { HttpPoster } from './core/outgoing-http';
import { Store } from './db/store';
import { LeadImport } from './import/import-leads';
import { Inbound } from './inbound/inbound';
import { Consents } from './messaging/consents';
import { Messaging } from './messaging/messaging';
import { EngineMetrics } from './metrics';
import { Pipeline } from './pipeline/pipeline';
import { RunQueue } from './pipeline/queue';
import { Merges } from './pipeline/merge';
import { executeRun, type RobotType, type RunnerDeps } from './pipeline/runner';
import { Scheduler } from './pipeline/scheduler';
import { ItemChanges } from './records/item-changes';
import { Inbox } from './records/inbox';
import { NotificationFeed } from './records/notifications';
import { Records } from './records/records';
import { robotPorts } from './robot-ports';
import { expiredLeasesSweep } from './sweeps/expired-leases';
import { overdueTasksSweep } from './sweeps/overdue-tasks';
import { retentionSweep } from './sweeps/retention';
import { inDoubtMessagesSweep } from './sweeps/in-doubt-messages';
import { scoreDecaySweep } from './sweeps/score-decay';
import { unansweredCallsSweep } from './sweeps/unanswered-calls';
import { CallChain } from './voice/call-chain';

export interface RuntimeOptions {
  dataSource: DataSource;
  configFile: string;
  config: CompiledConfig;
  clock: Clock;
  channels: ChannelRegistry;
  logger: Logger;
  /** Signs tracking pixels and links; set TRACKING_SECRET so links survive a restart. */
  trackingSecret?: string;
  /** Outgoing HTTP of the webhook robot; `simulate` records instead of sending. */
  http?: HttpPoster;
  /** How long a claimed run is ours without renewal (default 60 s, ROBOTS_LEASE_MS). */
  leaseMs?: number;
  /** Runs one worker executes at once (default 128, ROBOTS_CONCURRENCY); it claims up to 4× that ahead. */
  concurrency?: number;
  workerId?: string;
  /** scrypt cost of the passwords people sign in with (server/auth/passwords.ts SCRYPT unless given; tests pass a cheap one). */
  passwordCost?: ScryptParameters;
}

/**
 * The composition root: one running instance's services, each built here with exactly what it
 * needs, plus the config file it reloads (semantics 8). Nothing else constructs a service.
 */
export class Runtime {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly channels: ChannelRegistry;
  readonly config: LiveConfig;
  readonly metrics = new EngineMetrics();
  /** Items created, moved and changed, told after commit: the live board listens. */
  readonly itemChanges: ItemChanges;
  /** A person's in-app notifications written, told after commit: their live stream listens. */
  readonly notices: NotificationFeed;
  readonly inbox: Inbox;
  /** Every config the server ran, and the studio that edits, plans and applies it. */
  readonly configVersions: ConfigVersions;
  readonly studio: ConfigStudio;
  readonly records: Records;
  readonly queue: RunQueue;
  readonly scheduler: Scheduler;
  readonly pipeline: Pipeline;
  readonly messaging: Messaging;
  /** The consent register: opt-ins and opt-outs per contact and channel. */
  readonly consents: Consents;
  readonly inbound: Inbound;
  readonly voice: CallChain;
  /** Leads from a CSV export (`robots import`, POST /api/import). */
  readonly leadImport: LeadImport;
  readonly merges: Merges;
  /** People and their API tokens, sign-in sessions, spent webhook signatures. */
  readonly accounts: Accounts;
  readonly sessions: Sessions;
  readonly signInGuard: SignInGuard;
  readonly receipts: WebhookReceipts;
  readonly workerId: string;
  readonly leaseMs: number;
  readonly trackingSecret: string;
  private readonly watchers = new Map<string, { watcher: fs.FSWatcher; names: Set<string> }>();
  private watchTimer: NodeJS.Timeout | null = null;
  private watchDebounceMs = 300;
  private watching = false;
  /** sha256 of the config file as the watcher last saw it: only a change of content reloads. */
  private seenDigest: string | null = null;
  private checkingDisk = false;
  private checkDiskAgain = false;
  private reloading: Promise<ReloadResult> | null = null;
  private reloadQueued: Promise<ReloadResult> | null = null;
  private readonly reloadListeners: Array<() => void> = [];
  private readonly configListeners = new Set<(change: ConfigChanged) => void>();
  /** Each reload that replaced the config, with the version now running: what the live stream tells studio pages. */
  readonly configChanges = {
    subscribe: (listener: (change: ConfigChanged) => void): (() => void) => {
      this.configListeners.add(listener);
      return () => this.configListeners.delete(listener);
    },
  };

  private constructor(readonly options: RuntimeOptions) {
    const { clock, channels, logger } = options;
    const store = (this.store = new Store(options.dataSource));
    this.clock = clock;
    this.logger = logger;
    this.channels = channels;
    this.workerId = options.workerId ?? `worker-${randomUUID().slice(0, 8)}`;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.trackingSecret = options.trackingSecret ?? randomUUID();
    const config = (this.config = new LiveConfig(options.config, channels.webhooks.publicUrl));
    const metrics = this.metrics;
    const itemChanges = (this.itemChanges = new ItemChanges(store, logger));
    const notices = (this.notices = new NotificationFeed(logger));
    this.inbox = new Inbox(store, clock);
    this.configVersions = new ConfigVersions(store);
    const records = (this.records = new Records({ store, clock, config, itemChanges, notices }));
    const queue = (this.queue = new RunQueue(store));
    // Filled below, once the robots' ports exist: the runner looks a robot's type up at run time.
    const robotTypes = new Map<string, RobotType>();
    const scheduler: Scheduler = (this.scheduler = new Scheduler({
      queue,
      clock,
      logger,
      workerId: this.workerId,
      leaseMs: this.leaseMs,
      concurrency: Math.max(1, options.concurrency ?? 128),
      execute: (run) => executeRun(runner, run),
    }));
    // The runner's pieces, put together once: every run on the hot path reuses them.
    const runner: RunnerDeps = { store, queue, clock, config, logger, metrics, scheduler, robotTypes };
    const pipeline = (this.pipeline = new Pipeline({ store, clock, config, records, queue, scheduler }));
    const consents = (this.consents = new Consents({ store, clock, config }));
    const messaging = (this.messaging = new Messaging({ store, clock, config, channels, metrics, trackingSecret: this.trackingSecret, notices, consents }));
    const voice: CallChain = (this.voice = new CallChain({
      store,
      clock,
      config,
      records,
      messaging,
      channels,
      queue,
      callbackSettings: {
        of: (robot) => (robot.type === 'auto_callback' ? AutoCallbackParams.safeParse(robot).data : undefined),
        defaults: DEFAULT_CALLBACK,
      },
      reportCall: (event) => inbound.ingest(event),
    }));
    const inbound: Inbound = (this.inbound = new Inbound({ store, clock, config, records, pipeline, messaging, channels, voice, logger }));
    this.leadImport = new LeadImport({ store, clock, config, records, pipeline, consents });
    this.merges = new Merges({ clock, records, queue });
    const ports = robotPorts({ store, clock, config, records, pipeline, inbound, messaging, voice, http: options.http ?? fetchPoster });
    for (const definition of robotDefinitions) {
      robotTypes.set(definition.type, { run: (call) => definition.run({ ...call, params: call.params as never, ports }) });
    }
    this.accounts = new Accounts(store, clock, options.passwordCost);
    this.sessions = new Sessions(store, clock);
    this.signInGuard = new SignInGuard(clock, new DatabaseFailureLog(store));
    this.receipts = new WebhookReceipts(store, clock);
    this.studio = new ConfigStudio({ clock, config, store, queue, versions: this.configVersions, configFile: options.configFile, reload: () => this.reload() });
    scheduler.addSweep(expiredLeasesSweep({ store, clock, queue, scheduler, logger, leaseMs: this.leaseMs }));
    scheduler.addSweep(overdueTasksSweep({ store, clock, records, inbound }));
    scheduler.addSweep(unansweredCallsSweep({ store, clock, voice }));
    scheduler.addSweep(scoreDecaySweep({ store, clock, config, records, inbound }));
    scheduler.addSweep(retentionSweep({ store, clock, config, queue, logger }));
    scheduler.addSweep(inDoubtMessagesSweep({ store, clock, channels, queue, logger }));
  }

  static async start(options: RuntimeOptions): Promise<Runtime> {
    const runtime = new Runtime(options);
    await syncConfigUsers(runtime.store, options.config, options.clock.now());
    await runtime.noteConfigOnDisk();
    return runtime;
  }

  get configFile(): string {
    return this.options.configFile;
  }

  /**
   * Invalid → every issue returned and the running config stays; valid → swapped at once.
   * The file is read and checked on a worker thread, so a big (or hostile) file does not stall
   * requests and robots meanwhile.
   */
  async reload(): Promise<ReloadResult> {
    if (this.reloading) {
      // The reload under way may have read the file before this call: one more runs after it,
      // shared by every call made meanwhile, so a save made during a reload is never lost.
      this.reloadQueued ??= this.reloading
        .then(
          () => undefined,
          () => undefined,
        )
        .then(() => {
          this.reloadQueued = null;
          return this.reload();
        });
      return this.reloadQueued;
    }
    this.reloading = this.loadAndSwap();
    try {
      return await this.reloading;
    } finally {
      this.reloading = null;
    }
  }

  private async loadAndSwap(): Promise<ReloadResult> {
    const result = await loadConfigFileOffThread(this.options.configFile, this.options.clock.now());
    if (!result.ok) {
      this.options.logger.warn({ issues: result.issues.length }, `config rejected, keeping the running one:\n${new ConfigError(result.issues).message}`);
      return { ok: false, issues: result.issues };
    }
    await syncConfigUsers(this.store, result.config, this.options.clock.now());
    const { cancelledRuns } = await this.pipeline.applyConfig(result.config);
    await this.noteConfigOnDisk();
    this.reloadListeners.forEach((listener) => listener());
    await this.tellConfigChanged();
    this.options.logger.info({ cancelledRuns }, 'config reloaded');
    return { ok: true, cancelledRuns };
  }

  /** The file just loaded, kept as a version by `file` when no version has its bytes (it was changed on disk). */
  private async noteConfigOnDisk(): Promise<void> {
    try {
      await this.configVersions.noteLoaded(readConfigText(this.options.configFile), this.options.clock.now());
    } catch (error) {
      this.options.logger.warn({ err: error }, 'the loaded config could not be kept in the history');
    }
  }

  private async tellConfigChanged(): Promise<void> {
    if (this.configListeners.size === 0) return;
    try {
      // The studio records its apply before it writes and the watcher records a change on disk: the newest version is what runs.
      const latest = await this.configVersions.latest();
      const change: ConfigChanged = latest ? { version: latest.id, hash: latest.hash, author: latest.author } : { version: null, hash: configHash(readConfigText(this.options.configFile)), author: 'file' };
      for (const listener of this.configListeners) listener(change);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'open studio pages could not be told of the reload');
    }
  }

  onReload(listener: () => void): void {
    this.reloadListeners.push(listener);
  }

  /**
   * Reloads when the file's content changes on disk, however it is saved: written in place,
   * replaced by a rename (`mv`, vim, `sed -i`), or a Kubernetes ConfigMap swapping its `..data`
   * symlink. The directory is watched, not the file: a watch on the file follows the old inode and
   * goes deaf after the first rename. Editors write in bursts, hence the debounce.
   */
  watch(debounceMs = 300): void {
    this.unwatch();
    this.watching = true;
    this.watchDebounceMs = debounceMs;
    this.seenDigest = digestNow(this.options.configFile);
    this.watchDirectories();
  }

  unwatch(): void {
    this.watching = false;
    if (this.watchTimer) clearTimeout(this.watchTimer);
    this.watchTimer = null;
    for (const { watcher } of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  /**
   * The config's directory (its name there, and for a symlink the first step of the link: a
   * ConfigMap's `..data`), plus the directory of the file the links end at. Rechecked after every
   * change, since a swapped link may end elsewhere.
   */
  private watchDirectories(): void {
    const file = path.resolve(this.options.configFile);
    const wanted = new Map<string, Set<string>>();
    const want = (dir: string, name: string) => wanted.set(dir, (wanted.get(dir) ?? new Set()).add(name));
    want(path.dirname(file), path.basename(file));
    try {
      const link = fs.readlinkSync(file);
      const firstStep = link.split(/[\\/]/)[0];
      if (!path.isAbsolute(link) && firstStep) want(path.dirname(file), firstStep);
    } catch {
      // not a symlink
    }
    try {
      const real = fs.realpathSync(file);
      want(path.dirname(real), path.basename(real));
    } catch {
      // missing for a moment (between an editor's rename and its write): the next event comes
    }
    for (const [dir, { watcher }] of this.watchers) {
      if (wanted.has(dir)) continue;
      watcher.close();
      this.watchers.delete(dir);
    }
    const configDir = path.dirname(file);
    for (const [dir, names] of wanted) {
      const known = this.watchers.get(dir);
      if (known) {
        known.names = names;
        continue;
      }
      try {
        const entry = { names, watcher: fs.watch(dir) };
        // Kubernetes' atomic writer names its own entries `..something` (`..data`, `..data_tmp`, `..2026_…`).
        entry.watcher.on('change', (_event, name) => {
          const changed = name === null ? null : String(name);
          if (changed === null || entry.names.has(changed) || (dir === configDir && changed.startsWith('..'))) this.scheduleDiskCheck();
        });
        entry.watcher.on('error', (error) => {
          this.options.logger.warn({ err: error, dir }, 'config directory watch ended');
          entry.watcher.close();
          if (this.watchers.get(dir) === entry) this.watchers.delete(dir);
          this.scheduleDiskCheck();
        });
        this.watchers.set(dir, entry);
      } catch (error) {
        this.options.logger.warn({ err: error, dir }, 'cannot watch the config directory');
      }
    }
  }

  private scheduleDiskCheck(): void {
    if (!this.watching) return;
    if (this.watchTimer) clearTimeout(this.watchTimer);
    this.watchTimer = setTimeout(() => {
      this.watchTimer = null;
      void this.checkDisk();
    }, this.watchDebounceMs);
  }

  /** Reloads when the content differs from what was last seen; one check at a time, rerun if events came meanwhile. */
  private async checkDisk(): Promise<void> {
    if (this.checkingDisk) {
      this.checkDiskAgain = true;
      return;
    }
    this.checkingDisk = true;
    try {
      do {
        this.checkDiskAgain = false;
        const digest = await digestOnDisk(this.options.configFile);
        if (!this.watching) return;
        this.watchDirectories();
        // Missing (mid-rename): its reappearance is an event of its own.
        if (digest === null || digest === this.seenDigest) continue;
        this.seenDigest = digest;
        await this.reload();
      } while (this.checkDiskAgain && this.watching);
    } catch (error) {
      this.options.logger.error({ err: error }, 'reload failed');
    } finally {
      this.checkingDisk = false;
    }
  }

  async stop(): Promise<void> {
    this.unwatch();
    await this.scheduler.stop();
    await this.options.channels.close();
    // Requests still committing finish first: SQLite cannot close under a statement in flight.
    await this.store.settled();
    if (this.options.dataSource.isInitialized) await this.options.dataSource.destroy();
  }
}

/** sha256 of at most the bytes a config may have (one more tells "too big" apart); null when unreadable. */
function digestNow(file: string): string | null {
  try {
    return createHash('sha256').update(readConfigBytes(file, CONFIG_LIMITS.maxBytes)).digest('hex');
  } catch {
    return null;
  }
}

async function digestOnDisk(file: string): Promise<string | null> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(file, 'r');
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(1024 * 1024);
    // The same bytes as readConfigBytes reads (one more than a config may have, at most).
    for (let total = 0; total <= CONFIG_LIMITS.maxBytes;) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, CONFIG_LIMITS.maxBytes + 1 - total), null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      total += bytesRead;
    }
    return hash.digest('hex');
  } catch {
    return null;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
