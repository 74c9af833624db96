import type { EntityManager } from 'typeorm';
import type { CompiledConfig } from '../core/compiled-config';
import { buildContext, type EvaluationContext } from '../core/context';
import type { Item } from '../core/items';
import { CompanyEntity, ContactEntity } from '../db/entities';
import { allSql, selectById } from '../db/hot-path';

const TOUCH_COUNTS = `SELECT SUM(CASE WHEN direction = 'out' AND audience = 'client' THEN 1 ELSE 0 END) AS touches,
    SUM(CASE WHEN direction = 'in' THEN 1 ELSE 0 END) AS replies
  FROM messages WHERE entity_type = ? AND entity_id = ? AND created_at >= ?`;

/** The I/O half of the condition/template context: reads contact, company and touch counts, then builds. */
export async function loadContext(manager: EntityManager, config: CompiledConfig, item: Item, now: number, publicUrl: string, event?: Record<string, unknown>): Promise<EvaluationContext> {
  const [contact, company, counts] = await Promise.all([
    item.row.contactId ? selectById(manager, ContactEntity, item.row.contactId) : null,
    item.row.companyId ? selectById(manager, CompanyEntity, item.row.companyId) : null,
    // Touches sent and replies received since entering the stage, in one indexed query (plain
    // SQL: it runs for every robot run, and a query builder costs more than the query).
    config.readsTouchCounts ? allSql(manager, TOUCH_COUNTS, [item.kind, item.row.id, item.row.enteredStageAt]).then((rows) => rows[0]) : null,
  ]);
  const touchesSent = Number(counts?.touches ?? 0);
  const repliesReceived = Number(counts?.replies ?? 0);
  return buildContext({ config, item, contact, company, touchesSent, repliesReceived, now, publicUrl, event });
}
