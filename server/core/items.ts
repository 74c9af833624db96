import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { LEAD_PIPELINE } from './compiled-config';
import type { DealRow, EntityKind, LeadRow } from './rows';

/** A lead or a deal with the pipeline it lives in: the unit every robot and move works on. */
export type Item = { kind: 'lead'; pipeline: string; row: LeadRow } | { kind: 'deal'; pipeline: string; row: DealRow };

export interface ItemRef {
  kind: EntityKind;
  id: number;
}

export function asItem(kind: EntityKind, row: LeadRow | DealRow): Item {
  return kind === 'lead' ? { kind, pipeline: LEAD_PIPELINE, row: row as LeadRow } : { kind, pipeline: (row as DealRow).pipeline, row: row as DealRow };
}

const STANDARD_COLUMNS: Record<string, keyof DealRow> = {
  title: 'title',
  name: 'name',
  phone: 'phone',
  email: 'email',
  company_name: 'companyName',
  source: 'source',
  responsible: 'responsible',
  amount: 'amount',
};

/** A field's value by the name users write in YAML: a standard column or a custom field. */
export function fieldValue(item: Item, field: string): unknown {
  const column = STANDARD_COLUMNS[field];
  if (column) return (item.row as unknown as Record<string, unknown>)[column];
  return item.row.fields?.[field];
}

export function isFilled(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

export function missingFields(required: string[], item: Item): string[] {
  return required.filter((field) => !isFilled(fieldValue(item, field)));
}

/** Where people open an item: the web board, which shows its timeline (server/http/web). */
export function itemLink(baseUrl: string, ref: ItemRef): string {
  return `${baseUrl.replace(/\/+$/, '')}/board/#${ref.kind}-${ref.id}`;
}

export function itemLabel(item: Item): string {
  return `${item.kind} #${item.row.id}${item.row.title ? ` «${item.row.title}»` : item.row.name ? ` «${item.row.name}»` : ''}`;
}

/** A stored E.164 phone as people write it: +7 916 123-45-67 (libphonenumber's international format). */
export function phoneDisplay(phone: string | null): string | null {
  if (!phone) return null;
  return parsePhoneNumberFromString(phone)?.formatInternational() ?? phone;
}

/** The public shape of an item in the API and in templates. */
export function itemView(item: Item): Record<string, unknown> {
  const row = item.row;
  const common = {
    id: row.id,
    kind: item.kind,
    pipeline: item.pipeline,
    stage: row.stage,
    title: row.title,
    name: row.name,
    phone: row.phone,
    phone_display: phoneDisplay(row.phone),
    email: row.email,
    company_name: row.companyName,
    source: row.source,
    responsible: row.responsible,
    fields: row.fields ?? {},
    contact_id: row.contactId,
    company_id: row.companyId,
    lost_reason: row.lostReason,
    refused_by: row.refusedBy,
    score: row.score,
    tags: row.tags ?? [],
    entered_stage_at: new Date(row.enteredStageAt).toISOString(),
    created_at: new Date(row.createdAt).toISOString(),
    updated_at: new Date(row.updatedAt).toISOString(),
  };
  if (item.kind === 'lead') return { ...common, repeat_client: item.row.repeatClient, deal_id: item.row.dealId };
  return { ...common, lead_id: item.row.leadId, amount: item.row.amount };
}
