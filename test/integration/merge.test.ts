import { RobotRunEntity } from '../../server/db/entities';
import { testDatabaseKinds } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

/** Merging duplicates: one client, one card, with everything both cards knew and every "no" the client said. */
const CONFIG = `
timezone: Europe/Moscow
locale: ru
default_region: RU
fields:
  city: { type: string, label: Город }
users:
  - { login: root, name: Корнеев Admin, role: admin }
  - { login: nina, name: Нина Белова, role: ops }
  - { login: mila, name: Людмила Ершова, role: manager, team: general }
  - { login: gena, name: Геннадий Орлов, role: sales, team: general }
teams:
  general: { members: [gena], manager: mila }
leads:
  stages:
    - id: new
    - id: greet
      robots:
        - { id: hello, type: send_message, channel: email, text: "Ольга, здравствуйте! Спасибо за заявку." }
        - { id: remind, type: send_message, channel: sms, after: 2d, text: "Напоминаем о заявке" }
    - id: touch
      robots:
        - { id: sms, type: send_message, channel: sms, text: "{{item.name}}, перезвоним сегодня" }
`;

const EMAIL = 'olga.smirnova@yandex.ru';

describe.each(testDatabaseKinds())('merging duplicates, on %s', (kind) => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness(kind, { configText: CONFIG });
  });
  afterEach(async () => {
    await harness.close();
  });

  const newLead = async (body: Record<string, unknown>) => (await harness.as('root').post('/api/leads', body).expect(201)).body.id as number;
  const merge = (survivor: number, from: unknown[], login = 'nina', path = 'leads') => harness.as(login).post(`/api/${path}/${survivor}/merge`, { from });
  const runsOf = (id: number) => harness.runtime.store.manager.find(RobotRunEntity, { where: { entityType: 'lead', entityId: id }, order: { id: 'ASC' } });
  /** Two cards for Ольга Смирнова: the phone typed two ways; the second knows her email, company and city, wrote to her, and her "no SMS" is on its contact. */
  const twoOlgas = async () => {
    const survivor = await newLead({ name: 'Ольга Смирнова', phone: '8 916 123-45-67' });
    const duplicate = await newLead({ name: 'Ольга Смирнова', phone: '+7 (916) 123-45-67', email: EMAIL, company_name: 'ООО «Ромашка»', fields: { city: 'Казань' } });
    const contact = await harness.runtime.store.transaction(
      async (manager) => (await harness.runtime.records.findOrCreateContact(manager, { name: 'Ольга Смирнова', phone: null, email: EMAIL, companyId: null })).contact.id,
    );
    await harness.runtime.records.setColumns({ kind: 'lead', id: duplicate }, { contactId: contact });
    await harness.as('gena').put(`/api/contacts/${contact}/consent`).send({ channel: 'sms', status: 'opt_out', note: 'просила не писать SMS' }).expect(200);
    await harness.as('root').post(`/api/leads/${duplicate}/move`, { stage: 'greet' }).expect(200);
    await harness.runDue();
    return { survivor, duplicate, contact };
  };

  it('the survivor takes what it lacked, the other card’s letters and its opt-out; the other answers 404 and its pending reminder is cancelled', async () => {
    const { survivor, duplicate, contact } = await twoOlgas();
    expect((await runsOf(duplicate)).map((run) => [run.robotId, run.status])).toEqual([
      ['hello', 'done'],
      ['remind', 'scheduled'],
    ]);

    const merged = await merge(survivor, [duplicate]).expect(200);
    expect(merged.body).toMatchObject({ kind: 'lead', id: survivor, merged: [duplicate], cancelled_runs: 1 });

    await harness.as('root').get(`/api/leads/${duplicate}`).expect(404);
    const lead = (await harness.as('root').get(`/api/leads/${survivor}`).expect(200)).body;
    expect(lead).toMatchObject({ name: 'Ольга Смирнова', phone: '+79161234567', email: EMAIL, company_name: 'ООО «Ромашка»', fields: { city: 'Казань' }, contact_id: contact });

    const timeline = (await harness.as('root').get(`/api/leads/${survivor}/timeline`).expect(200)).body.timeline as Array<{ type: string; summary?: string; text?: string; event_type?: string }>;
    expect(timeline.filter((entry) => entry.event_type === 'merged').map((entry) => [entry.summary, entry.text])).toEqual([
      [`merged: merged lead ${duplicate} into this one (by nina)`, `Нина Белова присоединила к карточке дубль № ${duplicate}`],
    ]);
    const messages = (await harness.as('root').get(`/api/messages?item=lead:${survivor}`).expect(200)).body.messages as Array<{ body: string }>;
    expect(messages.map((message) => message.body)).toEqual(['Ольга, здравствуйте! Спасибо за заявку.']);

    const [, remind] = await runsOf(duplicate);
    expect([remind!.status, remind!.detail]).toEqual(['cancelled', `merged into lead ${survivor}`]);

    // Her "no SMS" was given under the other card: it holds for the survivor now.
    await harness.as('root').post(`/api/leads/${survivor}/move`, { stage: 'touch' }).expect(200);
    await harness.runDue();
    expect((await runsOf(survivor)).map((run) => [run.robotId, run.status])).toEqual([['sms', 'skipped']]);
    const found = (
      await harness
        .as('root')
        .get(`/api/leads?q=${encodeURIComponent('Ромашка')}`)
        .expect(200)
    ).body.items as Array<{ id: number }>;
    expect(found.map((item) => item.id)).toEqual([survivor]);
  });

  it('contacts merge too: the survivor gets the email and the consents of the other, which answers 404', async () => {
    const [withPhone, withEmail] = await harness.runtime.store.transaction(async (manager) => [
      (await harness.runtime.records.findOrCreateContact(manager, { name: 'Ольга Смирнова', phone: '+79161234567', email: null, companyId: null })).contact.id,
      (await harness.runtime.records.findOrCreateContact(manager, { name: 'О. Смирнова', phone: null, email: EMAIL, companyId: null })).contact.id,
    ]);
    await harness.as('gena').put(`/api/contacts/${withEmail}/consent`).send({ channel: 'sms', status: 'opt_out' }).expect(200);
    expect((await harness.as('gena').get(`/api/contacts/${withPhone}/consent`).expect(200)).body.channels.find((entry: { channel: string }) => entry.channel === 'sms').allowed).toBe(true);

    await merge(withPhone, [`contact:${withEmail}`], 'root', 'contacts').expect(200);

    await harness.as('gena').get(`/api/contacts/${withEmail}/consent`).expect(404);
    const found = (await harness.as('gena').get(`/api/contacts?email=${EMAIL}`).expect(200)).body.contacts;
    expect(found).toEqual([expect.objectContaining({ id: withPhone, name: 'Ольга Смирнова', phone: '+79161234567', email: EMAIL })]);
    const sms = (await harness.as('gena').get(`/api/contacts/${withPhone}/consent`).expect(200)).body.channels.find((entry: { channel: string }) => entry.channel === 'sms');
    expect(sms).toMatchObject({ allowed: false, status: 'opt_out', source: 'manual' });
  });

  it('refuses a merge into itself, another kind, unknown ids and other roles, and writes nothing', async () => {
    const { survivor, duplicate } = await twoOlgas();
    const itself = await merge(survivor, [survivor]).expect(400);
    expect(itself.headers['content-type']).toMatch(/application\/problem\+json/);
    const mixed = await merge(survivor, [duplicate, 'deal:5']).expect(400);
    expect(mixed.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(mixed.body.detail).toMatch(/merges only leads/);
    await merge(survivor, [duplicate, 999999]).expect(404);
    await merge(999999, [duplicate]).expect(404);
    await merge(survivor, [duplicate], 'mila').expect(403);
    await merge(survivor, [duplicate], 'gena').expect(403);

    // Nothing half-written: both cards as they were, the reminder still pending.
    expect((await harness.as('root').get(`/api/leads/${survivor}`).expect(200)).body.email).toBeNull();
    expect((await harness.as('root').get(`/api/leads/${duplicate}`).expect(200)).body.email).toBe(EMAIL);
    expect((await runsOf(duplicate)).map((run) => run.status)).toEqual(['done', 'scheduled']);
    expect((await harness.as('root').get(`/api/messages?item=lead:${duplicate}`).expect(200)).body.messages).toHaveLength(1);
  });

  it('two merges at once over the same cards: one wins, the other is a 404, and one card is left', async () => {
    const { survivor, duplicate } = await twoOlgas();
    const answers = await Promise.all([merge(survivor, [duplicate]), merge(duplicate, [survivor], 'root')]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 404]);
    const winner = answers.find((answer) => answer.status === 200)!.body as { id: number; merged: number[] };
    await harness.as('root').get(`/api/leads/${winner.merged[0]}`).expect(404);
    const lead = (await harness.as('root').get(`/api/leads/${winner.id}`).expect(200)).body;
    expect(lead.email).toBe(EMAIL);
    const left = (
      await harness
        .as('root')
        .get(`/api/leads?q=${encodeURIComponent('Смирнова')}`)
        .expect(200)
    ).body.items as Array<{ id: number }>;
    expect(left.map((item) => item.id)).toEqual([winner.id]);

    const again = await Promise.all([merge(winner.id, [winner.merged[0]]), merge(winner.id, [winner.merged[0]])]);
    expect(again.map((answer) => answer.status)).toEqual([404, 404]);
  });
});
