import { dropInDoubt, messagesInDoubt, resendInDoubt } from '../../server/messaging/in-doubt';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MessageEntity, StageEntryEntity } from '../../server/db/entities';
import { testDatabaseKinds } from '../support/databases';
import { MINUTE, startHarness, type Harness } from '../support/harness';
import { until } from '../support/until';
import { first } from '../support/lists';

/** Never lost, never twice (semantics 5): concurrent users, stopped workers, slow side effects. */
const CONFIG = (hookUrl: string) => `
users:
  - { login: root, name: Root, role: admin }
  - { login: anna, name: Anna, role: first_line, team: sales, telegram_chat_id: 1001 }
teams:
  sales: { members: [anna], manager: root }
leads:
  stages:
    - id: new
    - id: alerted
      robots:
        - { id: tell_anna, type: notify, to: [anna], text: "Lead {{item.id}} is here" }
        - { id: tell_root, type: notify, to: [root], text: "Lead {{item.id}} for root" }
    - id: synced
      robots:
        - { id: sync, type: webhook, url: "${hookUrl}", timeout: 60000 }
    - id: later
      robots:
        - { id: nudge, type: notify, to: [anna], after: 1h, text: "Nudge {{item.id}}" }
    - id: downtime
      robots:
        - { id: morning_email, type: send_message, channel: email, after: 1h, text: "Good morning {{item.name}}" }
        - { id: tell_owner, type: notify, to: [anna], after: 1h, text: "Lead {{item.id}} waits" }
    - id: done
      semantic: won
engine:
  late_policy: { skip_touches_after: 2h }
`;

describe.each(testDatabaseKinds())('never lost, never twice, on %s', (kind) => {
  let harness: Harness;
  let hook: http.Server;
  let held: http.ServerResponse[];
  let hookHits: number;

  beforeEach(async () => {
    held = [];
    hookHits = 0;
    // A receiver that takes the request and never answers until told to.
    hook = http.createServer((_request, response) => {
      hookHits += 1;
      held.push(response);
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    harness = await startHarness(kind, { configText: CONFIG(url) });
  });
  afterEach(async () => {
    for (const response of held) response.end('ok');
    await harness.close();
    await new Promise<void>((resolve) => hook.close(() => resolve()));
  });

  const root = () => harness.as('root');
  const lead = async () => (await root().post('/api/leads', { name: 'Client' }).expect(201)).body.id as number;
  const messagesTo = async (login: string) => harness.runtime.store.manager.count(MessageEntity, { where: { recipientLogin: login } });

  describe('when people move the same item at the same moment', () => {
    it('six identical moves of each of 20 leads are applied once each; the others answer moved: false', async () => {
      const ids: number[] = [];
      for (let index = 0; index < 20; index += 1) ids.push(await lead());
      const answers = await Promise.all(ids.flatMap((id) => Array.from({ length: 6 }, () => root().post(`/api/leads/${id}/move`, { stage: 'alerted' }))));
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
      expect(answers.filter((answer) => answer.body.moved === true)).toHaveLength(20);
      const entries = await harness.runtime.store.manager.count(StageEntryEntity, { where: { stage: 'alerted' } });
      expect(entries).toBe(20);
      await harness.runDue();
      expect(await messagesTo('anna')).toBe(20);
      expect(await messagesTo('root')).toBe(20);
    });

    it('a move from a stage the item has already left is refused with 409 and changes nothing', async () => {
      const id = await lead();
      await root().post(`/api/leads/${id}/move`, { stage: 'later', from: 'new' }).expect(200);
      const stale = await root().post(`/api/leads/${id}/move`, { stage: 'done', from: 'new' });
      expect(stale.status).toBe(409);
      expect(stale.body).toMatchObject({ type: 'urn:robots:conflict', detail: `lead ${id} is in "later" now, not "new"` });
      expect((await root().get(`/api/leads/${id}`).expect(200)).body.stage).toBe('later');
    });
  });

  describe('when a worker stops in the middle of its runs (kill -9)', () => {
    /** What a killed worker leaves behind: runs claimed under its name, one message half-sent. */
    async function strandRuns(): Promise<{ id: number; runIds: { tell_anna: number; tell_root: number } }> {
      const id = await lead();
      await root().post(`/api/leads/${id}/move`, { stage: 'alerted' }).expect(200);
      const engine = harness.runtime;
      const claimed = await engine.queue.claimDue(harness.clock.now(), 10, 'worker-killed', engine.leaseMs);
      const runIdOf = (robotId: string) => {
        const run = claimed.find((candidate) => candidate.robotId === robotId);
        if (!run) throw new Error(`${robotId} was not claimed (claimed: ${claimed.map((candidate) => candidate.robotId).join(', ')})`);
        return run.id;
      };
      const runIds = { tell_anna: runIdOf('tell_anna'), tell_root: runIdOf('tell_root') };
      await harness.runtime.store.manager.insert(MessageEntity, {
        idempotencyKey: `run:${runIds.tell_root}:user:root`,
        runId: runIds.tell_root,
        entityType: 'lead',
        entityId: id,
        direction: 'out',
        channel: 'telegram',
        audience: 'user',
        recipient: 'root',
        recipientLogin: 'root',
        template: null,
        subject: null,
        body: `Lead ${id} for root`,
        meta: {},
        status: 'sending',
        providerId: null,
        error: null,
        createdAt: harness.clock.now(),
        sentAt: null,
      });
      return { id, runIds };
    }

    const runOf = async (runId: number) => (await root().get(`/api/runs?limit=50`).expect(200)).body.runs.find((run: { id: number }) => run.id === runId);

    it('its runs stay its own while the lease lasts', async () => {
      const { runIds } = await strandRuns();
      await harness.advance(30_000);
      expect(await runOf(runIds.tell_anna)).toMatchObject({ status: 'running' });
      expect(await messagesTo('anna')).toBe(0);
    });

    it('after the lease a run with nothing in doubt runs again once; a half-sent one becomes unknown and is not resent', async () => {
      const { runIds } = await strandRuns();
      await harness.advance(2 * MINUTE);
      expect(await runOf(runIds.tell_anna)).toMatchObject({ status: 'done' });
      expect(await messagesTo('anna')).toBe(1);
      const doubtful = await runOf(runIds.tell_root);
      expect(doubtful.status).toBe('unknown');
      expect(doubtful.detail).toMatch(/worker-killed stopped while sending \(telegram to root\).*not resent/);
      const message = first(await harness.runtime.store.manager.find(MessageEntity, { where: { runId: runIds.tell_root } }));
      expect(message.status).toBe('unknown');
    });

    it('a run left unknown is retryable by hand, and then sends once', async () => {
      const { runIds } = await strandRuns();
      await harness.advance(2 * MINUTE);
      await root().post(`/api/runs/${runIds.tell_root}/retry`).expect(200);
      await harness.runDue();
      expect(await runOf(runIds.tell_root)).toMatchObject({ status: 'done' });
      const sent = await harness.runtime.store.manager.find(MessageEntity, { where: { runId: runIds.tell_root } });
      expect(sent.map((message) => message.status)).toEqual(['recorded']);
    });

    it('a person lists what is in doubt and decides: resend sends once, drop settles it and sends nothing', async () => {
      const resent = await strandRuns();
      const dropped = await strandRuns();
      await harness.advance(2 * MINUTE);
      const store = harness.runtime.store;
      const inDoubt = await messagesInDoubt(store);
      expect(inDoubt.map((message) => message.runId)).toEqual([resent.runIds.tell_root, dropped.runIds.tell_root]);
      const [toResend, toDrop] = inDoubt;

      await resendInDoubt(store, harness.runtime.queue, toResend!.id, 'ops', harness.clock.now());
      await dropInDoubt(store, harness.runtime.queue, toDrop!.id, 'ops', harness.clock.now());
      await expect(dropInDoubt(store, harness.runtime.queue, toDrop!.id, 'ops', harness.clock.now())).rejects.toThrow(/not in doubt/);
      await harness.runDue();

      expect(await runOf(resent.runIds.tell_root)).toMatchObject({ status: 'done' });
      expect((await store.manager.find(MessageEntity, { where: { runId: resent.runIds.tell_root } })).map((message) => message.status)).toEqual(['recorded']);
      expect(await runOf(dropped.runIds.tell_root)).toMatchObject({ status: 'cancelled', detail: 'dropped by ops: not resent' });
      expect((await store.manager.find(MessageEntity, { where: { runId: dropped.runIds.tell_root } })).map((message) => [message.status, message.error])).toEqual([['failed', 'dropped by ops: not resent']]);
      expect(await messagesInDoubt(store)).toEqual([]);
    });

    it('a stranded run of an item that has moved on is cancelled, not run', async () => {
      const { id, runIds } = await strandRuns();
      await root().post(`/api/leads/${id}/move`, { stage: 'done' }).expect(200);
      await harness.advance(2 * MINUTE);
      expect(await runOf(runIds.tell_anna)).toMatchObject({ status: 'cancelled', detail: 'left stage "alerted"' });
      expect(await messagesTo('anna')).toBe(0);
    });
  });

  describe('when runs come due while no worker was running', () => {
    it('a client touch 10 h late is skipped and says so; an internal alert still runs and says how late', async () => {
      const id = (await root().post('/api/leads', { name: 'Client', email: 'client@example.com' }).expect(201)).body.id as number;
      await root().post(`/api/leads/${id}/move`, { stage: 'downtime' }).expect(200);
      harness.clock.advance(11 * 60 * MINUTE); // the server was down from before the runs were due
      await harness.runDue();
      const timeline = (await root().get(`/api/leads/${id}/timeline`).expect(200)).body.timeline as Array<{ robot?: string; status?: string; detail?: string; summary: string }>;
      expect(timeline.find((entry) => entry.robot === 'morning_email')).toMatchObject({ status: 'skipped', detail: 'skipped: 10 h late (skip_if_late 2h)' });
      const alert = timeline.find((entry) => entry.robot === 'tell_owner');
      expect(alert).toMatchObject({ status: 'done' });
      expect(alert?.summary).toMatch(/\(ran 10 h late\)$/);
      expect(await harness.runtime.store.manager.count(MessageEntity, { where: { entityId: id, audience: 'client' } })).toBe(0);
    });

    it('a touch that runs on time is sent and carries no lateness note', async () => {
      const id = (await root().post('/api/leads', { name: 'Client', email: 'client@example.com' }).expect(201)).body.id as number;
      await root().post(`/api/leads/${id}/move`, { stage: 'downtime' }).expect(200);
      await harness.advance(2 * 60 * MINUTE);
      const timeline = (await root().get(`/api/leads/${id}/timeline`).expect(200)).body.timeline as Array<{ robot?: string; status?: string; summary: string }>;
      expect(timeline.find((entry) => entry.robot === 'morning_email')).toMatchObject({ status: 'done' });
      expect(timeline.filter((entry) => entry.robot).every((entry) => !entry.summary.includes('late'))).toBe(true);
    });
  });

  describe('when a side effect hangs', () => {
    it('a webhook that never answers holds up no other robot', async () => {
      const slow = await lead();
      await root().post(`/api/leads/${slow}/move`, { stage: 'synced' }).expect(200);
      const draining = harness.runDue();
      await until(() => hookHits === 1);
      const quick = await lead();
      await root().post(`/api/leads/${quick}/move`, { stage: 'alerted' }).expect(200);
      void harness.runDue(); // the commit's wake-up, as `serve` would get it
      await until(async () => (await messagesTo('anna')) === 1 && (await messagesTo('root')) === 1);
      const webhookRun = (await root().get(`/api/runs?item=lead:${slow}`).expect(200)).body.runs[0];
      expect(webhookRun).toMatchObject({ robot: 'sync', status: 'running' });
      for (const response of held.splice(0)) response.end('ok');
      await draining;
      expect((await root().get(`/api/runs?item=lead:${slow}`).expect(200)).body.runs[0]).toMatchObject({ status: 'done' });
    });
  });
});
