import type { ProviderRecord } from '../../server/channels/channel';
import { NEVER_ARRIVED_AFTER_MS, verdictOf } from '../../server/sweeps/in-doubt-messages';

const sent = (providerId: string): ProviderRecord => ({ providerId, status: 'sent' });
const MINUTE = 60_000;

/** Which of Twilio's messages to a recipient, with our text, is the one in doubt. */
describe('settling an SMS in doubt from what Twilio holds', () => {
  it.each([
    ['the one match is ours', [sent('SM1')], [], MINUTE, sent('SM1')],
    ['a match another message of ours already claims is not ours', [sent('SM1'), sent('SM2')], ['SM1'], MINUTE, sent('SM2')],
    ['two unclaimed matches: a person decides', [sent('SM1'), sent('SM2')], [], MINUTE, 'cannot tell'],
    ['none a minute on: the request may yet arrive', [], [], MINUTE, 'cannot tell'],
    ['none five minutes on: it never arrived', [], [], NEVER_ARRIVED_AFTER_MS, 'never arrived'],
    ['only claimed ones, long after: it never arrived', [sent('SM1')], ['SM1'], NEVER_ARRIVED_AFTER_MS + MINUTE, 'never arrived'],
  ] as const)('%s', (_, records, claimed, ageMs, expected) => {
    expect(verdictOf([...records], new Set(claimed), ageMs)).toEqual(expected);
  });
});
