import { CONSENT_CHANNELS } from '../../config/primitives';

export { CONSENT_CHANNELS };
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];
export const CONSENT_STATUSES = ['opt_in', 'opt_out'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];
/** Where a client's word came from: a web form's checkbox, a STOP reply, an unsubscribe link, a person, an import. */
export const CONSENT_SOURCES = ['form', 'sms_stop', 'unsubscribe_link', 'manual', 'import'] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

/** The register's channel for a message channel: a voice call is `call`; the outbox (records only) asks nobody. */
export function consentChannelOf(channel: string): ConsentChannel | null {
  if (channel === 'voice') return 'call';
  return (CONSENT_CHANNELS as readonly string[]).includes(channel) ? (channel as ConsentChannel) : null;
}

/**
 * May we reach the client on this channel? Their latest word decides; without one, the config's
 * rule for the channel: `opt_in` needs a yes first, `opt_out` (the default) allows until a no.
 */
export function consentAllows(latest: { status: ConsentStatus } | null, rule: ConsentStatus | undefined): boolean {
  if (latest) return latest.status === 'opt_in';
  return (rule ?? 'opt_out') === 'opt_out';
}

/** Which of a contact's addresses a channel reaches. */
export function contactAddressOn(channel: ConsentChannel, contact: { phone: string | null; email: string | null }): string | null {
  if (channel === 'email') return contact.email;
  if (channel === 'sms' || channel === 'call') return contact.phone;
  return null;
}

/** A consent cell as people fill it in a spreadsheet: да/нет, yes/no, 1/0, true/false, +/-. */
const CONSENT_WORDS: ReadonlyMap<string, ConsentStatus> = new Map([
  ...['да', 'д', 'yes', 'y', 'true', '1', '+', 'согласен', 'согласна', 'есть'].map((word): [string, ConsentStatus] => [word, 'opt_in']),
  ...['нет', 'н', 'no', 'n', 'false', '0', '-', 'отказ', 'не согласен', 'не согласна'].map((word): [string, ConsentStatus] => [word, 'opt_out']),
]);

/** The status a cell says, or null when it says neither. */
export function consentWord(cell: string): ConsentStatus | null {
  return CONSENT_WORDS.get(cell.trim().toLowerCase().replace(/ё/g, 'е')) ?? null;
}
