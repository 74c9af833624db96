import type { RobotRunRow } from '../../server/core/rows';
import { testDatabaseKinds } from '../support/databases';
import { MINUTE, startHarness, type Harness } from '../support/harness';

/**
 * A worker writes the outcomes of the runs finishing together in one statement. Each outcome is
 * still a compare-and-set on the run's own lease: a run another worker (or the reaper) took
 * back is not overwritten, and the others of the same batch are written.
 */
const CONFIG = `
users:
  - { login: root, name: Root, role: admin }
  - { login: olga, name: Ольга Кузнецова, role: first_line, team: sales }
teams:
  sales: { members: [olga], manager: root }
leads:
  stages:
    - id: new
    - id: qualified
      robots:
        - { id: tell_olga, type: notify, to: [olga], channel: outbox, after: 1h, text: "Лид {{item.name}} ждёт звонка" }
`;

describe.each(testDatabaseKinds())('outcomes written together, on %s', (kind) => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness(kind, { configText: CONFIG });
  });
  afterEach(async () => {
    await harness.close();
  });

  /** Three leads (ООО «Ромашка», ИП Воробьёв, АО «Север») waiting for their alert, claimed by one worker. */
  async function claimThree(worker: string): Promise<RobotRunRow[]> {
    for (const name of ['Иван Смирнов, ООО «Ромашка»', 'Пётр Воробьёв, ИП', 'Анна Соколова, АО «Север»']) {
      const id = (await harness.as('root').post('/api/leads', { name, phone: '8 (916) 123-45-67' }).expect(201)).body.id as number;
      await harness.as('root').post(`/api/leads/${id}/move`, { stage: 'qualified' }).expect(200);
    }
    harness.clock.advance(61 * MINUTE);
    const claimed = await harness.runtime.queue.claimDue(harness.clock.now(), 10, worker, 5 * MINUTE);
    expect(claimed).toHaveLength(3);
    return claimed;
  }

  const statuses = async () => (await harness.runtime.queue.list({ robotId: 'tell_olga' })).map((run) => [run.id, run.status, run.lockedBy]).sort();

  it('a batch where one run was taken back by the reaper writes the others and leaves that one to run again', async () => {
    const [first, lost, third] = await claimThree('worker-a');
    // The reaper took `lost` back (its lease ran out while worker-a was frozen): it is due again.
    await harness.runtime.store.transaction((manager) =>
      harness.runtime.queue.reclaim(manager, lost!, { status: 'scheduled', detail: 'taken back after worker-a stopped', reason: { code: 'scheduled.reclaimed', params: { worker: 'worker-a' } } }, harness.clock.now()),
    );

    const now = harness.clock.now();
    const written = await Promise.all([first!, lost!, third!].map((run) => harness.runtime.queue.finishBatched(run, { status: 'done', detail: 'alert sent' }, now)));

    expect(written).toEqual([true, false, true]);
    expect(await statuses()).toEqual(
      [
        [first!.id, 'done', null],
        [lost!.id, 'scheduled', null],
        [third!.id, 'done', null],
      ].sort(),
    );
  });

  it('a run another worker claimed meanwhile keeps that worker’s lease; a retry’s new due time is written for the rest', async () => {
    const [first, stolen] = await claimThree('worker-a');
    await harness.runtime.store.transaction((manager) =>
      harness.runtime.queue.reclaim(manager, stolen!, { status: 'scheduled', detail: 'taken back after worker-a stopped', reason: { code: 'scheduled.reclaimed', params: { worker: 'worker-a' } } }, harness.clock.now()),
    );
    const [again] = await harness.runtime.queue.claimDue(harness.clock.now(), 1, 'worker-b', 5 * MINUTE);
    expect(again?.id).toBe(stolen!.id);

    const retryAt = harness.clock.now() + 10 * MINUTE;
    const failed = { status: 'failed' as const, detail: 'attempt 1 failed', attempts: 1, dueAt: retryAt, lastError: 'timeout' };
    const written = await Promise.all([first!, stolen!].map((run) => harness.runtime.queue.finishBatched(run, failed, harness.clock.now())));

    expect(written).toEqual([true, false]);
    const runs = await harness.runtime.queue.list({ robotId: 'tell_olga' });
    const byId = new Map(runs.map((run) => [run.id, run]));
    expect(byId.get(first!.id)).toMatchObject({ status: 'failed', dueAt: retryAt, attempts: 1, lastError: 'timeout', lockedBy: null, finishedAt: null });
    expect(byId.get(stolen!.id)).toMatchObject({ status: 'running', lockedBy: 'worker-b', attempts: 0 });
  });
});
