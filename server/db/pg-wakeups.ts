import { Client } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * Postgres LISTEN/NOTIFY between processes (graphile-worker, Oban): an API process that commits
 * a run due now notifies, and every worker listening wakes at once instead of on its next
 * poll. Notifications are coalesced (a burst of moves is one NOTIFY), and the channel is per
 * schema so two deployments (or test runs) in one database do not wake each other.
 */
export class PostgresWakeups {
  private pending: NodeJS.Timeout | null = null;

  private constructor(
    private readonly dataSource: DataSource,
    private readonly channel: string,
    private readonly listener: Client | null,
  ) {}

  /** `onWake` is called when another process (or this one) committed work due now; omit it to only notify. */
  static async start(dataSource: DataSource, onWake?: () => void): Promise<PostgresWakeups> {
    const options = dataSource.options as { url?: string; schema?: string; extra?: { options?: string } };
    const [{ schema }] = (await dataSource.query('SELECT current_schema() AS schema')) as Array<{ schema: string }>;
    const channel = `robots_due_${schema}`.replace(/[^a-z0-9_]/gi, '_').slice(0, 63);
    let listener: Client | null = null;
    if (onWake) {
      listener = new Client({ connectionString: options.url, ...(options.extra?.options ? { options: options.extra.options } : {}) });
      await listener.connect();
      listener.on('notification', () => onWake());
      // A dropped listening connection must not take the process down: workers still poll every second.
      listener.on('error', () => undefined);
      await listener.query(`LISTEN "${channel}"`);
    }
    return new PostgresWakeups(dataSource, channel, listener);
  }

  /** Work due now was committed: tell the other processes, once per burst. */
  notify(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = null;
      void this.dataSource.query('SELECT pg_notify($1, $2)', [this.channel, '']).catch(() => undefined);
    }, 2);
    this.pending.unref();
  }

  async stop(): Promise<void> {
    if (this.pending) clearTimeout(this.pending);
    await this.listener?.end().catch(() => undefined);
  }
}
