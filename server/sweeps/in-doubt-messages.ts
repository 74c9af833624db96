import type { Logger } from 'pino';
import { In, MoreThan } from 'typeorm';
import type { ChannelRegistry, ProviderRecord } from '../channels/channel';
import type { ChannelNameType } from '../../config/schema';
import { CHANNELS } from '../../config/primitives';
import type { Clock } from '../core/clock';
import type { MessageRow } from '../core/rows';
import { MessageEntity } from '../db/entities';
import type { Store } from '../db/store';
import type { RunQueue } from '../pipeline/queue';
import type { Sweep } from '../pipeline/scheduler';

/** Messages asked about a pass: a pass is a few provider requests, never a long hold. */
const A_PASS = 20;
const EVERY_MS = 60_000;
/**
 * A request that has not reached the provider this long after our row was written never will:
 * its connection timed out long ago. Only then does "the provider has no such message" mean
 * it was never handed over, and sending it is safe.
 */
export const NEVER_ARRIVED_AFTER_MS = 5 * 60_000;

export interface InDoubtSweepDeps {
  store: Store;
  clock: Clock;
  channels: ChannelRegistry;
  queue: Pick<RunQueue, 'retry' | 'settleDelivered'>;
  logger: Pick<Logger, 'warn'>;
}

export type Settlement = 'sent' | 'failed at the provider' | 'never arrived: sent again' | 'left for a person';

/**
 * What the provider's records say of one message in doubt: ours is the one record of the same
 * recipient and text that no other message of ours claims. None, long enough after: it never
 * arrived. More than one: it cannot be told which, and a person decides (`robots messages unknown`).
 */
export function verdictOf(records: ProviderRecord[], claimedElsewhere: ReadonlySet<string>, ageMs: number): ProviderRecord | 'never arrived' | 'cannot tell' {
  const ours = records.filter((record) => !claimedElsewhere.has(record.providerId));
  if (ours.length === 1) return ours[0]!;
  if (ours.length === 0 && ageMs >= NEVER_ARRIVED_AFTER_MS) return 'never arrived';
  return 'cannot tell';
}

/**
 * Settles messages in doubt (`unknown`) by asking their provider, where it can be asked (Twilio
 * SMS): the message it has is sent (delivered, or failed, as it reports) and its run done; one it
 * never got is sent again (its run back in the queue: nothing left, so nothing doubles). Returns
 * how each message asked about was settled.
 */
export class InDoubtReconciler {
  /** Where the next pass starts, so messages no one can settle do not hide the ones after them. */
  private after = 0;

  constructor(private readonly deps: InDoubtSweepDeps) {}

  async pass(): Promise<Map<number, Settlement>> {
    const { store, channels } = this.deps;
    const askable = CHANNELS.filter((name) => channels.adapter(name)?.lookup !== undefined);
    const settled = new Map<number, Settlement>();
    if (askable.length === 0) return settled;
    const where = { status: 'unknown' as const, direction: 'out' as const, channel: In(askable) };
    let batch = await store.manager.find(MessageEntity, { where: { ...where, id: MoreThan(this.after) }, order: { id: 'ASC' }, take: A_PASS });
    if (batch.length === 0 && this.after > 0) {
      this.after = 0;
      batch = await store.manager.find(MessageEntity, { where, order: { id: 'ASC' }, take: A_PASS });
    }
    for (const message of batch) {
      this.after = message.id;
      settled.set(
        message.id,
        await this.settle(message).catch((error: unknown) => {
          this.deps.logger.warn({ err: error, message: message.id }, 'could not ask the provider about a message in doubt');
          return 'left for a person' as const;
        }),
      );
    }
    return settled;
  }

  private async settle(message: MessageRow): Promise<Settlement> {
    const { store, channels, clock, queue } = this.deps;
    const adapter = channels.adapter(message.channel as ChannelNameType);
    if (!adapter?.lookup) return 'left for a person';
    const records = await adapter.lookup({ recipient: message.recipient, body: message.body, providerId: message.providerId, createdAt: message.createdAt });
    const ids = records.map((record) => record.providerId);
    const claimed = ids.length === 0 ? [] : await store.manager.find(MessageEntity, { where: { providerId: In(ids) }, select: ['id', 'providerId'] });
    const claimedElsewhere = new Set(claimed.filter((row) => row.id !== message.id).map((row) => row.providerId ?? ''));
    const now = clock.now();
    const verdict = verdictOf(records, claimedElsewhere, now - message.createdAt);
    if (verdict === 'cannot tell') return 'left for a person';
    const provider = message.channel === 'sms' ? 'Twilio' : message.channel;
    return store.transaction(async (manager) => {
      if (verdict === 'never arrived') {
        const changed = await manager.update(MessageEntity, { id: message.id, status: 'unknown' }, { status: 'failed', error: `${provider} has no such message: it never arrived, so it is sent again` });
        if (changed.affected !== 1) return 'left for a person';
        if (message.runId !== null) await queue.retry(manager, message.runId, `${provider} never received message ${message.id}: sent again`, 'reconciliation', now);
        return 'never arrived: sent again';
      }
      const status = verdict.status === 'failed' ? 'failed' : verdict.status === 'delivered' ? 'delivered' : 'sent';
      const changed = await manager.update(
        MessageEntity,
        { id: message.id, status: 'unknown' },
        { status, providerId: verdict.providerId, error: verdict.error ?? null, sentAt: message.sentAt ?? now, meta: { ...message.meta, reconciled: `${provider} ${verdict.providerId}` } },
      );
      if (changed.affected !== 1) return 'left for a person';
      if (message.runId !== null) {
        const detail = `${message.channel} to ${message.recipient}: message #${message.id} ${status} (${provider} had it as ${verdict.providerId}; settled by asking)`;
        await queue.settleDelivered(manager, message.runId, { detail, reason: { code: 'done.sent', params: { channel: message.channel, audience: message.audience } } }, now);
      }
      return status === 'failed' ? 'failed at the provider' : 'sent';
    });
  }
}

/**
 * The scheduler's sweep for messages in doubt whose provider can be asked. A pass waits on the
 * provider's answers, so it goes on beside the queue instead of before it: due runs are not
 * held while Twilio is asked (one pass at a time).
 */
export function inDoubtMessagesSweep(deps: InDoubtSweepDeps): Sweep {
  const reconciler = new InDoubtReconciler(deps);
  let under: Promise<unknown> | null = null;
  return {
    name: 'messages in doubt',
    everyMs: EVERY_MS,
    run: async () => {
      under ??= reconciler
        .pass()
        .catch((error: unknown) => deps.logger.warn({ err: error }, 'the pass over messages in doubt stopped'))
        .finally(() => (under = null));
    },
  };
}
