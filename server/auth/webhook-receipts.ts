import { QueryFailedError, type EntityManager } from 'typeorm';
import type { Clock } from '../core/clock';
import { WebhookReceiptEntity } from '../db/entities';
import type { Store } from '../db/store';

/** The signature was seen before: a replayed request, refused. */
export class ReplayedSignatureError extends Error {
  constructor() {
    super('replayed: this signature was already used');
  }
}

/**
 * A signed webhook's signature is good once: its receipt is stored, and a second request with
 * the same one finds it. Spending it and the request's own writes are one transaction, so a
 * request refused half-way writes nothing and gives its signature back.
 */
export class WebhookReceipts {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** Spends `signature` of `source`, then does `work` in the same transaction; a replay throws ReplayedSignatureError. */
  spend<T>(source: string, signature: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.store.transaction(async (manager) => {
      try {
        await manager.insert(WebhookReceiptEntity, { source, signature, createdAt: this.clock.now() });
      } catch (error) {
        if (error instanceof QueryFailedError) throw new ReplayedSignatureError();
        throw error;
      }
      return work(manager);
    });
  }
}
