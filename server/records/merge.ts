import type { EntityManager } from 'typeorm';
import { ConflictError, InvalidRequestError, NotFoundError } from '../core/errors';
import type { ContactRow, EventRow, LeadRow } from '../core/rows';
import { ContactEntity, EventEntity, LeadEntity } from '../db/entities';
import { insertOne, runSql, selectById, updateById } from '../db/hot-path';
import { deleteItemRows, repointItemLinks, rewriteMergedItem, type ItemColumns } from './item-rows';

/** What a merge joins: leads (with their history) or contacts (with the items and consents that name them). */
export type MergeKind = 'lead' | 'contact';

export interface MergeRequest {
  kind: MergeKind;
  survivorId: number;
  fromIds: number[];
  actor: string;
  now: number;
}

export interface Merged {
  kind: MergeKind;
  survivorId: number;
  /** The ids merged away, ascending: they answer 404 from now on. */
  mergedIds: number[];
  /** The survivor's columns it took from the others (empty when it had every one). */
  filled: string[];
  event: EventRow;
}

const LEAD_FILLED = ['title', 'name', 'phone', 'email', 'companyName', 'source', 'responsible', 'contactId', 'companyId', 'dealId'] as const;
const CONTACT_FILLED = ['name', 'phone', 'email', 'companyId'] as const;

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);
}

/** The survivor keeps what it has; a column or custom field it lacks comes from the first other row (oldest first) that has it. */
export function fillFrom<Row extends object>(survivor: Row, others: Row[], columns: ReadonlyArray<keyof Row & string>): Partial<Row> {
  const fill: Partial<Row> = {};
  for (const column of columns) {
    if (!isEmpty(survivor[column])) continue;
    const donor = others.find((other) => !isEmpty(other[column]));
    if (donor) fill[column] = donor[column];
  }
  return fill;
}

function fillFields(survivor: Record<string, unknown>, others: Array<Record<string, unknown>>): Record<string, unknown> | null {
  const fields = { ...survivor };
  let changed = false;
  for (const other of others) {
    for (const [key, value] of Object.entries(other)) {
      if (isEmpty(fields[key]) && !isEmpty(value)) {
        fields[key] = value;
        changed = true;
      }
    }
  }
  return changed ? fields : null;
}

/** Refuses a merge that cannot be: the survivor among the others, none given. */
export function checkMergeRequest(request: Pick<MergeRequest, 'kind' | 'survivorId' | 'fromIds'>): number[] {
  const ids = [...new Set(request.fromIds)].sort((a, b) => a - b);
  if (ids.length === 0) throw new InvalidRequestError('from: name at least one id to merge');
  if (ids.includes(request.survivorId)) throw new InvalidRequestError(`from: ${request.kind} ${request.survivorId} cannot be merged into itself`);
  return ids;
}

/**
 * Locks the rows in id order (so two merges over the same rows take turns on Postgres instead of
 * deadlocking; SQLite's writer already takes them one at a time) and reads them as they are now.
 * A row gone meanwhile — merged away by a merge that committed first — is a 404, as if it had
 * never been there.
 */
async function lockRows<Row>(manager: EntityManager, kind: MergeKind, ids: number[]): Promise<Map<number, Row>> {
  const entity = kind === 'lead' ? LeadEntity : ContactEntity;
  const rows = new Map<number, Row>();
  for (const id of [...ids].sort((a, b) => a - b)) {
    const row = await selectById(manager, entity as typeof LeadEntity, id, { forUpdate: true });
    if (!row) throw new NotFoundError(`${kind} ${id} not found`);
    rows.set(id, row as Row);
  }
  return rows;
}

function repointHistory(manager: EntityManager, history: 'events' | 'tasks' | 'calls' | 'notifications', kind: string, fromIds: number[], toId: number): Promise<void> {
  return runSql(manager, `UPDATE ${history} SET entity_id = ? WHERE entity_type = ? AND entity_id IN (${fromIds.map(() => '?').join(', ')})`, [toId, kind, ...fromIds]);
}

/**
 * Merges duplicates into one survivor inside the caller's transaction: the survivor takes the
 * values it lacks, the others' history (events, tasks, calls, notifications; deals made from a
 * lead; items and consents of a contact) is pointed at it, the others are deleted, and the
 * survivor's timeline says who merged what. Messages and robot runs are their owners' to move
 * (the caller does it in the same transaction).
 */
export async function mergeRows(manager: EntityManager, request: MergeRequest): Promise<Merged> {
  const mergedIds = checkMergeRequest(request);
  const rows = await lockRows<LeadRow | ContactRow>(manager, request.kind, [request.survivorId, ...mergedIds]);
  const survivor = rows.get(request.survivorId)!;
  const others = mergedIds.map((id) => rows.get(id)!);
  let filled: string[];
  if (request.kind === 'lead') {
    const lead = survivor as LeadRow;
    const otherLeads = others as LeadRow[];
    if (otherLeads.some((other) => other.dealId !== null && lead.dealId !== null && other.dealId !== lead.dealId)) {
      // Two conversions of one client are two deals: which one the lead stands for is a person's call.
      throw new ConflictError('more than one of these leads was converted into a deal: merge the deals first');
    }
    const fill: ItemColumns = fillFrom(lead, otherLeads, LEAD_FILLED);
    const fields = fillFields(
      lead.fields ?? {},
      otherLeads.map((other) => other.fields ?? {}),
    );
    if (fields) fill.fields = fields;
    if (otherLeads.some((other) => other.repeatClient) && !lead.repeatClient) fill.repeatClient = true;
    filled = Object.keys(fill);
    await rewriteMergedItem(manager, { kind: 'lead', id: lead.id }, lead, { ...fill, updatedAt: request.now });
    for (const table of ['events', 'tasks', 'calls', 'notifications'] as const) await repointHistory(manager, table, 'lead', mergedIds, lead.id);
    await repointItemLinks(manager, 'lead', mergedIds, lead.id);
    await deleteItemRows(manager, 'lead', mergedIds);
  } else {
    const contact = survivor as ContactRow;
    const fill = fillFrom(contact, others as ContactRow[], CONTACT_FILLED);
    filled = Object.keys(fill);
    if (filled.length > 0) await updateById(manager, ContactEntity, contact.id, fill);
    await repointItemLinks(manager, 'contact', mergedIds, contact.id);
    await runSql(manager, `DELETE FROM contacts WHERE id IN (${mergedIds.map(() => '?').join(', ')})`, mergedIds);
  }
  const who = request.actor.startsWith('user:') ? request.actor.slice('user:'.length) : request.actor;
  const outcome = `merged ${request.kind} ${mergedIds.join(', ')} into this one (by ${who})`;
  const event = await insertOne(manager, EventEntity, {
    type: 'merged',
    // Contacts have no timeline of their own: their merge is in the events log, naming the contact.
    entityType: request.kind === 'lead' ? 'lead' : null,
    entityId: request.kind === 'lead' ? request.survivorId : null,
    actor: request.actor,
    payload: { [request.kind]: request.survivorId, merged: mergedIds, filled },
    outcome,
    triggerId: null,
    createdAt: request.now,
  });
  return { kind: request.kind, survivorId: request.survivorId, mergedIds, filled, event };
}
