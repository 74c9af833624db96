import request from 'supertest';
import { testDatabaseKinds } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

/** The consent register: who agreed to which channel, and every client touch asks it first. */
const CONFIG = `
timezone: Europe/Moscow
locale: ru
default_region: RU
consent:
  email: opt_in
users:
  - { login: root, name: Корнеев Admin, role: admin }
  - { login: gena, name: Геннадий Орлов, role: sales, team: general }
teams:
  general: { members: [gena], manager: root }
forms:
  contact:
    fields: { name: name, phone: phone, email: email }
    consent_field: agree
    consent_channels: [email, sms]
leads:
  stages:
    - id: new
    - id: touch
      robots:
        - { id: letter, type: send_message, channel: email, text: "Здравствуйте, {{item.name}}!" }
        - { id: sms, type: send_message, channel: sms, text: "{{item.name}}, перезвоним сегодня" }
`;

const PHONE = '+79161234567';
const EMAIL = 'maria@kuznetsova.ru';

describe.each(testDatabaseKinds())('consent per channel, on %s', (kind) => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness(kind, { configText: CONFIG });
  });
  afterEach(async () => {
    await harness.close();
  });

  /** A client known before (converted once): the contact the register speaks of. */
  const knownContact = () =>
    harness.runtime.store.transaction(async (manager) => (await harness.runtime.records.findOrCreateContact(manager, { name: 'Мария Кузнецова', phone: PHONE, email: EMAIL, companyId: null })).contact.id);
  const consentOf = async (contactId: number) => {
    const channels = (await harness.as('gena').get(`/api/contacts/${contactId}/consent`).expect(200)).body.channels as Array<{ channel: string; allowed: boolean; status: string | null; source: string | null }>;
    return Object.fromEntries(channels.map((entry) => [entry.channel, [entry.allowed, entry.status, entry.source]]));
  };
  const touch = async () => {
    const id = (await harness.as('root').post('/api/leads', { name: 'Мария Кузнецова', phone: '8 916 123-45-67', email: EMAIL }).expect(201)).body.id as number;
    await harness.as('root').post(`/api/leads/${id}/move`, { stage: 'touch' }).expect(200);
    await harness.runDue();
    const runs = (await harness.as('root').get(`/api/leads/${id}/timeline`).expect(200)).body.timeline.filter((entry: { type: string }) => entry.type === 'robot_run');
    return Object.fromEntries(runs.map((run: { robot: string; status: string }) => [run.robot, run.status]));
  };

  it('email needs the client’s opt-in, SMS goes until they opt out; a person records either and the next touch obeys', async () => {
    const contact = await knownContact();
    expect(await consentOf(contact)).toEqual({ email: [false, null, null], sms: [true, null, null], telegram: [true, null, null], call: [true, null, null] });
    expect(await touch()).toEqual({ letter: 'skipped', sms: 'done' });

    await harness.as('gena').put(`/api/contacts/${contact}/consent`).send({ channel: 'email', status: 'opt_in', note: 'согласилась по телефону' }).expect(200);
    await harness.as('gena').put(`/api/contacts/${contact}/consent`).send({ channel: 'sms', status: 'opt_out' }).expect(200);
    expect(await consentOf(contact)).toMatchObject({ email: [true, 'opt_in', 'manual'], sms: [false, 'opt_out', 'manual'] });
    expect(await touch()).toEqual({ letter: 'done', sms: 'skipped' });
  });

  it('a ticked form box opts the client in; an SMS STOP opts them out, on the register', async () => {
    const contact = await knownContact();
    await request(harness.app).post('/forms/contact').send({ name: 'Мария', phone: '8 (916) 123-45-67', email: EMAIL, agree: 'on' }).expect(201);
    expect(await consentOf(contact)).toMatchObject({ email: [true, 'opt_in', 'form'], sms: [true, 'opt_in', 'form'] });
    await harness.runtime.inbound.recordInboundMessage({ channel: 'sms', from: PHONE, body: 'Стоп' });
    expect(await consentOf(contact)).toMatchObject({ email: [true, 'opt_in', 'form'], sms: [false, 'opt_out', 'sms_stop'] });
  });

  it('an unknown contact is 404, a channel outside the register is 400', async () => {
    await harness.as('gena').get('/api/contacts/999999/consent').expect(404);
    const contact = await knownContact();
    const wrong = await harness.as('gena').put(`/api/contacts/${contact}/consent`).send({ channel: 'pigeon', status: 'opt_in' }).expect(400);
    expect(JSON.stringify(wrong.body)).toContain('channel');
  });
});
