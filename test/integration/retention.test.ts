import { In } from 'typeorm';
import { EventEntity, MessageEntity, RobotRunEntity, StageEntryEntity } from '../../server/db/entities';
import { pruneOldRows, retentionSweep } from '../../server/sweeps/retention';
import { testDatabaseKinds } from '../support/databases';
import { DAY, startHarness, type Harness } from '../support/harness';

const CONFIG = `
timezone: Europe/Moscow
users:
  - { login: root, name: Корнеев Админ, role: admin }
retention: { runs: 30d, messages: 90d, events: off }
leads:
  stages:
    - id: new
    - id: alerted
      robots:
        - { id: tell_root, type: notify, to: [root], text: "Новый лид {{item.name}}" }
        - { id: much_later, type: notify, to: [root], after: 365d, text: "Год спустя: {{item.name}}" }
`;

/** Old finished rows go by the config's `retention:`, in batches; what may still run, or needs a person, stays. */
describe.each(testDatabaseKinds())('retention, on %s', (kind) => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness(kind, { configText: CONFIG });
  });
  afterEach(async () => {
    await harness.close();
  });

  it('deletes finished runs after 30 days and messages after 90, keeps pending runs, stage history and (off) events', async () => {
    const manager = harness.runtime.store.manager;
    for (const name of ['Иван Смирнов', 'Мария Кузнецова', 'Пётр Ильин']) {
      const { id } = (await harness.as('root').post('/api/leads', { name, phone: '8 916 123-45-67' }).expect(201)).body;
      await harness.as('root').post(`/api/leads/${id}/move`, { stage: 'alerted' }).expect(200);
    }
    await harness.runDue();
    const runs = () => manager.countBy(RobotRunEntity, { status: In(['done', 'skipped', 'cancelled']) });
    expect(await runs()).toBe(3);
    const events = await manager.count(EventEntity);
    const entries = await manager.count(StageEntryEntity);

    harness.clock.advance(31 * DAY);
    expect(await pruneOldRows(harness.runtime)).toMatchObject({ runs: 3, messages: 0 });
    expect(await runs()).toBe(0);
    expect(await manager.countBy(RobotRunEntity, { status: 'scheduled' })).toBe(3);
    expect(await manager.count(MessageEntity)).toBe(3);

    harness.clock.advance(60 * DAY);
    expect(await pruneOldRows(harness.runtime)).toMatchObject({ runs: 0, messages: 3 });
    expect(await manager.count(MessageEntity)).toBe(0);
    expect(await manager.count(EventEntity)).toBe(events);
    expect(await manager.count(StageEntryEntity)).toBe(entries);
  });

  it('a retention pass that takes long does not hold the alerts due meanwhile', async () => {
    // A pass over a big history: its first batch does not finish while the test looks.
    let finishPass: (deleted: { deleted: number; lastId: number }) => void = () => undefined;
    const slowQueue = { deleteFinishedBefore: () => new Promise<{ deleted: number; lastId: number }>((resolve) => (finishPass = resolve)) };
    harness.runtime.scheduler.addSweep(retentionSweep({ ...harness.runtime, queue: slowQueue, logger: { warn: () => undefined } }));
    const { id } = (await harness.as('root').post('/api/leads', { name: 'Ольга Петрова', phone: '+7 (916) 555-12-34' }).expect(201)).body;
    await harness.as('root').post(`/api/leads/${id}/move`, { stage: 'alerted' }).expect(200);
    await harness.runDue();
    expect(await harness.runtime.store.manager.findOneBy(RobotRunEntity, { entityId: id, robotId: 'tell_root' })).toMatchObject({ status: 'done' });
    finishPass({ deleted: 0, lastId: 0 });
  });
});
