import fs from 'node:fs';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { loadConfigFile } from '../config/loader';
import type { CompiledConfig } from '../config/model';
import { syncConfigUsers } from './auth/users';
import type { ChannelRegistry } from './channels/channel';
import { Store } from './db/store';
import type { Clock } from './engine/clock';
import { Engine } from './engine/engine';
import { ConfigError, type ConfigIssue } from './engine/errors';

export interface RuntimeOptions {
  dataSource: DataSource;
  configFile: string;
  config: CompiledConfig;
  clock: Clock;
  channels: ChannelRegistry;
  logger: Logger;
  trackingSecret?: string;
}

export type ReloadResult = { ok: true; cancelledRuns: number } | { ok: false; issues: ConfigIssue[] };

/** One running instance: the engine plus the config file it reloads (semantics 8). */
export class Runtime {
  readonly engine: Engine;
  readonly store: Store;
  private watcher: fs.FSWatcher | null = null;
  private watchTimer: NodeJS.Timeout | null = null;
  private reloading: Promise<ReloadResult> | null = null;
  private readonly reloadListeners: Array<() => void> = [];

  private constructor(readonly options: RuntimeOptions) {
    this.store = new Store(options.dataSource);
    this.engine = new Engine({ store: this.store, config: options.config, clock: options.clock, channels: options.channels, logger: options.logger, trackingSecret: options.trackingSecret });
  }

  static async start(options: RuntimeOptions): Promise<Runtime> {
    const runtime = new Runtime(options);
    await syncConfigUsers(runtime.store, options.config, options.clock.now());
    return runtime;
  }

  get configFile(): string {
    return this.options.configFile;
  }

  /** Invalid → every issue returned and the running config stays; valid → swapped at once. */
  async reload(): Promise<ReloadResult> {
    if (this.reloading) return this.reloading;
    this.reloading = (async (): Promise<ReloadResult> => {
      const result = loadConfigFile(this.options.configFile, this.options.clock.now());
      if (!result.ok) {
        this.options.logger.warn({ issues: result.issues.length }, `config rejected, keeping the running one:\n${new ConfigError(result.issues).message}`);
        return { ok: false, issues: result.issues };
      }
      await syncConfigUsers(this.store, result.config, this.options.clock.now());
      const { cancelledRuns } = await this.engine.swapConfig(result.config);
      this.reloadListeners.forEach((listener) => listener());
      this.options.logger.info({ cancelledRuns }, 'config reloaded');
      return { ok: true, cancelledRuns };
    })();
    try {
      return await this.reloading;
    } finally {
      this.reloading = null;
    }
  }

  onReload(listener: () => void): void {
    this.reloadListeners.push(listener);
  }

  /** Reloads when the file changes on disk (editors write in bursts, hence the debounce). */
  watch(debounceMs = 300): void {
    this.watcher = fs.watch(this.options.configFile, () => {
      if (this.watchTimer) clearTimeout(this.watchTimer);
      this.watchTimer = setTimeout(() => void this.reload().catch((error) => this.options.logger.error({ err: error }, 'reload failed')), debounceMs);
    });
  }

  unwatch(): void {
    if (this.watchTimer) clearTimeout(this.watchTimer);
    this.watcher?.close();
    this.watcher = null;
  }

  async stop(): Promise<void> {
    this.unwatch();
    await this.engine.scheduler.stop();
    await this.options.channels.close();
    if (this.options.dataSource.isInitialized) await this.options.dataSource.destroy();
  }
}
