import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * Postgres LISTEN/NOTIFY between processes (graphile-worker, Oban): an API process that commits
 * a run due now notifies, and every worker listening wakes at once instead of on its next
 * poll. Notifications are coalesced (a burst of moves is one NOTIFY), and the channel is per
 * schema so two deployments (or test runs) in one database do not wake each other.
 *
 * A second channel carries item changes (`lead:42:moved`, one a line) committed in one process
 * to the live boards of the others: a robot in a worker moves a lead, the API process's streams
 * show it. Lines are batched like wake-ups; a process ignores its own notifications, which its
 * streams have seen already.
 */
export class PostgresWakeups {
  private pending: NodeJS.Timeout | null = null;
  private itemLines: string[] = [];
  private itemFlush: NodeJS.Timeout | null = null;

  private constructor(
    private readonly dataSource: DataSource,
    private readonly channel: string,
    private readonly itemChannel: string,
    private readonly origin: string,
    private readonly listener: Client | null,
  ) {}

  /**
   * `onWake` is called when another process (or this one) committed work due now; omit it to only notify.
   * `onItemChanges` gets the lines of item changes other processes committed; omit it to only tell them.
   */
  static async start(dataSource: DataSource, onWake?: () => void, onItemChanges?: (lines: string) => void): Promise<PostgresWakeups> {
    const options = dataSource.options as { url?: string; schema?: string; extra?: { options?: string } };
    const [current] = (await dataSource.query('SELECT current_schema() AS schema')) as Array<{ schema: string }>;
    if (current === undefined) throw new Error('SELECT current_schema() returned no row');
    const { schema } = current;
    const channel = `robots_due_${schema}`.replace(/[^a-z0-9_]/gi, '_').slice(0, 63);
    const itemChannel = `robots_items_${schema}`.replace(/[^a-z0-9_]/gi, '_').slice(0, 63);
    const origin = randomUUID();
    let listener: Client | null = null;
    if (onWake || onItemChanges) {
      listener = new Client({ connectionString: options.url, ...(options.extra?.options ? { options: options.extra.options } : {}) });
      await listener.connect();
      listener.on('notification', (message) => {
        if (message.channel === channel) onWake?.();
        else if (message.channel === itemChannel && onItemChanges && message.payload) {
          const newline = message.payload.indexOf('\n');
          if (newline !== -1 && message.payload.slice(0, newline) !== origin) onItemChanges(message.payload.slice(newline + 1));
        }
      });
      // A dropped listening connection must not take the process down: workers still poll every second.
      listener.on('error', () => undefined);
      if (onWake) await listener.query(`LISTEN "${channel}"`);
      if (onItemChanges) await listener.query(`LISTEN "${itemChannel}"`);
    }
    return new PostgresWakeups(dataSource, channel, itemChannel, origin, listener);
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

  /** An item change committed here (`lead:42:moved`): told to the other processes within a few milliseconds. */
  notifyItemChange(line: string): void {
    this.itemLines.push(line);
    if (this.itemFlush) return;
    this.itemFlush = setTimeout(() => void this.flushItemChanges(), 2);
    this.itemFlush.unref();
  }

  private async flushItemChanges(): Promise<void> {
    this.itemFlush = null;
    const lines = this.itemLines;
    this.itemLines = [];
    // A NOTIFY payload is at most 8000 bytes: long bursts go in several.
    let payload = this.origin;
    const sends: Array<Promise<unknown>> = [];
    const send = (text: string) => sends.push(this.dataSource.query('SELECT pg_notify($1, $2)', [this.itemChannel, text]).catch(() => undefined));
    for (const line of lines) {
      if (payload.length + 1 + line.length > 7900) {
        send(payload);
        payload = this.origin;
      }
      payload += `\n${line}`;
    }
    if (payload !== this.origin) send(payload);
    await Promise.all(sends);
  }

  async stop(): Promise<void> {
    if (this.pending) clearTimeout(this.pending);
    if (this.itemFlush) clearTimeout(this.itemFlush);
    if (this.itemLines.length > 0) await this.flushItemChanges();
    await this.listener?.end().catch(() => undefined);
  }
}
