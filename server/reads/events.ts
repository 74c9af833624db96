import type { EventRow } from '../core/rows';
import { EventEntity } from '../db/entities';
import { whereRowsOf, type RowsOf } from './scope';
import type { ReadSource } from './source';

/** Events, newest first: one item's, or those of the items a scope sees. */
export function listEvents(source: ReadSource, filter: { type?: string; of: RowsOf; limit: number }): Promise<EventRow[]> {
  const events = source.manager.createQueryBuilder(EventEntity, 'event').orderBy('event.id', 'DESC').limit(filter.limit);
  if (filter.type) events.andWhere('event.type = :type', { type: filter.type });
  return whereRowsOf(events, 'event', filter.of).getMany();
}
