import type { EntityManager } from 'typeorm';
import type { EventType } from '../../config/event-types';
import type { ItemPatch, NewItemInput } from '../core/inputs';
import type { Item, ItemRef } from '../core/items';
import type { MessageRow } from '../core/rows';
import { contactAddressOn, type ConsentChannel, type ConsentSource } from '../core/consent';
import { receiveEmail, type InboundEmailOutcome } from './email';
import { assignFromTeam, changeFields, ingestEvent, type EventInput, type EventResult, type InboundDeps } from './ingest';
import { intakeLead, type IntakeResult } from './intake';
import { findItemByAddress } from './match';
import type { TelegramUpdate } from './provider-payloads';
import { recordInboundMessage, type InboundMessageInput } from './replies';
import { handleTelegramUpdate } from './telegram-updates';
import type { WhenNobodyOnDuty } from '../../config/primitives';

/**
 * Events from outside and from people become stored events, scores and trigger moves: forms,
 * named webhooks, replies on any channel, Telegram buttons, field changes.
 */
export class Inbound {
  constructor(private readonly deps: InboundDeps) {}

  /** An inbound event: stored, scored, matched to triggers. */
  ingest(input: EventInput, outer?: EntityManager): Promise<EventResult> {
    return ingestEvent(this.deps, input, outer);
  }

  /** Changes fields; each change is an event triggers can react to. */
  changeFields(ref: ItemRef, patch: ItemPatch, actor: string, causalDepth = 0): Promise<Item> {
    return changeFields(this.deps, ref, patch, actor, causalDepth);
  }

  /** A responsible from `team`, picked and written in one transaction; null when the team has nobody. */
  assignFromTeam(ref: ItemRef, team: string, pipeline: string, whenNobodyOnDuty: WhenNobodyOnDuty | undefined, actor: string, causalDepth = 0): Promise<string | null> {
    return assignFromTeam(this.deps, ref, team, pipeline, whenNobodyOnDuty, actor, causalDepth);
  }

  /** A lead from a form or a named webhook: a repeat touch on an open lead, or a new lead. */
  intakeLead(input: NewItemInput, event: { type: EventType; actor: string; payload: Record<string, unknown> }, outer?: EntityManager): Promise<IntakeResult> {
    return intakeLead(this.deps, input, event, outer);
  }

  /** A client's reply on any channel. */
  recordInboundMessage(input: InboundMessageInput): Promise<{ message: MessageRow; result: EventResult | null; optedOut: boolean }> {
    return recordInboundMessage(this.deps, input);
  }

  receiveEmail(raw: Buffer): Promise<InboundEmailOutcome> {
    return receiveEmail(this.deps, raw);
  }

  handleTelegramUpdate(update: TelegramUpdate, secret: string): Promise<string> {
    return handleTelegramUpdate(this.deps, update, secret);
  }

  /** The open item a phone or email belongs to. */
  /**
   * A form's ticked consent box: the client opts in to these channels at the lead's email and
   * phone (a Telegram opt-in is kept for their contact, whose chat is not known yet).
   */
  async optIn(item: Item, channels: ConsentChannel[], source: ConsentSource, actor: string): Promise<void> {
    for (const channel of channels) {
      const address = contactAddressOn(channel, item.row);
      if (address === null && item.row.contactId === null) continue;
      await this.deps.messaging.recordConsent({ channel, address, contactId: item.row.contactId, status: 'opt_in', source, actor });
    }
  }

  findItemByAddress(address: { phone?: string | null; email?: string | null }, manager?: EntityManager): Promise<ItemRef | null> {
    return findItemByAddress(this.deps, address, manager);
  }
}
