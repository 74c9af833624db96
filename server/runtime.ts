import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { CONFIG_LIMITS, loadConfigFileOffThread, readConfigBytes } from '../config/loader';
import type { CompiledConfig } from '../config/model';
import type { ScryptParameters } from './auth/passwords';
import { syncConfigUsers } from './auth/users';
import type { ChannelRegistry } from './channels/channel';
import { Store } from './db/store';
import type { Clock } from './core/clock';
import { Engine } from './engine/engine';
import type { HttpPoster } from './engine/http-post';
import { overdueTasksSweep } from './inbound/overdue-tasks';
import { expiredLeasesSweep } from './engine/reaper';
import { unansweredCallsSweep } from './voice/sweep';
import { scoreDecaySweep } from './inbound/score-decay';
import { ConfigError, type ConfigIssue } from './core/errors';

export interface RuntimeOptions {
  dataSource: DataSource;
  configFile: string;
  config: CompiledConfig;
  clock: Clock;
  channels: ChannelRegistry;
  logger: Logger;
  trackingSecret?: string;
  http?: HttpPoster;
  leaseMs?: number;
  concurrency?: number;
  /** scrypt cost of the passwords people sign in with (server/auth/passwords.ts SCRYPT unless given; tests pass a cheap one). */
  passwordCost?: ScryptParameters;
}

export type ReloadResult = { ok: true; cancelledRuns: number } | { ok: false; issues: ConfigIssue[] };

/** One running instance: the engine plus the config file it reloads (semantics 8). */
export class Runtime {
  readonly engine: Engine;
  readonly store: Store;
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

  private constructor(readonly options: RuntimeOptions) {
    this.store = new Store(options.dataSource);
    this.engine = new Engine({ store: this.store, config: options.config, clock: options.clock, channels: options.channels, logger: options.logger, trackingSecret: options.trackingSecret, http: options.http, leaseMs: options.leaseMs, concurrency: options.concurrency });
    this.engine.scheduler.addSweep(expiredLeasesSweep(this.engine));
    this.engine.scheduler.addSweep(overdueTasksSweep(this.engine));
    this.engine.scheduler.addSweep(unansweredCallsSweep(this.engine));
    this.engine.scheduler.addSweep(scoreDecaySweep(this.engine));
  }

  static async start(options: RuntimeOptions): Promise<Runtime> {
    const runtime = new Runtime(options);
    await syncConfigUsers(runtime.store, options.config, options.clock.now());
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
    const { cancelledRuns } = await this.engine.swapConfig(result.config);
    this.reloadListeners.forEach((listener) => listener());
    this.options.logger.info({ cancelledRuns }, 'config reloaded');
    return { ok: true, cancelledRuns };
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
      if (!path.isAbsolute(link)) want(path.dirname(file), link.split(/[\\/]/)[0]);
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
    await this.engine.scheduler.stop();
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
    for (let total = 0; total <= CONFIG_LIMITS.maxBytes; ) {
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
