import { IsNull } from 'typeorm';
import type { Clock } from '../core/clock';
import { NotFoundError } from '../core/errors';
import { NotificationEntity } from '../db/entities';
import type { Store } from '../db/store';

/** A person marks their notifications read: only their own, so another's id is answered as not found. */
export class Inbox {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** Marks one read (again is a no-op: the first time read stays). */
  async markRead(login: string, id: number): Promise<void> {
    await this.store.transaction(async (manager) => {
      const found = await manager.findOne(NotificationEntity, { where: { id, login }, select: ['id', 'readAt'] });
      if (!found) throw new NotFoundError(`notification ${id} not found`);
      if (found.readAt === null) await manager.update(NotificationEntity, { id, login, readAt: IsNull() }, { readAt: this.clock.now() });
    });
  }

  /** Marks every unread one of `login` read; returns how many. */
  async markAllRead(login: string): Promise<number> {
    const result = await this.store.transaction((manager) => manager.update(NotificationEntity, { login, readAt: IsNull() }, { readAt: this.clock.now() }));
    return result.affected ?? 0;
  }
}
