import { loadConfigText } from '../../config/loader';
import { testDatabaseKinds } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

const CONFIG = `
timezone: Europe/Moscow
users:
  - { login: irina, name: Ирина Соколова, role: admin }
  - { login: pavel, name: Павел Орлов, role: admin }
fields:
  treatment_price: { type: money, currency: RUB, label: { ru: Стоимость лечения, en: Treatment price } }
  services: { type: multi_select, values: [cleaning, implants, braces] }
  doctor: { type: user }
  appointment_at: { type: datetime }
leads:
  stages:
    - id: new
    - id: planned
      robots:
        - id: implant_alert
          type: notify
          to: [irina]
          channel: outbox
          condition: { and: [{ in: [implants, { var: fields.services }] }, { ">=": [{ var: fields.treatment_price }, 100000] }] }
          text: "implants {{item.name}}: {{fields.treatment_price}} RUB, doctor {{fields.doctor}}, at {{fields.appointment_at}}"
`;

describe('custom field types in the config', () => {
  it('a multi_select needs values and only money takes a currency', () => {
    const result = loadConfigText(
      CONFIG.replace('services: { type: multi_select, values: [cleaning, implants, braces] }', 'services: { type: multi_select }').replace('doctor: { type: user }', 'doctor: { type: user, currency: RUB }'),
      'clinic.yaml',
    );
    expect(result.ok ? [] : result.issues.map((issue) => issue.message)).toEqual(expect.arrayContaining(['a multi_select field needs `values`', 'only money fields take a `currency`']));
  });
});

describe.each(testDatabaseKinds())('money, multi-select, user and datetime fields on %s', (kind) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness(kind, { configText: CONFIG });
  });
  afterAll(async () => {
    await harness.close();
  });
  const api = () => harness.as('irina');

  it('the API refuses values that do not fit their field, with did-you-mean', async () => {
    const refused = await api()
      .post('/api/leads', { name: 'Сергей Попов', phone: '+7 (916) 700-10-01', fields: { treatment_price: '150 000', services: ['implnts'], doctor: 'pavl', appointment_at: 'завтра' } })
      .expect(400);
    const text = JSON.stringify(refused.body);
    expect(text).toMatch(/treatment_price: expected an amount in RUB/);
    expect(text).toMatch(/services: unknown value \\"implnts\\" \(did you mean \\"implants\\"\?\)/);
    expect(text).toMatch(/doctor: unknown user \\"pavl\\" \(did you mean \\"pavel\\"\?\)/);
    expect(text).toMatch(/appointment_at: expected a date and time/);
  });

  it('conditions read a multi-select and a money amount, and templates render them', async () => {
    const fields = { treatment_price: 180000, services: ['cleaning', 'implants'], doctor: 'pavel', appointment_at: '2026-03-05T12:00:00+03:00' };
    const chosen = (await api().post('/api/leads', { name: 'Сергей Попов', phone: '89167001002', fields }).expect(201)).body.id as number;
    const cheaper = (
      await api()
        .post('/api/leads', { name: 'Ольга Белова', phone: '+79167001003', fields: { ...fields, treatment_price: 40000 } })
        .expect(201)
    ).body.id as number;
    for (const id of [chosen, cheaper]) await api().post(`/api/leads/${id}/move`, { stage: 'planned' }).expect(200);
    await harness.runDue();
    const bodies = async (id: number) => ((await api().get(`/api/messages?item=lead:${id}`).expect(200)).body.messages as Array<{ body: string }>).map((message) => message.body);
    expect(await bodies(chosen)).toEqual(['implants Сергей Попов: 180000 RUB, doctor pavel, at 2026-03-05T12:00:00+03:00']);
    expect(await bodies(cheaper)).toEqual([]);
    const stored = (await api().get(`/api/leads/${chosen}`).expect(200)).body;
    expect(stored.fields).toMatchObject({ services: ['cleaning', 'implants'], treatment_price: 180000 });
  });
});
