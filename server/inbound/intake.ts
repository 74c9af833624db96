import type { EntityManager } from 'typeorm';
import { addressLockKeys, lockKeys } from '../db/locks';
import { loadItem } from '../records/item-rows';
import type { EventType } from '../../config/event-types';
import { STANDARD_FIELDS } from '../../config/references';
import { normalizeEmail, normalizePhone } from '../core/contact-keys';
import { ingestEvent, type EventResult, type InboundDeps } from './ingest';
import { findItemByAddress } from './match';
import { ownValue, type NewItemInput } from '../core/inputs';
import { itemView, type Item } from '../core/items';

/**
 * Maps source keys onto item fields as a `fields:` mapping in the config says; the rest is
 * kept aside. Keys are looked up as own keys of the mapping (a key `constructor` is unmapped).
 */
export function mapFields(values: Record<string, unknown>, mapping: Record<string, string>): { input: NewItemInput; unmapped: Record<string, unknown> } {
  const input: NewItemInput & { fields: Record<string, string | number | boolean | null> } = { fields: {} };
  const unmapped: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(values)) {
    const target = ownValue(mapping, key);
    if (!target) {
      unmapped[key] = raw;
      continue;
    }
    const value = typeof raw === 'string' ? raw.trim() : raw;
    if (value === '' || value === undefined || value === null) continue;
    if ((STANDARD_FIELDS as readonly string[]).includes(target) && target !== 'amount' && target !== 'responsible') {
      (input as Record<string, unknown>)[target] = String(value);
    } else if (target !== 'amount' && target !== 'responsible') {
      input.fields[target] = typeof value === 'number' || typeof value === 'boolean' ? value : String(value);
    }
  }
  return { input, unmapped };
}

export interface IntakeResult {
  item: Item;
  /** True when the submission became a repeat touch on an open lead instead of a new one. */
  merged: boolean;
  event: EventResult;
}

/**
 * A lead from outside (one client, one contact: never a duplicate). An open lead with the same phone or email
 * gets the event as a repeat touch; otherwise a new lead is created, flagged `repeat_client`
 * when the phone/email belongs to a known contact; then the event goes to scoring and triggers.
 */
export async function intakeLead(deps: InboundDeps, input: NewItemInput, event: { type: EventType; actor: string; payload: Record<string, unknown> }, outer?: EntityManager): Promise<IntakeResult> {
  // One transaction: the lookup, the new lead with its entry robots, its event, score and
  // trigger moves commit together or not at all, and on SQLite two copies of one submission
  // cannot both miss each other and make two leads.
  const region = deps.config.current.source.default_region;
  const phone = input.phone ? normalizePhone(input.phone, region) : null;
  const email = input.email ? normalizeEmail(input.email) : null;
  // Checked before the transaction: a refused submission never waits for the writer, and the
  // writer never waits for phone parsing.
  const prepared = await deps.records.prepareItem('lead', input);
  const result = await deps.store.transaction(async (manager) => {
    // On Postgres two submissions for one phone would both find no lead and both make one: the
    // second waits here until the first has committed, then finds its lead.
    await lockKeys(manager, addressLockKeys(phone ? [phone] : [], email ? [email] : []));
    const open = phone || email ? await findItemByAddress(deps, { phone, email }, manager) : null;
    const openLead = open?.kind === 'lead' ? await loadItem(manager, open) : null;
    if (openLead && openLead.kind === 'lead' && deps.config.current.leads.stages.find((stage) => stage.id === openLead.row.stage)?.semantic === 'open') {
      const result = await ingestEvent(deps, { type: event.type, item: open, loaded: openLead, actor: event.actor, payload: { ...event.payload, repeat_touch: true } }, manager);
      return { item: result.item ?? openLead, merged: true, event: result };
    }
    const contact = phone || email ? await deps.records.findContact({ phone, email }, manager) : null;
    const item = await deps.pipeline.insertItem(prepared, event.actor, contact ? { repeatClient: true, contactId: contact.id } : {}, manager);
    const result = await ingestEvent(deps, { type: event.type, item: { kind: 'lead', id: item.row.id }, loaded: item, actor: event.actor, payload: event.payload }, manager);
    return { item: result.item ?? item, merged: false, event: result };
  }, outer);
  // The entry robots were scheduled inside the transaction, where a worker on another connection
  // could not see them yet: tell the workers again now that they are committed.
  if (!outer) deps.pipeline.runsCommitted();
  return result;
}

export function intakeView(result: IntakeResult) {
  return { ...itemView(result.item), merged: result.merged, event_id: result.event.event.id, event_outcome: result.event.outcome };
}
