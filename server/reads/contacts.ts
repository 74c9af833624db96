import type { ContactRow } from '../core/rows';
import { ContactEntity } from '../db/entities';
import type { ReadSource } from './source';

/** Contacts with this phone or this email (both already normalised as stored), oldest first. */
export function contactsByAddress(source: ReadSource, address: { phone: string | null; email: string | null }, limit = 50): Promise<ContactRow[]> {
  const where = [...(address.phone ? [{ phone: address.phone }] : []), ...(address.email ? [{ email: address.email }] : [])];
  return source.manager.find(ContactEntity, { where, order: { id: 'ASC' }, take: limit });
}

export function contactById(source: ReadSource, id: number): Promise<ContactRow | null> {
  return source.manager.findOne(ContactEntity, { where: { id } });
}
