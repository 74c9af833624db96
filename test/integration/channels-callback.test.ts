import request from 'supertest';
import { testDatabaseKinds } from '../support/databases';
import { startChannelsWorld, type ChannelsWorld } from '../channels/real-channels';
import { nth } from '../support/lists';

interface TimelineEntry {
  kind: string;
  summary: string;
  robot?: string;
  status?: string;
  type?: string;
  event_type?: string;
  payload?: Record<string, unknown>;
  duration_seconds?: number | null;
  title?: string;
  assignee?: string;
}

describe.each(testDatabaseKinds())('on %s: the hot-lead callback and "taken in work"', (kind) => {
  let world: ChannelsWorld;
  beforeEach(async () => {
    world = await startChannelsWorld(kind);
  });
  afterEach(async () => {
    await world.close();
  });

  const root = () => world.harness.as('root');
  const calls = () => world.peers.twilio.requests.filter((entry) => entry.resource === 'Calls');

  async function createLead(body: object = {}) {
    const response = await root()
      .post('/api/leads', { name: 'Ivan Petrov', phone: '+79161234567', ...body })
      .expect(201);
    await world.harness.runDue();
    return response.body as { id: number };
  }

  async function timelineOf(id: number): Promise<TimelineEntry[]> {
    return (await root().get(`/api/leads/${id}/timeline`).expect(200)).body.timeline;
  }

  function alertTo(chatId: string) {
    const call = world.peers.telegram.callsOf('sendMessage').find((entry) => entry.payload.chat_id === chatId);
    if (!call) throw new Error(`no alert to ${chatId}`);
    const index = world.peers.telegram.callsOf('sendMessage').indexOf(call);
    return { chatId: Number(chatId), messageId: index + 1 };
  }

  describe('when managers press the buttons under a Telegram alert', () => {
    it('Take the lead assigns the presser, the others see who took it, and a second press is refused', async () => {
      const lead = await createLead();
      const first = await world.peers.telegram.pressButton({ ...alertTo('1002'), data: `take:lead:${lead.id}`, from: { id: 1002, first_name: 'Galya' } });
      expect(first?.status).toBe(200);
      expect((await root().get(`/api/leads/${lead.id}`).expect(200)).body.responsible).toBe('galya');
      expect(nth(world.peers.telegram.callsOf('answerCallbackQuery'), 0).payload).toMatchObject({ text: `You took lead #${lead.id}` });
      const edits = world.peers.telegram.callsOf('editMessageReplyMarkup');
      expect(edits.map((edit) => String(edit.payload.chat_id)).sort()).toEqual(['1000', '1001', '1002']);
      expect(JSON.stringify(nth(edits, 0).payload.reply_markup)).toContain('Taken by Galya');

      await world.peers.telegram.pressButton({ ...alertTo('1001'), data: `take:lead:${lead.id}`, from: { id: 1001, first_name: 'Gena' } });
      expect(nth(world.peers.telegram.callsOf('answerCallbackQuery'), 1).payload).toMatchObject({ text: 'Already taken by Galya', show_alert: true });
      expect((await root().get(`/api/leads/${lead.id}`).expect(200)).body.responsible).toBe('galya');
      const timeline = await timelineOf(lead.id);
      expect(timeline.filter((entry) => entry.kind === 'event' && entry.event_type === 'responsible_changed')).toHaveLength(1);
      expect(timeline.find((entry) => entry.event_type === 'taken')).toMatchObject({ summary: 'taken: taken in work by galya from Telegram' });
    });

    it('Take on a lead someone already owns is refused, naming who has it, and changes nothing', async () => {
      const lead = await createLead({ responsible: 'gena' });
      await world.peers.telegram.pressButton({ ...alertTo('1002'), data: `take:lead:${lead.id}`, from: { id: 1002, first_name: 'Galya' } });
      expect(nth(world.peers.telegram.callsOf('answerCallbackQuery'), 0).payload).toMatchObject({ text: `Lead #${lead.id} is already with Gena`, show_alert: true });
      expect((await root().get(`/api/leads/${lead.id}`).expect(200)).body.responsible).toBe('gena');
    });

    it('Take on a lead that is already won is refused', async () => {
      const lead = await createLead();
      await root().post(`/api/leads/${lead.id}/move`, { stage: 'won' }).expect(200);
      await world.peers.telegram.pressButton({ ...alertTo('1002'), data: `take:lead:${lead.id}`, from: { id: 1002, first_name: 'Galya' } });
      expect(nth(world.peers.telegram.callsOf('answerCallbackQuery'), 0).payload).toMatchObject({ text: `Lead #${lead.id} is already closed (won)`, show_alert: true });
      expect((await root().get(`/api/leads/${lead.id}`).expect(200)).body.responsible).toBeNull();
    });

    it('Call now calls the presser and bridges them to the lead', async () => {
      const lead = await createLead();
      await world.peers.telegram.pressButton({ ...alertTo('1001'), data: `call:lead:${lead.id}`, from: { id: 1001, first_name: 'Gena' } });
      expect(calls()).toHaveLength(1);
      expect(nth(calls(), 0).params).toMatchObject({ To: '+79990000001', From: '+15005550006' });
    });

    it('an update without the secret token is 401 and assigns nobody', async () => {
      const lead = await createLead();
      const update = { update_id: 1, callback_query: { id: 'q1', from: { id: 1002 }, message: { message_id: 1, chat: { id: 1002 } }, data: `take:lead:${lead.id}` } };
      await request(world.harness.app).post('/webhooks/telegram').send(update).expect(401);
      await request(world.harness.app).post('/webhooks/telegram').set('X-Telegram-Bot-Api-Secret-Token', 'wrong').send(update).expect(401);
      expect((await root().get(`/api/leads/${lead.id}`).expect(200)).body.responsible).toBeNull();
    });
  });

  describe('when a lead reaches hot', () => {
    it('the agent is called within the same second, answers, is bridged to the lead, and the timeline shows the call', async () => {
      const lead = await createLead({ responsible: 'gena' });
      const movedAt = world.harness.clock.now();
      await root().post(`/api/leads/${lead.id}/move`, { stage: 'hot' }).expect(200);
      await world.harness.runDue();
      expect(world.harness.clock.now() - movedAt).toBeLessThan(1000);
      expect(calls()).toHaveLength(1);
      const call = nth(calls(), 0);
      expect(call.params).toMatchObject({ To: '+79990000001', From: '+15005550006', Timeout: '20' });
      expect(call.params.Url).toMatch(new RegExp(`^${world.publicUrl}/webhooks/twilio/voice-bridge\\?call=\\d+$`));

      const sid = call.sid as string;
      await world.peers.twilio.reportCallStatus(sid, 'initiated');
      await world.peers.twilio.reportCallStatus(sid, 'ringing');
      world.harness.clock.advance(6000);
      expect((await world.peers.twilio.reportCallStatus(sid, 'in-progress')).status).toBe(204);
      const twiml = await world.peers.twilio.postSigned(call.params.Url ?? '', {
        AccountSid: world.peers.twilio.accountSid,
        CallSid: sid,
        CallStatus: 'in-progress',
        From: call.params.From ?? '',
        To: call.params.To ?? '',
      });
      expect(twiml.status).toBe(200);
      expect(twiml.body).toContain('<Say>Hot lead Ivan Petrov. Connecting you now.</Say>');
      expect(twiml.body).toMatch(/<Dial[^>]*callerId="\+15005550006"[^>]*><Number>\+79161234567<\/Number><\/Dial>/);
      world.harness.clock.advance(42_000);
      await world.peers.twilio.reportCallStatus(sid, 'completed', { CallDuration: '42' });

      const timeline = await timelineOf(lead.id);
      expect(timeline.find((entry) => entry.kind === 'call')).toMatchObject({ status: 'completed', duration_seconds: 42, summary: 'call 1 to gena: completed, rang 6 s, talked 42 s' });
      const progress = timeline.filter((entry) => entry.event_type === 'call_progress').map((entry) => entry.payload?.status);
      expect(progress).toEqual(['requested', 'initiated', 'ringing', 'answered', 'bridging', 'completed']);
      expect(timeline.find((entry) => entry.kind === 'event' && entry.event_type === 'call')).toMatchObject({ payload: expect.objectContaining({ outcome: 'answered', agent: 'gena' }) });
      expect(calls()).toHaveLength(1);
    });

    it('a lead that leaves hot while an agent rings stops the chain: nobody else is dialled, nobody alerted', async () => {
      const lead = await createLead({ responsible: 'gena' });
      const alertsBefore = world.peers.telegram.callsOf('sendMessage').length;
      await root().post(`/api/leads/${lead.id}/move`, { stage: 'hot' }).expect(200);
      await world.harness.runDue();
      expect(calls()).toHaveLength(1);
      await root().post(`/api/leads/${lead.id}/move`, { stage: 'won' }).expect(200);
      world.harness.clock.advance(20_000);
      await world.peers.twilio.reportCallStatus(nth(calls(), 0).sid as string, 'no-answer');
      expect(calls()).toHaveLength(1);
      expect(world.peers.telegram.callsOf('sendMessage').slice(alertsBefore)).toHaveLength(0);
      const timeline = await timelineOf(lead.id);
      expect(timeline.some((entry) => entry.kind === 'task')).toBe(false);
      expect(timeline.find((entry) => entry.event_type === 'call_progress' && entry.payload?.status === 'stopped')).toBeDefined();
    });

    it('nobody answers: the next agent is called, then the manager is alerted on Telegram and gets a task; late callbacks call nobody twice', async () => {
      const lead = await createLead({ responsible: 'gena' });
      const alertsBefore = world.peers.telegram.callsOf('sendMessage').length;
      await root().post(`/api/leads/${lead.id}/move`, { stage: 'hot' }).expect(200);
      await world.harness.runDue();
      const genaCall = nth(calls(), 0).sid as string;
      world.harness.clock.advance(20_000);
      await world.peers.twilio.reportCallStatus(genaCall, 'no-answer');
      await world.peers.twilio.reportCallStatus(genaCall, 'no-answer');
      expect(calls()).toHaveLength(2);
      expect(nth(calls(), 1).params.To).toBe('+79990000002');
      await world.peers.twilio.reportCallStatus(nth(calls(), 1).sid as string, 'busy');
      expect(calls()).toHaveLength(2);

      const alerts = world.peers.telegram.callsOf('sendMessage').slice(alertsBefore);
      expect(alerts).toHaveLength(1);
      expect(nth(alerts, 0).payload).toMatchObject({ chat_id: '1000' });
      expect(String(nth(alerts, 0).payload.text)).toContain('Nobody answered the callback');
      expect(String(nth(alerts, 0).payload.text)).toContain('gena (no-answer), galya (busy)');
      const timeline = await timelineOf(lead.id);
      expect(timeline.find((entry) => entry.kind === 'task')).toMatchObject({ assignee: 'gm' });
      expect(timeline.filter((entry) => entry.kind === 'call').map((entry) => entry.summary)).toEqual(['call 1 to gena: no-answer, rang 20 s', 'call 2 to galya: busy, rang 0 s']);
      expect(timeline.find((entry) => entry.kind === 'event' && entry.event_type === 'call')).toMatchObject({ payload: expect.objectContaining({ outcome: 'missed', attempts: 2 }) });

      await world.peers.twilio.reportCallStatus(nth(calls(), 1).sid as string, 'no-answer');
      expect(calls()).toHaveLength(2);
      expect(world.peers.telegram.callsOf('sendMessage').slice(alertsBefore)).toHaveLength(1);
    });

    it('a call whose status never comes back is given up after the ring timeout and the next agent is called; it rang the ring timeout, not until the sweep looked', async () => {
      const lead = await createLead({ responsible: 'gena' });
      await root().post(`/api/leads/${lead.id}/move`, { stage: 'hot' }).expect(200);
      await world.harness.runDue();
      expect(calls()).toHaveLength(1);
      await world.harness.advance(30_000);
      expect(calls()).toHaveLength(1);
      await world.harness.advance(2 * 60_000);
      expect(calls()).toHaveLength(2);
      expect(nth(calls(), 1).params.To).toBe('+79990000002');
      const timeline = await timelineOf(lead.id);
      expect(
        nth(
          timeline.filter((entry) => entry.kind === 'call'),
          0,
        ).summary,
      ).toMatch(/^call 1 to gena: no-answer, rang 20 s$/);
      const progress = timeline.filter((entry) => entry.event_type === 'call_progress' && entry.payload?.status === 'no-answer').map((entry) => entry.summary);
      expect(progress).toEqual([expect.stringContaining('gena: no-answer after 20 s (the ring timeout)')]);
      // The robot's run names the call as the timeline does.
      expect(timeline.find((entry) => entry.kind === 'run' && entry.robot === 'call_back')?.summary).toMatch(/; call 1$/);
    });

    it('an unsigned call status is 401 and moves nothing on', async () => {
      const lead = await createLead({ responsible: 'gena' });
      await root().post(`/api/leads/${lead.id}/move`, { stage: 'hot' }).expect(200);
      await world.harness.runDue();
      const url = new URL(nth(calls(), 0).params.StatusCallback ?? 'missing:StatusCallback');
      await request(world.harness.app)
        .post(url.pathname + url.search)
        .type('form')
        .send({ CallSid: nth(calls(), 0).sid, CallStatus: 'no-answer' })
        .expect(401);
      expect(calls()).toHaveLength(1);
    });
  });
});
