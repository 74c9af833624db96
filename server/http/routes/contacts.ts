import { Router } from 'express';
import { z } from 'zod';
import type { LiveConfig } from '../../core/live-config';
import { normalizeEmail, normalizePhone } from '../../core/contact-keys';
import { InvalidRequestError } from '../../core/errors';
import { contactsByAddress } from '../../reads/contacts';
import type { ReadSource } from '../../reads/source';
import { parse } from '../problem';

export const ContactQuery = z.strictObject({ phone: z.string().max(64).optional(), email: z.string().max(320).optional() });

/** Looks contacts up by phone or email, normalised the same way they were stored. */
export function contactRoutes(deps: { config: LiveConfig; reads: ReadSource }): Router {
  const router = Router();
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
