import { testDatabaseKinds } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

const CONFIG = `
timezone: Europe/Moscow
users:
  - { login: root, name: Корнеев Админ, role: admin }
  - { login: anna, name: Анна Петрова, role: first_line }
  - { login: gena, name: Геннадий Орлов, role: sales, team: general }
  - { login: galya, name: Галина Смирнова, role: sales, team: general }
  - { login: semen, name: Семён Волков, role: sales, team: services }
  - { login: gm, name: Михаил Главный, role: manager, team: general }
teams:
  general: { members: [gena, galya], manager: gm }
  services: { members: [semen] }
leads:
  stages:
    - id: new
    - id: in_work
`;

/** Who may make whom responsible by hand: sales themselves, managers their people, first line anyone. */
describe.each(testDatabaseKinds())('assigning a responsible, on %s', (kind) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness(kind, { configText: CONFIG });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('a sales rep makes only themselves responsible, on create, on change and in bulk', async () => {
    const refused = await harness.as('gena').post('/api/leads', { name: 'Иван Смирнов', responsible: 'galya' }).expect(403);
    expect(refused.body).toMatchObject({ code: 'forbidden.assign' });
    const own = (await harness.as('gena').post('/api/leads', { name: 'Иван Смирнов', phone: '8 916 123-45-67', responsible: 'gena' }).expect(201)).body;
    expect((await harness.as('gena').patch(`/api/leads/${own.id}`, { responsible: 'semen' }).expect(403)).body.code).toBe('forbidden.assign');
    await harness.as('gena').patch(`/api/leads/${own.id}`, { name: 'Иван Смирнов-Кольцов' }).expect(200);
    expect(
      (
        await harness
          .as('gena')
          .post('/api/leads/bulk', { ids: [own.id], action: 'assign', responsible: 'galya' })
          .expect(403)
      ).body.code,
    ).toBe('forbidden.assign');
    expect((await harness.as('root').get(`/api/leads/${own.id}`).expect(200)).body.responsible).toBe('gena');
  });

  it('a manager hands leads to the people of his team, not to another team’s; first line hands them to anyone', async () => {
    const lead = (await harness.as('anna').post('/api/leads', { name: 'Мария Кузнецова', responsible: 'semen' }).expect(201)).body;
    await harness.as('anna').patch(`/api/leads/${lead.id}`, { responsible: 'gena' }).expect(200);
    await harness.as('gm').patch(`/api/leads/${lead.id}`, { responsible: 'galya' }).expect(200);
    expect((await harness.as('gm').patch(`/api/leads/${lead.id}`, { responsible: 'semen' }).expect(403)).body.code).toBe('forbidden.assign');
    expect((await harness.as('root').get(`/api/leads/${lead.id}`).expect(200)).body.responsible).toBe('galya');
  });
});
