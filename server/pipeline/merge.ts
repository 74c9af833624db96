import type { Clock } from '../core/clock';
import { moveConsentsToContact } from '../messaging/consents';
import { moveMessagesToItem } from '../messaging/messaging';
import type { Merged, MergeKind } from '../records/merge';
import type { Records } from '../records/records';
import type { RunQueue } from './queue';

export interface MergeDeps {
  clock: Clock;
  records: Pick<Records, 'merge'>;
  queue: Pick<RunQueue, 'cancelPendingOfItems'>;
}

export interface MergeResult extends Merged {
  /** Pending robot runs of the merged-away leads, cancelled. */
  cancelledRuns: number;
}

/**
 * Merging duplicates: records writes the rows, and in the same transaction the merged-away
 * leads' pending robot runs are cancelled (a robot must not write to a client under a card that
 * no longer exists), their messages follow the survivor, and a contact's consents follow it.
 */
export class Merges {
  constructor(private readonly deps: MergeDeps) {}

  async merge(kind: MergeKind, survivorId: number, fromIds: number[], actor: string): Promise<MergeResult> {
    let cancelledRuns = 0;
    const merged = await this.deps.records.merge({ kind, survivorId, fromIds, actor }, async (manager, result) => {
      if (result.kind === 'lead') {
        const detail = `merged into lead ${result.survivorId}`;
        cancelledRuns = await this.deps.queue.cancelPendingOfItems(manager, 'lead', result.mergedIds, detail, { code: 'cancelled.item_gone', params: { merged_into: result.survivorId } }, this.deps.clock.now());
        await moveMessagesToItem(manager, 'lead', result.mergedIds, result.survivorId);
      } else {
        await moveConsentsToContact(manager, result.mergedIds, result.survivorId);
      }
    });
    return { ...merged, cancelledRuns };
  }
}
