import { DateTime } from 'luxon';
import { consentWord, type ConsentChannel, type ConsentStatus } from '../core/consent';
import type { ConsentRow } from '../core/rows';
import { CONSENT_DATE_TARGET, CONSENT_TARGETS, type MappedRow } from './header-map';

/** One consent a row gives, ready for the register. */
export interface RowConsent {
  channel: ConsentChannel;
  address: string;
  status: ConsentStatus;
  /** When the client gave it, from the `consent_at` column; null when the file does not say. */
  givenAt: number | null;
  /** The cells as written, kept with the record as its evidence. */
  note: string;
}

export interface CellProblem {
  column: string | null;
  message: string;
}

/** Russian exports write dates as 03.11.2025 (a time may follow), others as ISO. */
const DATE_FORMATS = ['dd.MM.yyyy', 'dd.MM.yyyy HH:mm', 'dd.MM.yyyy HH:mm:ss', 'd.M.yyyy', 'dd.MM.yy'];

function dateOf(cell: string, timezone: string): DateTime | null {
  const iso = DateTime.fromISO(cell, { zone: timezone });
  if (iso.isValid) return iso;
  for (const format of DATE_FORMATS) {
    const parsed = DateTime.fromFormat(cell, format, { zone: timezone });
    if (parsed.isValid) return parsed;
  }
  return null;
}

/**
 * The consents a row gives, each for the address of its channel in the same row (the email for
 * consent_email, the phone for consent_sms and consent_call); or what is wrong with its cells.
 */
export function rowConsents(mapped: MappedRow, addresses: { phone: string | null; email: string | null }, context: { timezone: string; now: number }): { consents: RowConsent[] } | { problems: CellProblem[] } {
  const problems: CellProblem[] = [];
  const date = mapped.consent.get(CONSENT_DATE_TARGET);
  let givenAt: number | null = null;
  if (date) {
    const parsed = dateOf(date.value, context.timezone);
    if (!parsed) problems.push({ column: date.column, message: `"${date.value}" is not a date: write 03.11.2025 or 2025-11-03` });
    else if (parsed.toMillis() > context.now) problems.push({ column: date.column, message: `${date.value} is after the import: a consent is given before it is recorded` });
    else givenAt = parsed.toMillis();
  }
  const consents: RowConsent[] = [];
  for (const [target, channel] of Object.entries(CONSENT_TARGETS) as Array<[keyof typeof CONSENT_TARGETS, ConsentChannel]>) {
    const cell = mapped.consent.get(target);
    if (!cell) continue;
    const status = consentWord(cell.value);
    if (status === null) {
      problems.push({ column: cell.column, message: `"${cell.value}" is not a consent: write да or нет (yes/no, 1/0, true/false)` });
      continue;
    }
    const address = channel === 'email' ? addresses.email : addresses.phone;
    if (address === null) {
      problems.push({ column: cell.column, message: `a consent to ${channel === 'email' ? 'email' : channel === 'sms' ? 'SMS' : 'calls'} needs the row’s ${channel === 'email' ? 'email' : 'phone'}` });
      continue;
    }
    consents.push({ channel, address, status, givenAt, note: [`${cell.column}: ${cell.value}`, date ? `${date.column}: ${date.value}` : null].filter(Boolean).join('; ').slice(0, 500) });
  }
  return problems.length > 0 ? { problems } : { consents };
}

/** The client's own no: a STOP reply, an unsubscribe link, or what they told a person. */
const CLIENTS_OWN_NO = new Set(['sms_stop', 'unsubscribe_link', 'manual']);

/**
 * What the register already says against what a row says: nothing new (the same word), a yes
 * that must not undo a no the client gave later (an old export does not subscribe again someone
 * who sent STOP since; without a date the row's yes is taken as older), or a word to record.
 */
export function consentVerdict(consent: RowConsent, latest: Pick<ConsentRow, 'status' | 'source' | 'createdAt'> | null): 'record' | 'unchanged' | 'kept' {
  if (latest?.status === consent.status) return 'unchanged';
  if (consent.status === 'opt_in' && latest?.status === 'opt_out' && CLIENTS_OWN_NO.has(latest.source) && (consent.givenAt === null || consent.givenAt <= latest.createdAt)) return 'kept';
  return 'record';
}
