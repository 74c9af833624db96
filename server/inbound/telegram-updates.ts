import { createHmac } from 'node:crypto';
import { In, Like } from 'typeorm';
import { parseButtonData, takenButtons } from '../core/alert-buttons';
import { TelegramChannel } from '../channels/telegram';
import { DealEntity, LeadEntity, MessageEntity } from '../db/entities';
import { changeFields, ingestEvent, type InboundDeps } from './ingest';
import { recordInboundMessage } from './replies';
import { itemLink, type Item, type ItemRef } from '../core/items';
import { stageOf } from '../core/compiled-config';
import { loadItem } from '../records/item-rows';
import type { TelegramUpdate } from './provider-payloads';

/**
 * A deep link `https://t.me/<bot>?start=<token>` binds the chat that presses Start to a lead or
 * deal: the token names the item and is signed, so nobody can bind themselves to someone else's.
 */
export function telegramStartToken(secret: string, ref: ItemRef): string {
  const subject = `${ref.kind === 'lead' ? 'l' : 'd'}${ref.id}`;
  return `${subject}_${createHmac('sha256', secret).update(subject).digest('base64url').slice(0, 16)}`;
}

function itemOfStartToken(secret: string, token: string): ItemRef | null {
  const match = /^([ld])(\d+)_[A-Za-z0-9_-]{16}$/.exec(token);
  if (!match) return null;
  const ref: ItemRef = { kind: match[1] === 'l' ? 'lead' : 'deal', id: Number(match[2]) };
  return telegramStartToken(secret, ref) === token ? ref : null;
}

function userOfChat(deps: InboundDeps, chatId: number): string | null {
  const chat = String(chatId);
  for (const user of deps.config.current.users.values()) if (user.telegram_chat_id === chat) return user.login;
  return null;
}

/** The newest lead (else deal) whose `fields.telegram_chat_id` is this chat. */
async function itemOfChat(deps: InboundDeps, chatId: number): Promise<ItemRef | null> {
  // fields is JSON kept as text on both databases; both spellings a YAML or API may have written.
  const patterns = [`%"telegram_chat_id":"${chatId}"%`, `%"telegram_chat_id":${chatId}}%`, `%"telegram_chat_id":${chatId},%`];
  const where = patterns.map((pattern) => ({ fields: Like(pattern) }));
  const lead = await deps.store.manager.findOne(LeadEntity, { where: where as never, order: { id: 'DESC' } });
  if (lead) return { kind: 'lead', id: lead.id };
  const deal = await deps.store.manager.findOne(DealEntity, { where: where as never, order: { id: 'DESC' } });
  return deal ? { kind: 'deal', id: deal.id } : null;
}

export async function handleTelegramUpdate(deps: InboundDeps, update: TelegramUpdate, secret: string): Promise<string> {
  if (update.callback_query) return handleButton(deps, update.callback_query);
  const message = update.message;
  if (!message || typeof message.text !== 'string') return 'ignored: not a text message';
  const chatId = message.chat.id;
  const start = /^\/start(?:\s+(\S+))?$/.exec(message.text.trim());
  if (start) {
    const ref = start[1] ? itemOfStartToken(secret, start[1]) : null;
    if (!ref) return 'ignored: /start without a valid link';
    const item = await loadItem(deps.store.manager, ref);
    if (!item) return `ignored: ${ref.kind} ${ref.id} not found`;
    await deps.records.setFieldValues(ref, { telegram_chat_id: String(chatId) });
    await deps.records.recordEvent({ type: 'telegram_linked', entity: ref, actor: 'channel:telegram', payload: { chat_id: String(chatId) }, outcome: `the client started the bot: chat ${chatId}` });
    return `linked chat ${chatId} to ${ref.kind} ${ref.id}`;
  }
  if (userOfChat(deps, chatId)) return 'ignored: a message from one of our users';
  const ref = await itemOfChat(deps, chatId);
  if (!ref) {
    await ingestEvent(deps, {
      type: 'message_inbound',
      item: null,
      actor: 'channel:telegram',
      payload: { channel: 'telegram', from: String(chatId), text: message.text.slice(0, 500) },
      unmatched: `no lead or deal has Telegram chat ${chatId}`,
    });
    return 'unmatched';
  }
  const { result } = await recordInboundMessage(deps, {
    channel: 'telegram',
    from: String(chatId),
    body: message.text,
    item: ref,
    providerId: `${chatId}:${message.message_id}`,
  });
  return result?.outcome ?? 'ignored: received already';
}

/** The three buttons under a manager alert (robots/notifications.ts alertButtonsMeta). */
async function handleButton(deps: InboundDeps, query: NonNullable<TelegramUpdate['callback_query']>): Promise<string> {
  const telegram = deps.channels.adapter('telegram');
  const answer = async (text: string, alert = false) => {
    if (telegram instanceof TelegramChannel) await telegram.answerButton(query.id, text, alert);
  };
  const login = userOfChat(deps, query.from.id);
  const pressed = parseButtonData(query.data ?? '');
  if (!pressed) {
    const taken = /^taken:(lead|deal):(\d+)$/.exec(query.data ?? '');
    await answer(taken ? 'Already taken' : 'This button does nothing any more');
    return 'ignored button';
  }
  if (!login) {
    await answer('Your Telegram account is not linked to a user in the CRM (telegram_chat_id).', true);
    return `refused: chat ${query.from.id} is nobody`;
  }
  const item = await loadItem(deps.store.manager, pressed.item);
  if (!item) {
    await answer(`${pressed.item.kind} #${pressed.item.id} no longer exists`, true);
    return 'item gone';
  }
  const name = deps.config.current.users.get(login)?.name ?? login;
  if (pressed.action === 'call') {
    const started = await deps.voice.callNow(item, login);
    await answer(
      started.kind === 'calling'
        ? 'Calling you now; pick up to be connected'
        : started.kind === 'already'
          ? 'A call for this lead is already under way'
          : started.kind === 'recorded'
            ? 'No phone line is configured; the call was recorded'
            : 'Nobody to call',
    );
    return `call now: ${started.kind}`;
  }
  const refusal = whyNotTake(deps, item, login);
  if (refusal) {
    await answer(refusal, true);
    return `refused: ${refusal}`;
  }
  const claim = await deps.records.takeInWork(pressed.item, login, 'telegram');
  if (claim.kind === 'taken_by_other') {
    const by = deps.config.current.users.get(claim.by)?.name ?? claim.by;
    await answer(`Already taken by ${by}`, true);
    return `refused: taken by ${claim.by}`;
  }
  await changeFields(deps, pressed.item, { responsible: login }, `user:${login}`);
  await answer(`You took ${pressed.item.kind} #${pressed.item.id}`);
  if (telegram instanceof TelegramChannel) {
    const alerts = await deps.store.manager.find(MessageEntity, {
      where: { entityType: pressed.item.kind, entityId: pressed.item.id, channel: 'telegram', direction: 'out', audience: 'user', status: In(['sent', 'delivered']) },
    });
    const buttons = takenButtons(pressed.item, name, itemLink(deps.config.publicUrl, pressed.item));
    for (const alert of alerts.filter((message) => message.meta?.buttons && message.providerId?.includes(':'))) {
      const [chatId, messageId] = (alert.providerId ?? '').split(':');
      if (chatId && messageId) await telegram.replaceButtons(chatId, Number(messageId), buttons);
    }
  }
  return `taken by ${login}`;
}

/**
 * Take works on an open item only, and on one someone already owns only when the config says
 * so (`engine.take_owned_items`); the answer names who has it.
 */
function whyNotTake(deps: InboundDeps, item: Item, login: string): string | null {
  const label = `${item.kind === 'lead' ? 'Lead' : 'Deal'} #${item.row.id}`;
  const stage = stageOf(deps.config.current, item.pipeline, item.row.stage);
  if (stage && stage.semantic !== 'open') return `${label} is already closed (${stage.name ?? stage.id})`;
  const owner = item.row.responsible;
  // Taken from an alert already: the first-press-wins check below answers who took it.
  const takenFromAlert = (item.row.tags ?? []).includes('taken');
  if (owner && owner !== login && !takenFromAlert && !deps.config.current.source.engine.take_owned_items) {
    return `${label} is already with ${deps.config.current.users.get(owner)?.name ?? owner}`;
  }
  return null;
}
