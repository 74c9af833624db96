import { consentAllows, consentChannelOf, consentWord, contactAddressOn } from '../../server/core/consent';
import { consentVerdict, type RowConsent } from '../../server/import/consent-cells';

describe('may we reach the client on a channel', () => {
  it.each([
    ['no word, the default rule', null, undefined, true],
    ['no word, the channel allowed until an opt-out', null, 'opt_out', true],
    ['no word, the channel needs an opt-in', null, 'opt_in', false],
    ['they opted in where an opt-in is needed', { status: 'opt_in' }, 'opt_in', true],
    ['they opted out', { status: 'opt_out' }, 'opt_out', false],
    ['they opted out where an opt-in is needed', { status: 'opt_out' }, 'opt_in', false],
    ['they opted in again after an opt-out', { status: 'opt_in' }, 'opt_out', true],
  ] as const)('%s', (_case, latest, rule, allowed) => {
    expect(consentAllows(latest, rule)).toBe(allowed);
  });

  it('a voice call is the `call` channel, the outbox asks nobody, and a channel reaches the contact at its own address', () => {
    expect([consentChannelOf('voice'), consentChannelOf('sms'), consentChannelOf('outbox')]).toEqual(['call', 'sms', null]);
    const contact = { phone: '+79161234567', email: 'anna@petrova.ru' };
    expect([contactAddressOn('email', contact), contactAddressOn('sms', contact), contactAddressOn('call', contact), contactAddressOn('telegram', contact)]).toEqual([
      'anna@petrova.ru',
      '+79161234567',
      '+79161234567',
      null,
    ]);
  });
});

describe('a consent cell of a CSV import', () => {
  it.each([
    ['да', 'opt_in'],
    ['Да', 'opt_in'],
    [' YES ', 'opt_in'],
    ['1', 'opt_in'],
    ['true', 'opt_in'],
    ['+', 'opt_in'],
    ['нет', 'opt_out'],
    ['No', 'opt_out'],
    ['0', 'opt_out'],
    ['false', 'opt_out'],
    ['отказ', 'opt_out'],
    ['может быть', null],
    ['2', null],
  ] as const)('"%s" says %s', (cell, status) => {
    expect(consentWord(cell)).toBe(status);
  });

  const stop = { status: 'opt_out', source: 'sms_stop', createdAt: Date.parse('2026-03-02T06:00:00Z') } as const;
  const row = (status: RowConsent['status'], givenAt: string | null): RowConsent => ({ channel: 'sms', address: '+79161234567', status, givenAt: givenAt === null ? null : Date.parse(givenAt), note: '' });
  it.each([
    ['a first word is recorded', row('opt_in', null), null, 'record'],
    ['the word the register says already is not written again', row('opt_out', null), stop, 'unchanged'],
    ['an undated yes does not undo the client’s STOP', row('opt_in', null), stop, 'kept'],
    ['a yes given before the STOP does not undo it', row('opt_in', '2026-03-01T10:00:00Z'), stop, 'kept'],
    ['a yes given after the STOP is recorded', row('opt_in', '2026-03-02T12:00:00Z'), stop, 'record'],
    ['an undated yes replaces an earlier import’s no', row('opt_in', null), { ...stop, source: 'import' }, 'record'],
    ['a no is always recorded', row('opt_out', null), { status: 'opt_in', source: 'form', createdAt: stop.createdAt }, 'record'],
  ] as const)('%s', (_case, consent, latest, verdict) => {
    expect(consentVerdict(consent, latest)).toBe(verdict);
  });
});
