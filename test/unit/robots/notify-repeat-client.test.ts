import { markRepeatClient, notifyRepeatClient } from '../../../robots/notify-repeat-client';
import { itemAlertButtons } from '../../../server/core/alert-buttons';
import { leadFunnel } from '../../support/configs';
import { FakePorts } from '../../support/fake-ports';
import { runContext } from '../../support/robot-run';
import { contactRow, leadRow } from '../../support/rows';
import { first } from '../../support/lists';

const config = leadFunnel({
  robots: {
    leads: {
      in_work: [
        { id: 'repeat_default_text', type: 'notify_repeat_client', notify: ['responsible', 'manager'] },
        { id: 'repeat_mark', type: 'mark_repeat_client' },
        { id: 'repeat_mark_and_tell', type: 'mark_repeat_client', notify: ['manager'], channel: 'email', text: 'Repeat client {{item.name}}' },
      ],
    },
  },
});

describe('notify_repeat_client', () => {
  it('flags a lead whose phone a contact already has and tells its responsible it has priority', async () => {
    const ports = new FakePorts(config, { contacts: [contactRow({ id: 5, phone: '+79161234567', email: 'other@example.com' })] });

    const outcome = await notifyRepeatClient.run(runContext(notifyRepeatClient, 'repeat_check', ports, { lead: { id: 31, responsible: 'gena' } }));

    expect(ports.repeatClientFlags).toEqual([{ leadId: 31, contactId: 5 }]);
    expect(ports.sends).toEqual([
      expect.objectContaining({
        channel: 'telegram',
        audience: 'user',
        recipient: '1001',
        recipientLogin: 'gena',
        template: 'repeat_alert',
        body: 'Priority: lead #31 Ivan Petrov is a repeat client (contact #5)',
        meta: { robot: 'repeat_check', priority: true, reason: 'repeat_client', buttons: itemAlertButtons({ kind: 'lead', id: 31 }, 'http://localhost:3000/board/#lead-31') },
      }),
    ]);
    expect(outcome).toMatchObject({ outcome: 'done', detail: 'flagged repeat client (contact #5); told gena' });
  });

  it.each([
    ['the phone', { phone: '+79161234567', email: 'new@example.com' }, contactRow({ id: 5, phone: '+79161234567', email: null })],
    ['the email', { phone: '+79990000000', email: 'ivan@example.com' }, contactRow({ id: 5, phone: null, email: 'ivan@example.com' })],
    ['the email, the lead having no phone', { phone: null, email: 'ivan@example.com' }, contactRow({ id: 5, phone: '+79161234567', email: 'ivan@example.com' })],
  ])('recognises a known client by %s', async (_, keys, contact) => {
    const ports = new FakePorts(config, { contacts: [contact] });

    const outcome = await notifyRepeatClient.run(runContext(notifyRepeatClient, 'repeat_check', ports, { lead: { ...keys, responsible: 'gena' } }));

    expect(ports.contactLookups).toEqual([keys]);
    expect(ports.repeatClientFlags).toEqual([{ leadId: 1, contactId: 5 }]);
    expect(outcome.outcome).toBe('done');
  });

  it("flags a lead that only an earlier lead shares a phone with, and links that lead's contact", async () => {
    const earlier = leadRow({ id: 4, phone: '+79161234567', email: null, contactId: 9 });
    const ports = new FakePorts(config, { leads: [earlier] });

    const outcome = await notifyRepeatClient.run(runContext(notifyRepeatClient, 'repeat_check', ports, { lead: { id: 20, responsible: 'galya' } }));

    expect(ports.repeatClientFlags).toEqual([{ leadId: 20, contactId: 9 }]);
    expect(ports.sends.map((send) => send.body)).toEqual(['Priority: lead #20 Ivan Petrov is a repeat client']);
    expect(outcome).toMatchObject({ outcome: 'done', detail: 'flagged repeat client (earlier lead #4); told galya' });
  });

  it('keeps the contact a lead is already linked to', async () => {
    const ports = new FakePorts(config, { contacts: [contactRow({ id: 5 })] });

    await notifyRepeatClient.run(runContext(notifyRepeatClient, 'repeat_check', ports, { lead: { contactId: 3, responsible: 'gena' } }));

    expect(ports.repeatClientFlags).toEqual([{ leadId: 1, contactId: 3 }]);
  });

  it('leaves a lead whose phone and email are new alone', async () => {
    const ports = new FakePorts(config, { contacts: [contactRow({ phone: '+79990000000', email: 'someone@example.com' })], leads: [leadRow({ id: 2, phone: null, email: 'else@example.com' })] });

    const outcome = await notifyRepeatClient.run(runContext(notifyRepeatClient, 'repeat_check', ports, { lead: { responsible: 'gena' } }));

    expect(outcome).toMatchObject({ outcome: 'skipped', detail: 'not a repeat client: phone and email are new' });
    expect(ports.repeatClientFlags).toEqual([]);
    expect(ports.sends).toEqual([]);
  });

  it('still flags the lead when it has no responsible to tell, and says nobody was told', async () => {
    const ports = new FakePorts(config, { contacts: [contactRow({ id: 5 })] });

    const outcome = await notifyRepeatClient.run(runContext(notifyRepeatClient, 'repeat_check', ports, { lead: { responsible: null } }));

    expect(ports.repeatClientFlags).toHaveLength(1);
    expect(ports.sends).toEqual([]);
    expect(outcome).toMatchObject({ outcome: 'done', detail: 'flagged repeat client (contact #5); told nobody; nobody to tell for responsible (none assigned)' });
  });

  it('without a template, tells the responsible and the manager in its own words, with the link to the lead', async () => {
    const ports = new FakePorts(config, { contacts: [contactRow({ id: 5 })] });

    const outcome = await notifyRepeatClient.run(runContext(notifyRepeatClient, 'repeat_default_text', ports, { lead: { id: 8, responsible: 'semen' } }));

    const text = '⚡ Repeat client: lead #8 Ivan Petrov (+79161234567, ivan@example.com) already knows us — contact #5. Handle it first: http://localhost:3000/board/#lead-8';
    expect(ports.sends.map((send) => [send.recipientLogin, send.recipient, send.body])).toEqual([
      ['semen', '2001', text],
      ['sm', '2000', text],
    ]);
    expect(outcome.detail).toBe('flagged repeat client (contact #5); told semen, sm');
  });

  it('does nothing on a deal', async () => {
    const ports = new FakePorts(config, { contacts: [contactRow()] });

    const outcome = await notifyRepeatClient.run(runContext(notifyRepeatClient, 'repeat_check', ports, { deal: { pipeline: 'general' } }));

    expect(outcome).toMatchObject({ outcome: 'skipped', detail: 'notify_repeat_client works on leads' });
    expect(ports.contactLookups).toEqual([]);
  });
});

describe('mark_repeat_client', () => {
  it('flags the lead and links the contact, but tells nobody', async () => {
    const ports = new FakePorts(config, { contacts: [contactRow({ id: 5 })] });

    const outcome = await markRepeatClient.run(runContext(markRepeatClient, 'repeat_mark', ports, { lead: { responsible: 'anna' } }));

    expect(ports.repeatClientFlags).toEqual([{ leadId: 1, contactId: 5 }]);
    expect(ports.sends).toEqual([]);
    expect(outcome).toMatchObject({ outcome: 'done', detail: 'flagged repeat client (contact #5)' });
  });

  it('tells whom `notify` names, on the channel it names (a manager without an email gets it in the outbox)', async () => {
    const ports = new FakePorts(config, { contacts: [contactRow({ id: 5 })] });

    await markRepeatClient.run(runContext(markRepeatClient, 'repeat_mark_and_tell', ports, { lead: { name: 'Olga' } }));

    expect(ports.sends).toEqual([expect.objectContaining({ channel: 'outbox', recipient: 'gm', recipientLogin: 'gm', body: 'Repeat client Olga' })]);
    expect(first(ports.sends).meta).not.toHaveProperty('buttons');
  });
});
