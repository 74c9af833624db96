import { Not, type EntityManager } from 'typeorm';
import { companyKey } from '../core/contact-keys';
import type { CompanyRow, ContactRow, LeadRow } from '../core/rows';
import { CompanyEntity, ContactEntity, LeadEntity } from '../db/entities';
import { allSql, hydrate, insertOne, insertOneIfAbsent } from '../db/hot-path';
import { addressLockKeys, lockKeys } from '../db/locks';

/** One client, one contact: a phone or an email already known finds its contact, never a duplicate. */

export async function findContact(manager: EntityManager, keys: { phone?: string | null; email?: string | null }): Promise<ContactRow | null> {
  if (!keys.phone && !keys.email) return null;
  // One indexed query (every form post asks this): the oldest contact with that phone, else with that email.
  const [row] = await allSql(manager, 'SELECT * FROM contacts WHERE phone = ? OR email = ? ORDER BY CASE WHEN phone = ? THEN 0 ELSE 1 END, id LIMIT 1', [keys.phone ?? null, keys.email ?? null, keys.phone ?? null]);
  return row ? hydrate(manager, ContactEntity, row) : null;
}

export async function findOrCreateCompany(manager: EntityManager, name: string | null, now: number): Promise<CompanyRow | null> {
  if (!name || name.trim() === '') return null;
  const key = companyKey(name);
  const existing = await manager.findOne(CompanyEntity, { where: { nameKey: key } });
  if (existing) return existing;
  // Two conversions naming one new company at once: the second finds the first's row instead of failing on the unique name.
  const inserted = await insertOneIfAbsent(manager, CompanyEntity, { name: name.trim(), nameKey: key, createdAt: now }, 'nameKey');
  return inserted ?? (await manager.findOne(CompanyEntity, { where: { nameKey: key } }));
}

/** The contact with this phone or email, filled in where it lacked what the lead knows; else a new one. */
export async function findOrCreateContact(
  manager: EntityManager,
  data: { name: string | null; phone: string | null; email: string | null; companyId: number | null },
  now: number,
): Promise<{ contact: ContactRow; created: boolean }> {
  // Two conversions of one client at once would each find no contact and each make one (Postgres).
  await lockKeys(manager, addressLockKeys(data.phone ? [data.phone] : [], data.email ? [data.email] : []));
  const existing = await findContact(manager, data);
  if (existing) {
    const fill: Partial<ContactRow> = {};
    if (!existing.phone && data.phone) fill.phone = data.phone;
    if (!existing.email && data.email) fill.email = data.email;
    if (!existing.name && data.name) fill.name = data.name;
    if (!existing.companyId && data.companyId) fill.companyId = data.companyId;
    if (Object.keys(fill).length > 0) await manager.update(ContactEntity, { id: existing.id }, fill);
    return { contact: { ...existing, ...fill }, created: false };
  }
  const contact = await insertOne(manager, ContactEntity, { ...data, createdAt: now });
  return { contact, created: true };
}

/** An earlier lead with the same phone or email, other than this one. */
export async function findEarlierLead(manager: EntityManager, lead: LeadRow): Promise<LeadRow | null> {
  const where = [...(lead.phone ? [{ phone: lead.phone, id: Not(lead.id) }] : []), ...(lead.email ? [{ email: lead.email, id: Not(lead.id) }] : [])];
  if (where.length === 0) return null;
  return manager.findOne(LeadEntity, { where, order: { id: 'ASC' } });
}

/** The leads with any of these phones or emails, oldest first (an import's batch asks once). */
export async function leadsByAddresses(manager: EntityManager, phones: string[], emails: string[]): Promise<Array<{ id: number; phone: string | null; email: string | null }>> {
  const found: Array<{ id: number; phone: string | null; email: string | null }> = [];
  for (const [column, values] of [
    ['phone', phones],
    ['email', emails],
  ] as const) {
    for (let start = 0; start < values.length; start += 500) {
      const chunk = values.slice(start, start + 500);
      const rows = await allSql(manager, `SELECT id, phone, email FROM leads WHERE ${column} IN (${chunk.map(() => '?').join(', ')})`, chunk);
      found.push(...rows.map((row) => ({ id: Number(row.id), phone: (row.phone as string | null) ?? null, email: (row.email as string | null) ?? null })));
    }
  }
  return found.sort((a, b) => a.id - b.id);
}
