import { consentAllows, consentChannelOf, contactAddressOn } from '../../server/core/consent';

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
