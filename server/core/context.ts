import { DateTime } from 'luxon';
import { labelIn } from '../../config/primitives';
import { stageOf, type CompiledConfig } from './compiled-config';
import type { CompanyRow, ContactRow } from './rows';
import { itemLink, itemView, type Item } from './items';

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
  /** Base of `links.item` (core/public-url.ts). */
  publicUrl: string;
  event?: Record<string, unknown>;
}

export function buildContext(snapshot: ContextSnapshot): EvaluationContext {
  const { config, item, now } = snapshot;
  const view = itemView(item);
  const stage = stageOf(config, item.pipeline, item.row.stage);
  const responsible = item.row.responsible ? config.users.get(item.row.responsible) : undefined;
  const local = DateTime.fromMillis(now, { zone: config.source.timezone });
  const minutesInStage = Math.floor((now - item.row.enteredStageAt) / 60000);
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
      // In the config's language: a Telegram alert reads "Новый", not "Новый / New".
      name: stage?.name ? labelIn(stage.name, config.source.locale) : item.row.stage,
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
    // The web board opens the item's timeline from this link.
    links: { item: itemLink(snapshot.publicUrl, { kind: item.kind, id: item.row.id }) },
    event: snapshot.event ?? null,
  };
}
