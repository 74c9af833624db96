import { DateTime } from 'luxon';
import { MoreThanOrEqual, type EntityManager } from 'typeorm';
import { stageOf, type CompiledConfig } from '../../config/model';
import { CompanyEntity, ContactEntity, MessageEntity, type CompanyRow, type ContactRow } from '../db/entities';
import { itemView, type Item } from './items';

/**
 * The context conditions read and templates render (semantics 3). Documented in the README;
 * `CONTEXT_ROOTS` in conditions.ts lists its roots for load-time checks.
 */
export type EvaluationContext = Record<string, unknown> & {
  item: Record<string, unknown>;
  fields: Record<string, unknown>;
  stage: { id: string; name: string; entered_at: string; minutes_in_stage: number };
  now: { iso: string; hour: number; minute: number; weekday: number; date: string };
};

export interface ContextSnapshot {
  config: CompiledConfig;
  item: Item;
  contact: ContactRow | null;
  company: CompanyRow | null;
  touchesSent: number;
  repliesReceived: number;
  now: number;
  event?: Record<string, unknown>;
}

export function buildContext(snapshot: ContextSnapshot): EvaluationContext {
  const { config, item, now } = snapshot;
  const view = itemView(item);
  const stage = stageOf(config, item.pipeline, item.row.stage);
  const responsible = item.row.responsible ? config.users.get(item.row.responsible) : undefined;
  const local = DateTime.fromMillis(now, { zone: config.source.timezone });
  const minutesInStage = Math.floor((now - item.row.enteredStageAt) / 60000);
  const baseUrl = (config.source.public_url ?? 'http://localhost:3000').replace(/\/$/, '');
  return {
    item: view,
    [item.kind]: view,
    fields: item.row.fields ?? {},
    contact: snapshot.contact ? { id: snapshot.contact.id, name: snapshot.contact.name, phone: snapshot.contact.phone, email: snapshot.contact.email } : null,
    company: snapshot.company ? { id: snapshot.company.id, name: snapshot.company.name } : null,
    responsible: responsible
      ? { login: responsible.login, name: responsible.name, phone: responsible.phone ?? null, email: responsible.email ?? null, team: responsible.team ?? null }
      : item.row.responsible
        ? { login: item.row.responsible, name: item.row.responsible }
        : null,
    stage: {
      id: item.row.stage,
      name: stage?.name ?? item.row.stage,
      entered_at: new Date(item.row.enteredStageAt).toISOString(),
      minutes_in_stage: minutesInStage,
    },
    minutes_in_stage: minutesInStage,
    touches_sent: snapshot.touchesSent,
    replies_received: snapshot.repliesReceived,
    repeat_client: item.kind === 'lead' ? item.row.repeatClient : false,
    score: item.row.score,
    source: item.row.source,
    now: { iso: local.toISO() ?? '', hour: local.hour, minute: local.minute, weekday: local.weekday, date: local.toISODate() ?? '' },
    links: { item: `${baseUrl}/${item.kind}s/${item.row.id}` },
    event: snapshot.event ?? null,
  };
}

export async function loadContext(manager: EntityManager, config: CompiledConfig, item: Item, now: number, event?: Record<string, unknown>): Promise<EvaluationContext> {
  const [contact, company, touchesSent, repliesReceived] = await Promise.all([
    item.row.contactId ? manager.findOne(ContactEntity, { where: { id: item.row.contactId } }) : null,
    item.row.companyId ? manager.findOne(CompanyEntity, { where: { id: item.row.companyId } }) : null,
    manager.count(MessageEntity, {
      where: { entityType: item.kind, entityId: item.row.id, direction: 'out', audience: 'client', createdAt: MoreThanOrEqual(item.row.enteredStageAt) },
    }),
    manager.count(MessageEntity, {
      where: { entityType: item.kind, entityId: item.row.id, direction: 'in', createdAt: MoreThanOrEqual(item.row.enteredStageAt) },
    }),
  ]);
  return buildContext({ config, item, contact, company, touchesSent, repliesReceived, now, event });
}
