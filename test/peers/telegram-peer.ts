import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TelegramCall {
  method: string;
  payload: Record<string, unknown>;
}

/** What the next calls meet instead of `ok: true`, worded as the Bot API words them. */
export type TelegramFault = { kind: 'flood'; retryAfterSeconds: number } | { kind: 'blocked' } | { kind: 'chat-not-found' } | { kind: 'server-error' } | { kind: 'drop' };

interface SentMessage {
  message_id: number;
  from: typeof BOT;
  chat: { id: number; type: 'private' };
  date: number;
  text: string;
  reply_markup?: unknown;
}

export interface ButtonPress {
  /** The message whose button was pressed, as the peer's sendMessage returned it. */
  chatId: number;
  messageId: number;
  data: string;
  from: { id: number; first_name: string; username?: string };
}

const BOT = { id: 7000001, is_bot: true, first_name: 'Robots', username: 'robots_test_bot' } as const;

/**
 * An HTTP server on loopback speaking the Bot API methods telegraf calls, under
 * /bot<token>/<method>, with `{ok, result}` and `{ok: false, error_code, description,
 * parameters}` answers; telegraf reaches it through its `apiRoot` option. It also plays
 * Telegram's side of updates: posted to the webhook set with setWebhook (secret-token header
 * included), or queued for getUpdates when none is set.
 */
export class TelegramPeer {
  readonly calls: TelegramCall[] = [];
  private readonly faults: TelegramFault[] = [];
  private readonly messages = new Map<string, SentMessage>();
  private readonly pendingUpdates: Array<Record<string, unknown>> = [];
  private webhook: { url: string; secretToken?: string } | null = null;
  private nextMessageId = 1;
  private nextUpdateId = 1;
  private readonly server: Server;
  /** Milliseconds each sendMessage is held before its answer: a slow provider, so calls are in flight. */
  latencyMs = 0;
  /** sendMessage calls that arrived and are not answered yet. */
  inFlight = 0;

  constructor(readonly token = '7000001:peer-test-token') {
    this.server = createServer((request, response) => void this.answer(request, response));
  }

  async start(): Promise<{ url: string; port: number }> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = this.server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, port };
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next `count` Bot API calls meet this fault. */
  failNext(count: number, fault: TelegramFault): this {
    for (let i = 0; i < count; i++) this.faults.push(fault);
    return this;
  }

  callsOf(method: string): TelegramCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** A user pressing an inline button under a message the bot sent. */
  async pressButton(press: ButtonPress): Promise<{ status: number; body: string } | null> {
    const message = this.messages.get(`${press.chatId}:${press.messageId}`);
    if (!message) throw new Error(`the Telegram peer sent no message ${press.messageId} to chat ${press.chatId}`);
    return this.deliverUpdate({
      callback_query: {
        id: String(Date.now()) + String(this.nextUpdateId),
        from: { is_bot: false, ...press.from },
        message,
        chat_instance: String(press.chatId),
        data: press.data,
      },
    });
  }

  /** Posts the update to the webhook (null when it was queued for getUpdates instead). */
  async deliverUpdate(update: Record<string, unknown>): Promise<{ status: number; body: string } | null> {
    const numbered = { update_id: this.nextUpdateId++, ...update };
    if (!this.webhook) {
      this.pendingUpdates.push(numbered);
      return null;
    }
    const response = await fetch(this.webhook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.webhook.secretToken ? { 'x-telegram-bot-api-secret-token': this.webhook.secretToken } : {}),
      },
      body: JSON.stringify(numbered),
    });
    return { status: response.status, body: await response.text() };
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const payload = parsePayload(await readBody(request), request.headers['content-type']);
    const [, token, method] = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(request.url ?? '/', 'http://peer').pathname) ?? [];
    if (method === undefined) return fail(response, 404, 'Not Found');
    if (token !== this.token) return fail(response, 401, 'Unauthorized');

    this.calls.push({ method, payload });
    const fault = this.faults.shift();
    if (fault) return this.meet(fault, request, response);

    switch (method) {
      case 'getMe':
        return ok(response, BOT);
      case 'sendMessage':
        if (this.latencyMs > 0) {
          this.inFlight += 1;
          await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
          this.inFlight -= 1;
        }
        return this.sendMessage(payload, response);
      case 'answerCallbackQuery':
        return ok(response, true);
      case 'editMessageReplyMarkup':
        return this.editMessageReplyMarkup(payload, response);
      case 'setWebhook':
        this.webhook = { url: String(payload.url), secretToken: payload.secret_token === undefined ? undefined : String(payload.secret_token) };
        return ok(response, true);
      case 'deleteWebhook':
        this.webhook = null;
        return ok(response, true);
      case 'getUpdates':
        return ok(response, this.pendingUpdates.splice(0));
      default:
        return fail(response, 404, 'Not Found: method not found');
    }
  }

  private meet(fault: TelegramFault, request: IncomingMessage, response: ServerResponse): void {
    switch (fault.kind) {
      case 'flood':
        return fail(response, 429, `Too Many Requests: retry after ${fault.retryAfterSeconds}`, { retry_after: fault.retryAfterSeconds });
      case 'blocked':
        return fail(response, 403, 'Forbidden: bot was blocked by the user');
      case 'chat-not-found':
        return fail(response, 400, 'Bad Request: chat not found');
      case 'server-error':
        return fail(response, 502, 'Bad Gateway');
      case 'drop':
        request.socket.destroy();
    }
  }

  private sendMessage(payload: Record<string, unknown>, response: ServerResponse): void {
    const chatId = Number(payload.chat_id);
    if (!Number.isInteger(chatId)) return fail(response, 400, 'Bad Request: chat not found');
    if (typeof payload.text !== 'string' || payload.text.trim() === '') return fail(response, 400, 'Bad Request: message text is empty');
    if (!validKeyboard(payload.reply_markup)) return fail(response, 400, 'Bad Request: BUTTON_DATA_INVALID');
    const message: SentMessage = {
      message_id: this.nextMessageId++,
      from: BOT,
      chat: { id: chatId, type: 'private' },
      date: Math.floor(Date.now() / 1000),
      text: payload.text,
      ...(payload.reply_markup ? { reply_markup: payload.reply_markup } : {}),
    };
    this.messages.set(`${chatId}:${message.message_id}`, message);
    return ok(response, message);
  }

  private editMessageReplyMarkup(payload: Record<string, unknown>, response: ServerResponse): void {
    const message = this.messages.get(`${payload.chat_id}:${payload.message_id}`);
    if (!message) return fail(response, 400, 'Bad Request: message to edit not found');
    if (JSON.stringify(message.reply_markup ?? null) === JSON.stringify(payload.reply_markup ?? null)) {
      return fail(response, 400, 'Bad Request: message is not modified');
    }
    message.reply_markup = payload.reply_markup;
    return ok(response, message);
  }
}

/** Telegram refuses callback_data over 64 bytes and buttons that do nothing. */
function validKeyboard(markup: unknown): boolean {
  if (markup === undefined) return true;
  const rows = (markup as { inline_keyboard?: unknown }).inline_keyboard;
  if (!Array.isArray(rows)) return true;
  return rows.every(
    (row) =>
      Array.isArray(row) &&
      row.every((button: Record<string, unknown>) => {
        if (typeof button.callback_data === 'string') return Buffer.byteLength(button.callback_data) <= 64;
        return typeof button.url === 'string';
      }),
  );
}

function parsePayload(body: string, contentType: string | undefined): Record<string, unknown> {
  if (!body) return {};
  if (contentType?.startsWith('application/json')) return JSON.parse(body) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function ok(response: ServerResponse, result: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ ok: true, result }));
}

function fail(response: ServerResponse, errorCode: number, description: string, parameters?: Record<string, unknown>): void {
  response.writeHead(errorCode, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ ok: false, error_code: errorCode, description, ...(parameters ? { parameters } : {}) }));
}
