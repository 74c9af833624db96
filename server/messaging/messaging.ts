import type { ChannelRegistry } from '../channels/channel';
import type { Clock } from '../core/clock';
import type { LiveConfig } from '../core/live-config';
import type { MessageRequest } from '../core/message-request';
import type { MessageRow, MessageStatus } from '../core/rows';
import { consentChannelOf, type ConsentSource } from '../core/consent';
import { MessageEntity } from '../db/entities';
import { runSql } from '../db/hot-path';
import type { EntityManager } from 'typeorm';
import type { Consents, NewConsent } from './consents';
import type { Store } from '../db/store';
import type { EngineMetrics } from '../metrics';
import { sendOnce } from './send-once';
import type { NotificationFeed } from '../records/notifications';

/** How far a message has got: a late or repeated provider report never moves it back. */
const PROGRESS: ReadonlyMap<string, number> = new Map([
  ['queued', 0],
  ['sending', 0],
  ['recorded', 1],
  ['sent', 1],
  ['unknown', 1],
  ['delivered', 2],
  ['failed', 2],
]);

export interface MessagingDeps {
  store: Store;
  clock: Clock;
  config: LiveConfig;
  channels: ChannelRegistry;
  metrics: EngineMetrics;
  /** Signs tracking pixels, click links and sign-in links in what we send. */
  trackingSecret: string;
  /** Told of the in-app notification a message to a person writes, once committed. */
  notices?: Pick<NotificationFeed, 'publish'>;
  /** Who agreed to be reached on which channel: asked before every client touch. */
  consents: Consents;
}

/** Messages to clients and to our people: sent at most once per key, and never to an address that wrote STOP. */
export class Messaging {
  constructor(private readonly deps: MessagingDeps) {}

  async send(request: MessageRequest): Promise<MessageRow> {
    const { store, channels, clock, config, metrics, trackingSecret } = this.deps;
    try {
      const message = await sendOnce(store, channels, request, () => clock.now(), { baseUrl: config.publicUrl, secret: trackingSecret }, this.deps.notices);
      metrics.sends.inc({ channel: message.channel, outcome: message.status });
      return message;
    } catch (error) {
      metrics.sends.inc({ channel: request.channel, outcome: error instanceof Error ? error.name : 'error' });
      throw error;
    }
  }

  /** A provider's delivery report (Twilio's SMS status callback) on one of our messages. */
  async recordDeliveryStatus(messageId: number, report: { status: MessageStatus; error?: string; providerId: string | null }): Promise<void> {
    const { store } = this.deps;
    const message = await store.manager.findOne(MessageEntity, { where: { id: messageId, direction: 'out' } });
    if (!message || message.status === report.status || (PROGRESS.get(report.status) ?? 0) < (PROGRESS.get(message.status) ?? 0)) return;
    await store.transaction((manager) => manager.update(MessageEntity, { id: messageId }, { status: report.status, error: report.error ?? message.error, providerId: message.providerId ?? report.providerId }));
  }

  /**
   * May this client not be written to on this channel? The consent register answers: their latest
   * opt-in or opt-out (for this address, or for their contact), else the config's rule for the
   * channel. The outbox, which only records, asks nobody.
   */
  async isOptedOut(channel: string, address: string, contactId: number | null = null): Promise<boolean> {
    const consentChannel = consentChannelOf(channel);
    if (!consentChannel) return false;
    return !(await this.deps.consents.allows(consentChannel, address, contactId));
  }

  /** A STOP (or an unsubscribe link) keeps every later touch on that channel away from that address, until the client opts in again. */
  async optOut(channel: string, address: string, reason: string, source: ConsentSource = 'sms_stop', contactId: number | null = null, outer?: EntityManager): Promise<void> {
    const consentChannel = consentChannelOf(channel);
    if (!consentChannel) return;
    const latest = await this.deps.consents.latest(consentChannel, address, null, outer);
    if (latest?.status === 'opt_out') return;
    await this.deps.consents.record({ channel: consentChannel, address, contactId, status: 'opt_out', source, note: reason, actor: `channel:${channel}` }, outer);
  }

  /** A client's yes or no on a channel, into the consent register. */
  async recordConsent(consent: NewConsent): Promise<void> {
    await this.deps.consents.record(consent);
  }
}

/** A merge: the merged-away items' messages (both ways) become the survivor's, in the merge's transaction. */
export async function moveMessagesToItem(manager: EntityManager, kind: 'lead' | 'deal', fromIds: number[], toId: number): Promise<void> {
  if (fromIds.length === 0) return;
  await runSql(manager, `UPDATE messages SET entity_id = ? WHERE entity_type = ? AND entity_id IN (${fromIds.map(() => '?').join(', ')})`, [toId, kind, ...fromIds]);
}
