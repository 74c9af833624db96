import { nextAllowedTime } from '../../server/core/quiet-hours';
import { parseRate, RateLimitedChannel, TokenBucket } from '../../server/channels/rate-limit';
import { RetryableSendError } from '../../server/core/errors';
import type { Channel, OutgoingMessage } from '../../server/channels/channel';
import { outgoingMessage } from './outgoing-message';

const MSK = 'Europe/Moscow';
const at = (iso: string) => Date.parse(iso);

describe('nextAllowedTime (quiet hours in the config time zone)', () => {
  it.each([
    ['inside an overnight window, late evening → next morning', '2026-03-02T22:30:00+03:00', '21:00', '09:00', '2026-03-03T09:00:00+03:00'],
    ['inside an overnight window, small hours → same morning', '2026-03-03T03:00:00+03:00', '21:00', '09:00', '2026-03-03T09:00:00+03:00'],
    ['at the first quiet minute', '2026-03-02T21:00:00+03:00', '21:00', '09:00', '2026-03-03T09:00:00+03:00'],
    ['at the end minute: allowed', '2026-03-03T09:00:00+03:00', '21:00', '09:00', '2026-03-03T09:00:00+03:00'],
    ['daytime: allowed as is', '2026-03-02T14:15:00+03:00', '21:00', '09:00', '2026-03-02T14:15:00+03:00'],
    ['a window that does not wrap (lunch)', '2026-03-02T13:20:00+03:00', '13:00', '14:00', '2026-03-02T14:00:00+03:00'],
    ['start = end: never quiet', '2026-03-02T03:00:00+03:00', '00:00', '00:00', '2026-03-02T03:00:00+03:00'],
  ])('%s', (_case, now, start, end, expected) => {
    expect(new Date(nextAllowedTime(at(now), { start, end, zone: MSK })).toISOString()).toBe(new Date(at(expected)).toISOString());
  });

  it('follows the zone across a DST change (New York, spring forward)', () => {
    const allowed = nextAllowedTime(at('2026-03-08T01:30:00-05:00'), { start: '21:00', end: '09:00', zone: 'America/New_York' });
    expect(new Date(allowed).toISOString()).toBe('2026-03-08T13:00:00.000Z'); // 09:00 EDT
  });
});

describe('parseRate', () => {
  it.each([
    ['30/s', 30],
    ['1/s', 1],
    ['120/m', 2],
    ['off', null],
    ['0', null],
  ])('%s → %p per second', (text, expected) => {
    expect(parseRate(text, 5)).toBe(expected);
  });
  it('keeps the default when unset and refuses nonsense', () => {
    expect(parseRate(undefined, 30)).toBe(30);
    expect(() => parseRate('fast', 30)).toThrow('a rate limit is N/s');
  });
});

describe('the token bucket', () => {
  it('lets a burst through, then books tokens at the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(2, 2, () => now);
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 500, 1000]);
    now = 5000;
    expect(bucket.reserve()).toBe(0);
  });

  it('is idle (safe to forget) only once it has refilled completely', () => {
    let now = 0;
    const bucket = new TokenBucket(1, 1, () => now);
    bucket.reserve();
    expect(bucket.isIdle()).toBe(false);
    now = 999;
    expect(bucket.isIdle()).toBe(false);
    now = 1000;
    expect(bucket.isIdle()).toBe(true);
  });
});

describe('a rate-limited channel', () => {
  function recording() {
    const sentAt: Array<{ recipient: string; at: number }> = [];
    let now = 0;
    const inner: Channel = { name: 'telegram', send: async (message: OutgoingMessage) => (sentAt.push({ recipient: message.recipient, at: now }), { status: 'sent', deliveredVia: 'telegram' }) };
    const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
    return { sentAt, inner, clock };
  }

  it('holds one chat to 1 message a second while other chats go at once', async () => {
    const { sentAt, inner, clock } = recording();
    const channel = new RateLimitedChannel(inner, { global: 30, perRecipient: 1 }, clock.sleep, clock.now);
    for (const recipient of ['1', '1', '1', '2']) await channel.send(outgoingMessage({ recipient }));
    expect(sentAt).toEqual([
      { recipient: '1', at: 0 },
      { recipient: '1', at: 1000 },
      { recipient: '1', at: 2000 },
      { recipient: '2', at: 2000 },
    ]);
  });

  it('hands a long wait back to the runner as a retry instead of holding a worker', async () => {
    const { inner, clock } = recording();
    // Three sends queued at the same instant: the third would wait 2 s.
    const channel = new RateLimitedChannel(inner, { global: null, perRecipient: 1, maxWaitMs: 1500 }, async () => undefined, clock.now);
    await channel.send(outgoingMessage({ recipient: '1' }));
    await channel.send(outgoingMessage({ recipient: '1' }));
    const refused = channel.send(outgoingMessage({ recipient: '1' }));
    await expect(refused).rejects.toBeInstanceOf(RetryableSendError);
    await expect(refused).rejects.toMatchObject({ retryAfterMs: 2000 });
  });
});
