import { Telegram, TelegramError } from 'telegraf';
import { z } from 'zod';
import { OutcomeUnknownError, PermanentSendError, RetryableSendError } from '../core/errors';
import type { Channel, OutgoingMessage, SendReceipt } from './channel';

export interface TelegramChannelOptions {
  token: string;
  /** The Bot API's address when it is not https://api.telegram.org (a local Bot API server, the loopback peer). */
  apiRoot?: string;
}

export { InlineButton, InlineButtons, type InlineButtonType } from '../core/alert-buttons';
import { InlineButtons, type InlineButtonType } from '../core/alert-buttons';

/** Connection errors that mean the request never reached Telegram, so sending again is safe. */
const NEVER_LEFT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export class TelegramChannel implements Channel {
  readonly name = 'telegram';
  private readonly telegram: Telegram;

  constructor(options: TelegramChannelOptions) {
    this.telegram = new Telegram(options.token, options.apiRoot ? { apiRoot: options.apiRoot } : {});
  }

  async send(message: OutgoingMessage): Promise<SendReceipt> {
    const keyboard = inlineKeyboard(message.meta.buttons);
    try {
      const sent = await this.telegram.sendMessage(message.recipient, message.body, keyboard ? { reply_markup: { inline_keyboard: keyboard } } : {});
      return { status: 'sent', providerId: `${sent.chat.id}:${sent.message_id}`, deliveredVia: 'telegram' };
    } catch (error) {
      throw classifyTelegramFailure(error);
    }
  }

  /** The small answer a user sees after pressing a button (a toast, or an alert box). */
  async answerButton(callbackQueryId: string, text: string, showAlert = false): Promise<void> {
    try {
      await this.telegram.answerCbQuery(callbackQueryId, text, { show_alert: showAlert });
    } catch (error) {
      throw classifyTelegramFailure(error);
    }
  }

  /** Replaces the buttons under a message we sent ("taken by Gena" instead of "Take the lead"). */
  async replaceButtons(chatId: string | number, messageId: number, buttons: InlineButtonType[][]): Promise<void> {
    try {
      await this.telegram.editMessageReplyMarkup(chatId, messageId, undefined, { inline_keyboard: buttons });
    } catch (error) {
      // Two presses can race to the same edit; Telegram says so and nothing is lost.
      if (error instanceof TelegramError && /message is not modified/.test(error.description)) return;
      throw classifyTelegramFailure(error);
    }
  }

  /** Points Telegram at our webhook, with the secret it will send back in a header. */
  async setWebhook(url: string, secretToken: string): Promise<void> {
    await this.telegram.setWebhook(url, { secret_token: secretToken, allowed_updates: ['message', 'callback_query'] });
  }

  /** The Bot API client, for long polling when no public URL is set. */
  get api(): Telegram {
    return this.telegram;
  }
}

function inlineKeyboard(buttons: unknown): InlineButtonType[][] | null {
  if (buttons === undefined || buttons === null) return null;
  const parsed = InlineButtons.safeParse(buttons);
  // A malformed keyboard would be refused by Telegram on every attempt.
  if (!parsed.success) throw new PermanentSendError('the message buttons are malformed', z.prettifyError(parsed.error));
  if (parsed.data.length === 0) return null;
  return Array.isArray(parsed.data[0]) ? (parsed.data as InlineButtonType[][]) : [parsed.data as InlineButtonType[]];
}

/**
 * 429 carries `parameters.retry_after` in seconds (flood control); 400/403 are for good
 * (chat not found, bot blocked by the user); telegraf turns a 5xx into an error_code too.
 */
function classifyTelegramFailure(error: unknown): Error {
  if (error instanceof TelegramError) {
    if (error.code === 429) {
      const seconds = error.parameters?.retry_after;
      return new RetryableSendError(`Telegram asked to slow down: ${error.description}`, seconds === undefined ? undefined : seconds * 1000);
    }
    if (error.code >= 500) return new RetryableSendError(`Telegram answered ${error.code}: ${error.description}`);
    return new PermanentSendError(`Telegram refused the message (${error.code})`, error.description);
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NEVER_LEFT.has(code)) {
    return new RetryableSendError(`Telegram could not be reached: ${(error as Error).message}`);
  }
  if (typeof code === 'string') {
    return new OutcomeUnknownError(`the connection to Telegram broke before it answered (${code}): ${(error as Error).message}`);
  }
  return error as Error;
}
