import type { EntityManager } from 'typeorm';
import type { Clock } from '../core/clock';
import { consentAllows, contactAddressOn, type ConsentChannel, type ConsentSource, type ConsentStatus } from '../core/consent';
import type { LiveConfig } from '../core/live-config';
import type { ConsentRow } from '../core/rows';
import { CONSENT_CHANNELS } from '../../config/primitives';
import { ConsentEntity } from '../db/entities';
import { allSql, hydrate, insertOne, runSql } from '../db/hot-path';
import type { Store } from '../db/store';

export interface NewConsent {
  channel: ConsentChannel;
  address: string | null;
  contactId?: number | null;
  status: ConsentStatus;
  source: ConsentSource;
  note?: string | null;
  actor?: string | null;
}

/** A contact's standing on one channel: the latest word, or the config's rule when there is none. */
export interface ChannelConsent {
  channel: ConsentChannel;
  address: string | null;
  allowed: boolean;
  status: ConsentStatus | null;
  source: ConsentSource | null;
  at: number | null;
  rule: ConsentStatus;
}

/**
 * The consent register: the single answer to "may we write to this client on this channel". Every
 * opt-in and opt-out is kept (history), the latest one for a channel and address — or for the
 * contact, when it was given for the contact — holds.
 */
export class Consents {
  constructor(private readonly deps: { store: Store; clock: Clock; config: LiveConfig }) {}

  async record(consent: NewConsent, outer?: EntityManager): Promise<ConsentRow> {
    return this.deps.store.transaction(
      (manager) =>
        insertOne(manager, ConsentEntity, {
          channel: consent.channel,
          address: consent.address,
          contactId: consent.contactId ?? null,
          status: consent.status,
          source: consent.source,
          note: consent.note ?? null,
          actor: consent.actor ?? null,
          createdAt: this.deps.clock.now(),
        }),
      outer,
    );
  }

  /** The latest word for this address on this channel, or for the contact on it. */
  async latest(channel: ConsentChannel, address: string | null, contactId: number | null = null, manager: EntityManager = this.deps.store.manager): Promise<ConsentRow | null> {
    if (address === null && contactId === null) return null;
    const [row] = await allSql(manager, 'SELECT * FROM consents WHERE channel = ? AND (address = ? OR contact_id = ?) ORDER BY id DESC LIMIT 1', [channel, address, contactId]);
    return row ? hydrate(manager, ConsentEntity, row) : null;
  }

  async allows(channel: ConsentChannel, address: string | null, contactId: number | null = null): Promise<boolean> {
    return consentAllows(await this.latest(channel, address, contactId), this.deps.config.current.source.consent[channel]);
  }

  /** Every channel's standing for a contact. */
  async ofContact(contact: { id: number; phone: string | null; email: string | null }): Promise<ChannelConsent[]> {
    const rules = this.deps.config.current.source.consent;
    return Promise.all(
      CONSENT_CHANNELS.map(async (channel) => {
        const address = contactAddressOn(channel, contact);
        const latest = await this.latest(channel, address, contact.id);
        const rule = rules[channel] ?? 'opt_out';
        return { channel, address, allowed: consentAllows(latest, rule), status: latest?.status ?? null, source: latest?.source ?? null, at: latest?.createdAt ?? null, rule };
      }),
    );
  }
}

/**
 * A merge: every word a merged-away contact gave (opt-outs above all) is the survivor's now, so
 * a client who said "no SMS" under one card is not written to under the other.
 */
export async function moveConsentsToContact(manager: EntityManager, fromIds: number[], toId: number): Promise<void> {
  if (fromIds.length === 0) return;
  await runSql(manager, `UPDATE consents SET contact_id = ? WHERE contact_id IN (${fromIds.map(() => '?').join(', ')})`, [toId, ...fromIds]);
}
