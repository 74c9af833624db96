import { notify } from '../../../robots/notify';
import { itemAlertButtons } from '../../../server/core/alert-buttons';
import { leadFunnel } from '../../support/configs';
import { FakePorts } from '../../support/fake-ports';
import { runContext } from '../../support/robot-run';
import { FIXTURE_NOW } from '../../support/rows';
import { first, nth } from '../../support/lists';

const config = leadFunnel({
  robots: {
    general: {
      offer: [
        { id: 'offer_everyone', type: 'notify', to: ['responsible', 'manager', 'team'], text: 'Offer for {{item.title}}' },
        { id: 'offer_to_ops', type: 'notify', to: ['olya', 'root'], text: 'Offer sent', channel: 'email', subject: 'Offer' },
        { id: 'offer_quiet', type: 'notify', to: ['responsible'], text: 'Offer sent', buttons: false },
        { id: 'offer_empty', type: 'notify', to: ['responsible'] },
      ],
    },
  },
});

describe('notify', () => {
  it('alerts the manager of the responsible, rendering the template for them', async () => {
    const ports = new FakePorts(config);

    const outcome = await notify.run(runContext(notify, 'sla_30m', ports, { lead: { id: 9, responsible: 'semen', enteredStageAt: FIXTURE_NOW - 30 * 60_000 } }));

    expect(ports.sends).toEqual([
      expect.objectContaining({
        idempotencyKey: 'run:1:user:sm',
        channel: 'telegram',
        audience: 'user',
        recipient: '2000',
        recipientLogin: 'sm',
        entity: { kind: 'lead', id: 9 },
        template: 'sla_alert',
        body: 'Lead #9 Ivan Petrov waits 30 min in New: nobody took it',
      }),
    ]);
    expect(outcome).toMatchObject({ outcome: 'done', detail: 'notified sm (telegram)' });
  });

  it("alerts the lead team's manager when the lead has no responsible yet", async () => {
    const ports = new FakePorts(config);

    await notify.run(runContext(notify, 'sla_30m', ports, { lead: { responsible: null } }));

    expect(ports.sends.map((send) => send.recipientLogin)).toEqual(['gm']);
  });

  it('renders the alert for each recipient by name', async () => {
    const ports = new FakePorts(config);

    await notify.run(runContext(notify, 'general_new_deal_alert', ports, { deal: { id: 15, title: 'Chairs', responsible: 'galya', leadId: 3 } }));

    expect(ports.sends.map((send) => send.body)).toEqual(['Galya General, new deal #15 «Chairs» from lead #3']);
  });

  it.each([
    ['responsible, manager and team, each once', 'offer_everyone', 'galya', ['galya', 'gm', 'gena']],
    ['logins as written', 'offer_to_ops', null, ['olya', 'root']],
  ])('alerts %s', async (_, robotId, responsible, logins) => {
    const ports = new FakePorts(config);

    await notify.run(runContext(notify, robotId, ports, { deal: { pipeline: 'general', stage: 'offer', responsible } }));

    expect(ports.sends.map((send) => send.recipientLogin)).toEqual(logins);
  });

  it('names who could not be resolved beside who was notified', async () => {
    const ports = new FakePorts(config);

    const outcome = await notify.run(runContext(notify, 'offer_everyone', ports, { deal: { pipeline: 'general', stage: 'offer', responsible: null } }));

    expect(outcome).toMatchObject({ outcome: 'done', detail: 'notified gm (telegram), gena (telegram), galya (telegram); unresolved: responsible (none assigned)' });
  });

  it('still alerts a user without an address on the channel, in the outbox', async () => {
    const ports = new FakePorts(config);

    const outcome = await notify.run(runContext(notify, 'offer_to_ops', ports));

    expect(ports.sends.map((send) => [send.channel, send.recipient, send.subject])).toEqual([
      ['outbox', 'olya', 'Offer'],
      ['outbox', 'root', 'Offer'],
    ]);
    expect(outcome.detail).toBe('notified olya (outbox), root (outbox)');
  });

  it('puts Take the lead, Call now and Open buttons under a Telegram alert, unless told not to', async () => {
    const ports = new FakePorts(config, { publicUrl: 'https://crm.example.com' });

    await notify.run(runContext(notify, 'general_new_deal_alert', ports, { deal: { id: 15, responsible: 'gena' } }));
    await notify.run(runContext(notify, 'offer_quiet', ports, { deal: { id: 15, stage: 'offer', responsible: 'gena' }, run: { id: 2 } }));

    expect(first(ports.sends).meta).toEqual({ robot: 'general_new_deal_alert', buttons: itemAlertButtons({ kind: 'deal', id: 15 }, 'https://crm.example.com/board/#deal-15') });
    expect(nth(ports.sends, 1).meta).toEqual({ robot: 'offer_quiet' });
  });

  it('puts no buttons under an email alert', async () => {
    const ports = new FakePorts(config);

    await notify.run(runContext(notify, 'offer_to_ops', ports));

    expect(first(ports.sends).meta).toEqual({ robot: 'offer_to_ops' });
  });

  it('skips when nobody is there to alert', async () => {
    const ports = new FakePorts(config);

    const outcome = await notify.run(runContext(notify, 'general_new_deal_alert', ports, { deal: { responsible: null } }));

    expect(outcome).toMatchObject({ outcome: 'skipped', detail: 'nobody to notify: responsible (none assigned)' });
    expect(ports.sends).toEqual([]);
  });

  it('skips when it has neither a template nor a text', async () => {
    const ports = new FakePorts(config);

    const outcome = await notify.run(runContext(notify, 'offer_empty', ports, { deal: { stage: 'offer', responsible: 'gena' } }));

    expect(outcome).toMatchObject({ outcome: 'skipped', detail: 'notify has neither `template` nor `text`' });
    expect(ports.sends).toEqual([]);
  });

  it('sends each recipient one alert however often the run is retried', async () => {
    const ports = new FakePorts(config);
    const context = runContext(notify, 'general_new_deal_alert', ports, { deal: { responsible: 'gena' }, run: { id: 40 } });

    await notify.run(context);
    await notify.run({ ...context, run: { ...context.run, attempts: 1 } });

    expect(ports.sends.map((send) => send.idempotencyKey)).toEqual(['run:40:user:gena', 'run:40:user:gena']);
    expect(ports.messages).toHaveLength(1);
  });
});
