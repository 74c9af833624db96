import type { Logger } from 'pino';
import type { Telegram } from 'telegraf';
import type { Inbound } from './inbound';
import { TelegramUpdate } from './provider-payloads';

/**
 * Long polling, for a server without a public URL (a laptop, a closed network): the same
 * updates the webhook would receive, fetched with getUpdates and handled the same way.
 */
export class TelegramPoller {
  private running = false;
  private offset = 0;

  constructor(
    private readonly inbound: Pick<Inbound, 'handleTelegramUpdate'>,
    private readonly telegram: Telegram,
    /** Signs /start deep links, as the webhook does. */
    private readonly secret: string,
    private readonly logger?: Logger,
  ) {}

  /** Fetches and handles one batch; `waitSeconds` is Telegram's long-poll timeout. */
  async pollOnce(waitSeconds = 0): Promise<number> {
    const updates = await this.telegram.getUpdates(waitSeconds, 100, this.offset, ['message', 'callback_query']);
    for (const update of updates) {
      // Acknowledged by the next call's offset even if handling fails: one bad update must not block the rest.
      this.offset = Math.max(this.offset, update.update_id + 1);
      try {
        const parsed = TelegramUpdate.safeParse(update);
        if (!parsed.success) {
          this.logger?.warn({ update: update.update_id, issues: parsed.error.issues }, 'telegram update not understood; skipped');
          continue;
        }
        const outcome = await this.inbound.handleTelegramUpdate(parsed.data, this.secret);
        this.logger?.debug({ update: update.update_id, outcome }, 'telegram update');
      } catch (error) {
        this.logger?.error({ err: error, update: update.update_id }, 'telegram update failed');
      }
    }
    return updates.length;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    // A webhook left set makes getUpdates fail: polling replaces it.
    await this.telegram.deleteWebhook();
    // Runs until stop(); a long poll under way then ends by itself within its 25 s.
    void (async () => {
      while (this.running) {
        try {
          await this.pollOnce(25);
        } catch (error) {
          this.logger?.warn({ err: error }, 'telegram polling failed; retrying in 5 s');
          await new Promise((resolve) => setTimeout(resolve, 5000));
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
  }
}
