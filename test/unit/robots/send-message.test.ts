import { sendMessage } from '../../../robots/send-message';
import { NotNowError } from '../../../server/core/quiet-hours';
import { configFromYaml, loadFixture, leadFunnel } from '../../support/configs';
import { FakePorts } from '../../support/fake-ports';
import { runContext } from '../../support/robot-run';
import { contactRow, FIXTURE_NOW } from '../../support/rows';
import { first } from '../../support/lists';

/** A Moscow wall-clock time on Wednesday 11 March 2026 (UTC+3, no DST), as epoch milliseconds. */
const moscow = (hhmm: string, day = 11) => {
  const [hours, minutes] = hhmm.split(':').map(Number);
  if (hours === undefined || minutes === undefined) throw new Error(`not a time of day: ${hhmm}`);
  return Date.UTC(2026, 2, day, hours - 3, minutes);
};

/** The night is quiet for SMS, calls and Telegram (the default channels); email may go. */
const QUIET = `
timezone: Europe/Moscow
quiet_hours: { start: "21:00", end: "09:00" }
fields:
  telegram_chat_id: { type: string }
leads:
  stages:
    - id: contacting
      robots:
        - { id: touch_sms, type: send_message, channel: sms, text: "{{item.name}}, we called you" }
        - { id: touch_telegram, type: send_message, channel: telegram, text: "{{item.name}}, any questions?" }
        - { id: touch_email, type: send_message, channel: email, subject: Prices, text: "{{item.name}}, our prices" }
    - id: won
      semantic: won
`;

const config = leadFunnel({
  robots: {
    leads: {
      in_work: [
        { id: 'touch_sms', type: 'send_message', channel: 'sms', text: 'Hello {{item.name}}' },
        { id: 'touch_plain', type: 'send_message', text: 'Hello {{item.name}}' },
        { id: 'touch_telegram', type: 'send_message', channel: 'telegram', text: 'Hello {{item.name}}' },
        { id: 'touch_nothing', type: 'send_message', channel: 'sms' },
      ],
    },
  },
});

describe('send_message', () => {
  it("emails the client the template, in the responsible's name", async () => {
    const ports = new FakePorts(config);

    const outcome = await sendMessage.run(runContext(sendMessage, 'services_welcome', ports, { deal: { id: 21, responsible: 'semen', email: 'ivan@example.com', fields: { product: 'cleaning' } } }));

    expect(ports.sends).toEqual([
      {
        idempotencyKey: 'run:1:client',
        runId: 1,
        entity: { kind: 'deal', id: 21 },
        channel: 'email',
        audience: 'client',
        recipient: 'ivan@example.com',
        template: 'welcome',
        subject: 'Hello, Ivan Petrov',
        body: 'Dear Ivan Petrov, Semen Services will contact you about cleaning.',
        html: null,
        meta: { robot: 'services_welcome' },
      },
    ]);
    expect(outcome).toMatchObject({ outcome: 'done', detail: `email to ivan@example.com: message #${first(ports.messages).id} recorded` });
  });

  it('skips a client who opted out, and sends nothing', async () => {
    const ports = new FakePorts(config, { optedOut: [{ channel: 'email', address: 'ivan@example.com' }] });

    const outcome = await sendMessage.run(runContext(sendMessage, 'services_welcome', ports, { deal: { email: 'ivan@example.com' } }));

    expect(ports.optOutChecks).toEqual([{ channel: 'email', address: 'ivan@example.com' }]);
    expect(outcome).toMatchObject({ outcome: 'skipped', detail: 'the client opted out of email (ivan@example.com), or it needs their opt-in' });
    expect(ports.sends).toEqual([]);
  });

  it('still writes to a client who opted out of another channel only', async () => {
    const ports = new FakePorts(config, { optedOut: [{ channel: 'sms', address: '+79161234567' }] });

    const outcome = await sendMessage.run(runContext(sendMessage, 'services_welcome', ports, { deal: { email: 'ivan@example.com', phone: '+79161234567' } }));

    expect(outcome.outcome).toBe('done');
    expect(ports.sends).toHaveLength(1);
  });

  it.each([
    ['an email', 'services_welcome', { email: null }, 'the client has no email for a email touch'],
    ['an SMS', 'touch_sms', { phone: null }, 'the client has no phone for a sms touch'],
    ['a Telegram message', 'touch_telegram', { fields: {} }, 'the client has no Telegram chat for a telegram touch'],
  ])('skips %s to a client with no address for it', async (_, robotId, row, detail) => {
    const ports = new FakePorts(config);

    const outcome = await sendMessage.run(runContext(sendMessage, robotId, ports, { lead: row }));

    expect(outcome).toMatchObject({ outcome: 'skipped', detail });
    expect(ports.sends).toEqual([]);
  });

  it.each([
    ['email', 'services_welcome', 'olga@example.com'],
    ['sms', 'touch_sms', '+79035550000'],
  ])("writes by %s to the deal's contact when the deal itself has no address", async (channel, robotId, address) => {
    const ports = new FakePorts(config);
    const contact = contactRow({ id: 4, email: 'olga@example.com', phone: '+79035550000' });

    await sendMessage.run(runContext(sendMessage, robotId, ports, { deal: { pipeline: 'services', email: null, phone: null }, contact }));

    expect(ports.sends.map((send) => [send.channel, send.recipient])).toEqual([[channel, address]]);
  });

  it("writes in Telegram to the chat in the client's telegram_chat_id field, by the template's channel", async () => {
    const ports = new FakePorts(loadFixture('funnel.yaml'));

    const outcome = await sendMessage.run(runContext(sendMessage, 'touch_2_telegram', ports, { lead: { fields: { telegram_chat_id: 555001 } } }));

    expect(ports.sends).toEqual([expect.objectContaining({ channel: 'telegram', recipient: '555001', template: 'touch_telegram', body: 'Ivan Petrov, any questions? Just reply here.' })]);
    expect(outcome.detail).toMatch(/^telegram to 555001: message #\d+ recorded$/);
  });

  it('sends the email template with its HTML part', async () => {
    const ports = new FakePorts(loadFixture('funnel.yaml'));

    await sendMessage.run(runContext(sendMessage, 'welcome', ports, { lead: { name: 'Ivan' } }));

    expect(ports.sends[0]).toMatchObject({
      channel: 'email',
      subject: 'Ivan, our prices',
      body: 'Hello Ivan, prices: https://shop.example.com/pricing',
      html: '<p>Hello Ivan, see <a href="https://shop.example.com/pricing">prices</a></p>',
    });
  });

  it('sends inline text by email when neither it nor a template names a channel', async () => {
    const ports = new FakePorts(config);

    await sendMessage.run(runContext(sendMessage, 'touch_plain', ports));

    expect(ports.sends.map((send) => [send.channel, send.recipient, send.template, send.body])).toEqual([['email', 'ivan@example.com', null, 'Hello Ivan Petrov']]);
  });

  it('skips when it has neither a template nor a text', async () => {
    const ports = new FakePorts(config);

    const outcome = await sendMessage.run(runContext(sendMessage, 'touch_nothing', ports));

    expect(outcome).toMatchObject({ outcome: 'skipped', detail: 'send_message has neither `template` nor `text`' });
  });

  it('sends the client one message however often the run is retried', async () => {
    const ports = new FakePorts(config);
    const context = runContext(sendMessage, 'touch_sms', ports, { run: { id: 77 } });

    await sendMessage.run(context);
    await sendMessage.run({ ...context, run: { ...context.run, attempts: 1 } });

    expect(ports.sends.map((send) => send.idempotencyKey)).toEqual(['run:77:client', 'run:77:client']);
    expect(ports.messages).toHaveLength(1);
  });

  describe('inside quiet hours', () => {
    it.each([
      ['an SMS late at night', 'touch_sms', moscow('23:30'), moscow('09:00', 12)],
      ['an SMS just after midnight', 'touch_sms', moscow('00:10', 12), moscow('09:00', 12)],
      ['a Telegram message early in the morning', 'touch_telegram', moscow('07:00'), moscow('09:00')],
      ['an SMS at the first quiet minute', 'touch_sms', moscow('21:00'), moscow('09:00', 12)],
    ])('%s is put back until they end, and nothing is sent', async (_, robotId, now, until) => {
      const ports = new FakePorts(configFromYaml(QUIET), { now });

      const run = sendMessage.run(runContext(sendMessage, robotId, ports, { lead: { fields: { telegram_chat_id: '555001' } } }));

      await expect(run).rejects.toThrow(NotNowError);
      await expect(run).rejects.toMatchObject({ until });
      expect(ports.sends).toEqual([]);
    });

    it.each([
      ['an email at night (email is not a quiet channel)', 'touch_email', moscow('23:30')],
      ['an SMS at the first allowed minute', 'touch_sms', moscow('09:00')],
      ['an SMS in the afternoon', 'touch_sms', moscow('15:00')],
    ])('%s goes at once', async (_, robotId, now) => {
      const ports = new FakePorts(configFromYaml(QUIET), { now });

      const outcome = await sendMessage.run(runContext(sendMessage, robotId, ports));

      expect(outcome.outcome).toBe('done');
      expect(ports.sends).toHaveLength(1);
    });

    it('a client who opted out is skipped at night rather than put back until morning', async () => {
      const ports = new FakePorts(configFromYaml(QUIET), { now: moscow('23:30'), optedOut: [{ channel: 'sms', address: '+79161234567' }] });

      const outcome = await sendMessage.run(runContext(sendMessage, 'touch_sms', ports));

      expect(outcome.outcome).toBe('skipped');
    });

    it('are judged by the time the run is due', async () => {
      const ports = new FakePorts(configFromYaml(QUIET));

      const run = sendMessage.run(runContext(sendMessage, 'touch_sms', ports, { now: moscow('22:00') }));

      await expect(run).rejects.toThrow(NotNowError);
      expect(ports.now()).toBe(FIXTURE_NOW);
    });
  });
});
