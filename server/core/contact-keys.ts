import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/**
 * Phones are stored in E.164 and emails lower-cased on the way in, so "is this a repeat
 * client" is an index lookup, not a fuzzy scan.
 */
export function normalizePhone(raw: string | null | undefined, defaultRegion: string): string | null {
  if (raw === null || raw === undefined || raw.trim() === '') return null;
  const parsed = parsePhoneNumberFromString(raw.trim(), defaultRegion.toUpperCase() as CountryCode);
  return parsed && parsed.isPossible() ? parsed.number : null;
}

export function isPhoneWritten(raw: string | null | undefined): boolean {
  return raw !== null && raw !== undefined && raw.trim() !== '';
}

export function normalizeEmail(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const trimmed = raw.trim().toLowerCase();
  return trimmed === '' ? null : trimmed;
}

export function companyKey(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, ' ');
}

/**
 * The lead's own contact, made from it when it was converted (create_on_basis links it back): no
 * sign that the client knew us before. A lead moved back to "new" after its conversion would
 * otherwise be announced as a repeat client of itself. A contact known before the lead came in,
 * or one another lead made, still is a sign.
 */
export function isOwnContact(contact: { id: number; createdAt: number }, lead: { contactId: number | null; createdAt: number }): boolean {
  return lead.contactId === contact.id && contact.createdAt >= lead.createdAt;
}
