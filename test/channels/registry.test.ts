import { buildChannels } from '../../server/channels';

const email = { SMTP_URL: 'smtp://robots:secret@127.0.0.1:2525', EMAIL_FROM: 'Acme Sales <sales@acme.test>' };
const sms = { TWILIO_ACCOUNT_SID: 'AC' + 'f'.repeat(32), TWILIO_AUTH_TOKEN: 'token', TWILIO_FROM: '+15005550006' };
const telegram = { TELEGRAM_BOT_TOKEN: '7000001:token' };

describe('buildChannels', () => {
  it.each([
    ['no credentials at all', {}, []],
    ['SMTP without a from address', { SMTP_URL: email.SMTP_URL }, []],
    ['Twilio without a sender', { TWILIO_ACCOUNT_SID: sms.TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN: sms.TWILIO_AUTH_TOKEN }, []],
    ['email only', email, ['email']],
    ['sms only (and voice, on the same Twilio account)', sms, ['sms', 'voice']],
    ['telegram only', telegram, ['telegram']],
    ['every channel', { ...email, ...sms, ...telegram, TWILIO_API_BASE: 'http://127.0.0.1:1', TELEGRAM_API_ROOT: 'http://127.0.0.1:2' }, ['email', 'sms', 'voice', 'telegram']],
  ])('with %s registers %j', async (_case, env, expected) => {
    const channels = buildChannels(env);
    try {
      expect(channels.configured()).toEqual(expected);
    } finally {
      await channels.close();
    }
  });

  it('sends what has no credentials to the outbox', async () => {
    const channels = buildChannels({ ...telegram });
    try {
      expect(channels.get('sms').name).toBe('outbox');
      expect(channels.get('telegram').name).toBe('telegram');
    } finally {
      await channels.close();
    }
  });
});
