import { Router } from 'express';
import { z } from 'zod';
import type { LiveConfig } from '../../core/live-config';
import { normalizeEmail, normalizePhone } from '../../core/contact-keys';
import { InvalidRequestError, NotFoundError } from '../../core/errors';
import { CONSENT_CHANNELS, CONSENT_STATUSES, contactAddressOn } from '../../core/consent';
import type { ChannelConsent, Consents } from '../../messaging/consents';
import { contactById, contactsByAddress } from '../../reads/contacts';
import { requireOperation } from '../auth';
import { IdParam } from '../ids';
import type { ReadSource } from '../../reads/source';
import { parse } from '../problem';

export const ContactQuery = z.strictObject({ phone: z.string().max(64).optional(), email: z.string().max(320).optional() });

/** PUT /api/contacts/:id/consent: a person records what the client told them (source `manual`). */
export const ConsentInput = z.strictObject({
  channel: z.enum(CONSENT_CHANNELS),
  status: z.enum(CONSENT_STATUSES),
  note: z.string().max(500).optional().describe('What the client said, in a word'),
});

function consentView(consent: ChannelConsent) {
  return { ...consent, at: consent.at === null ? null : new Date(consent.at).toISOString() };
}

/** Looks contacts up by phone or email, normalised the same way they were stored. */
export function contactRoutes(deps: { config: LiveConfig; reads: ReadSource; consents: Consents }): Router {
  const router = Router();
  const requireContact = async (id: string) => {
    const contact = await contactById(deps.reads, Number(parse(IdParam, { id }).id));
    if (!contact) throw new NotFoundError(`contact ${id} not found`);
    return contact;
  };
  router.get('/:id/consent', async (request, response) => {
    const contact = await requireContact(String(request.params.id));
    response.json({ contact_id: contact.id, channels: (await deps.consents.ofContact(contact)).map(consentView) });
  });
  router.put('/:id/consent', requireOperation('consent.write'), async (request, response) => {
    const contact = await requireContact(String(request.params.id));
    const body = parse(ConsentInput, request.body);
    const address = contactAddressOn(body.channel, contact);
    await deps.consents.record({ channel: body.channel, address, contactId: contact.id, status: body.status, source: 'manual', note: body.note ?? null, actor: `user:${request.user!.login}` });
    response.json({ contact_id: contact.id, channels: (await deps.consents.ofContact(contact)).map(consentView) });
  });
  router.get('/', async (request, response) => {
    const query = parse(ContactQuery, request.query);
    if (!query.phone && !query.email) throw new InvalidRequestError('give ?phone= or ?email=');
    const phone = query.phone ? normalizePhone(query.phone, deps.config.current.source.default_region) : null;
    const email = query.email ? normalizeEmail(query.email) : null;
    if (query.phone && !phone) throw new InvalidRequestError(`"${query.phone}" is not a phone number`);
    const contacts = await contactsByAddress(deps.reads, { phone, email }, 50);
    response.json({
      contacts: contacts.map((contact) => ({ id: contact.id, name: contact.name, phone: contact.phone, email: contact.email, company_id: contact.companyId, created_at: new Date(contact.createdAt).toISOString() })),
    });
  });
  return router;
}
