import { companyKey } from '../../server/core/contact-keys';
import type { CallRow, CompanyRow, ContactRow, DealRow, ItemRowBase, LeadRow } from '../../server/core/rows';

/**
 * Row factories: every field has a valid default, a test overrides what it is about
 * (`leadRow({ phone: null })`).
 */

/** Wednesday 11 March 2026, 12:00 in Moscow (09:00 UTC): a working day, outside any quiet hours. */
export const FIXTURE_NOW = Date.UTC(2026, 2, 11, 9, 0, 0);

const MINUTE = 60_000;

/** What a lead and a deal share: Ivan Petrov from the website, five minutes in "new". */
function itemRowBase(): ItemRowBase {
  return {
    id: 1,
    title: null,
    name: 'Ivan Petrov',
    phone: '+79161234567',
    email: 'ivan@example.com',
    companyName: null,
    stage: 'new',
    stageEntryId: 1,
    enteredStageAt: FIXTURE_NOW - 5 * MINUTE,
    source: 'website',
    responsible: null,
    fields: {},
    contactId: null,
    companyId: null,
    lostReason: null,
    refusedBy: null,
    score: 0,
    tags: [],
    scoredAt: null,
    createdAt: FIXTURE_NOW - 5 * MINUTE,
    updatedAt: FIXTURE_NOW - 5 * MINUTE,
  };
}

export function leadRow(overrides: Partial<LeadRow> = {}): LeadRow {
  return { ...itemRowBase(), repeatClient: false, dealId: null, ...overrides };
}

export function dealRow(overrides: Partial<DealRow> = {}): DealRow {
  return { ...itemRowBase(), title: 'Deal for Ivan Petrov', pipeline: 'general', leadId: null, amount: null, ...overrides };
}

export function contactRow(overrides: Partial<ContactRow> = {}): ContactRow {
  return { id: 1, name: 'Ivan Petrov', phone: '+79161234567', email: 'ivan@example.com', companyId: null, createdAt: FIXTURE_NOW - 30 * 24 * 60 * MINUTE, ...overrides };
}

export function companyRow(overrides: Partial<CompanyRow> = {}): CompanyRow {
  const name = overrides.name ?? 'Romashka LLC';
  return { id: 1, name, nameKey: companyKey(name), createdAt: FIXTURE_NOW - 30 * 24 * 60 * MINUTE, ...overrides };
}

export function callRow(overrides: Partial<CallRow> = {}): CallRow {
  return {
    id: 1,
    entityType: 'lead',
    entityId: 1,
    runId: 1,
    agentLogin: 'anna',
    agentPhone: '+79000000101',
    clientPhone: '+79161234567',
    direction: 'outbound',
    attempt: 1,
    providerSid: null,
    status: 'initiated',
    startedAt: FIXTURE_NOW,
    answeredAt: null,
    endedAt: null,
    durationSeconds: null,
    ...overrides,
  };
}
