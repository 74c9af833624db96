import { In } from 'typeorm';
import { LEAD_PIPELINE, pipelineOf } from '../../config/model';
import { normalizeEmail, normalizePhone } from '../core/contact-keys';
import type { ItemRef } from '../core/items';
import { DealEntity, LeadEntity } from '../db/entities';
import type { Engine } from '../engine/engine';

/**
 * The open item a phone or email belongs to: the newest open lead, else the newest open
 * deal, else the newest lead at all.
 */
export async function findItemByAddress(engine: Engine, address: { phone?: string | null; email?: string | null }): Promise<ItemRef | null> {
  const phone = address.phone ? normalizePhone(address.phone, engine.config.source.default_region) : null;
  const email = address.email ? normalizeEmail(address.email) : null;
  const keys = [...(phone ? [{ phone }] : []), ...(email ? [{ email }] : [])];
  if (keys.length === 0) return null;
  const openStages = (pipeline: string) => pipelineOf(engine.config, pipeline)?.stages.filter((stage) => stage.semantic === 'open').map((stage) => stage.id) ?? [];
  const leadOpen = openStages(LEAD_PIPELINE);
  const manager = engine.store.manager;
  const lead = await manager.findOne(LeadEntity, { where: keys.map((key) => ({ ...key, stage: In(leadOpen.length ? leadOpen : ['-']) })), order: { id: 'DESC' } });
  if (lead) return { kind: 'lead', id: lead.id };
  const deals = await manager.find(DealEntity, { where: keys, order: { id: 'DESC' }, take: 20 });
  const openDeal = deals.find((deal) => openStages(deal.pipeline).includes(deal.stage));
  if (openDeal) return { kind: 'deal', id: openDeal.id };
  const anyLead = await manager.findOne(LeadEntity, { where: keys, order: { id: 'DESC' } });
  return anyLead ? { kind: 'lead', id: anyLead.id } : null;
}

