import type { EntityManager } from 'typeorm';
import { allSql } from '../db/hot-path';
import { LEAD_PIPELINE, pipelineOf } from '../core/compiled-config';
import { normalizeEmail, normalizePhone } from '../core/contact-keys';
import type { ItemRef } from '../core/items';
import type { InboundDeps } from './ingest';

/**
 * The open item a phone or email belongs to: the newest open lead, else the newest open
 * deal, else the newest lead at all.
 */
export async function findItemByAddress(deps: Pick<InboundDeps, 'store' | 'config'>, address: { phone?: string | null; email?: string | null }, manager: EntityManager = deps.store.manager): Promise<ItemRef | null> {
  const phone = address.phone ? normalizePhone(address.phone, deps.config.current.source.default_region) : null;
  const email = address.email ? normalizeEmail(address.email) : null;
  if (!phone && !email) return null;
  // Plain SQL: every form post and inbound message asks this, and TypeORM's query builder costs
  // more than the indexed lookups themselves. A missing key matches nothing (`= NULL` is never true).
  const byAddress = '(phone = ? OR email = ?)';
  const openStages = (pipeline: string) =>
    pipelineOf(deps.config.current, pipeline)
      ?.stages.filter((stage) => stage.semantic === 'open')
      .map((stage) => stage.id) ?? [];
  const leadOpen = openStages(LEAD_PIPELINE);
  // One round trip: the newest open lead, the newest deals, and the newest lead at all.
  const openLeadSql = leadOpen.length > 0 ? `SELECT 'open_lead' AS kind, id, NULL AS pipeline, stage FROM leads WHERE ${byAddress} AND stage IN (${leadOpen.map(() => '?').join(', ')}) ORDER BY id DESC LIMIT 1` : null;
  const rows = await allSql(
    manager,
    [
      ...(openLeadSql ? [openLeadSql] : []),
      `SELECT 'deal' AS kind, id, pipeline, stage FROM deals WHERE ${byAddress} ORDER BY id DESC LIMIT 20`,
      `SELECT 'lead' AS kind, id, NULL AS pipeline, stage FROM leads WHERE ${byAddress} ORDER BY id DESC LIMIT 1`,
    ]
      .map((sql) => `SELECT * FROM (${sql}) AS part`)
      .join(' UNION ALL '),
    [...(openLeadSql ? [phone, email, ...leadOpen] : []), phone, email, phone, email],
  );
  const openLead = rows.find((row) => row.kind === 'open_lead');
  if (openLead) return { kind: 'lead', id: Number(openLead.id) };
  const openDeal = rows.find((row) => row.kind === 'deal' && openStages(String(row.pipeline)).includes(String(row.stage)));
  if (openDeal) return { kind: 'deal', id: Number(openDeal.id) };
  const anyLead = rows.find((row) => row.kind === 'lead');
  return anyLead ? { kind: 'lead', id: Number(anyLead.id) } : null;
}
