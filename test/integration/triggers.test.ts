import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { signPayload } from '../../server/core/payload-signing';
import { signTrackingToken } from '../../server/core/tracking';
import { DAY, FIXTURES, HOUR, MINUTE, startHarness, type Harness } from '../support/harness';
import { testDatabaseKinds } from '../support/databases';
import { nth } from '../support/lists';

const FUNNEL = path.join(FIXTURES, 'funnel.yaml');
const BILLING_SECRET = 'billing-secret-of-at-least-32-bytes!';
const MARKETING_SECRET = 'marketing-secret-of-at-least-32-bytes';
process.env.HOOK_BILLING_SECRET = BILLING_SECRET;
process.env.HOOK_MARKETING_SECRET = MARKETING_SECRET;

describe.each(testDatabaseKinds())('triggers and intake on %s', (kind) => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness(kind, { configFile: FUNNEL });
  });
  afterEach(async () => {
    await harness.close();
  });

  const submit = (form: string, body: Record<string, unknown>) => request(harness.app).post(`/forms/${form}`).set('Accept', 'application/json').send(body);
  const lead = async (id: number) => (await harness.as('root').get(`/api/leads/${id}`).expect(200)).body;
  const leadCount = async () => (await harness.as('root').get('/api/leads').expect(200)).body.total as number;
  const events = async (id: number) => (await harness.as('root').get(`/api/events?item=lead:${id}`).expect(200)).body.events.reverse();
  const signedHook = (name: string, secret: string, body: object, at = harness.clock.now()) => {
    const raw = JSON.stringify(body);
    const timestamp = String(Math.floor(at / 1000));
    return request(harness.app)
      .post(`/hooks/${name}`)
      .set('content-type', 'application/json')
      .set('x-robots-timestamp', timestamp)
      .set('x-robots-signature', signPayload(secret, timestamp, raw))
      .send(raw);
  };

  describe('web forms', () => {
    it('a submission creates a lead with mapped fields, UTM source and the form event on its timeline', async () => {
      const response = await submit('contact', { name: 'Ivan', phone: '8 916 123-45-67', product: 'SEO', message: 'call me', consent: 'on', utm_source: 'yandex', utm_campaign: 'spring' }).expect(201);
      expect(response.body).toMatchObject({ stage: 'new', name: 'Ivan', phone: '+79161234567', source: 'yandex', fields: { product: 'SEO', comment: 'call me' }, score: 10, merged: false });
      const [event] = await events(response.body.id);
      expect(event).toMatchObject({ type: 'form_submitted', actor: 'form:contact', payload: { form: 'contact', utm: { utm_source: 'yandex', utm_campaign: 'spring' } } });
      expect(event.outcome).toMatch(/score 0 → 10/);
    });

    it('a browser is redirected with 303; a bot filling the honeypot is answered the same and nothing is written', async () => {
      await request(harness.app).post('/forms/contact').type('form').send({ name: 'Real', phone: '+79160000001', consent: 'on' }).expect(303).expect('Location', 'https://shop.example.com/thanks');
      await request(harness.app).post('/forms/contact').type('form').send({ name: 'Bot', phone: '+79160000002', consent: 'on', website: 'http://spam' }).expect(303);
      expect(await leadCount()).toBe(1);
      const health = await request(harness.app).get('/healthz').expect(200);
      expect(health.body.intake.honeypot_dropped).toBe(1);
    });

    it('no consent is a 422; no phone or email is a 400; an unknown form is a 404', async () => {
      const refused = await submit('contact', { name: 'No consent', phone: '+79160000003' }).expect(422);
      expect(refused.body.errors).toEqual([{ path: 'consent', message: 'consent is required' }]);
      await submit('contact', { name: 'Nobody', consent: 'on' }).expect(400);
      await submit('nope', { phone: '+79160000004' }).expect(404);
      expect(await leadCount()).toBe(0);
    });

    it('submissions per address are rate limited, and the limit refills with time', async () => {
      for (let index = 0; index < 3; index += 1) await submit('contact', { name: `n${index}`, phone: `+7916000001${index}`, consent: 'on' }).expect(201);
      const limited = await submit('contact', { name: 'n4', phone: '+79160000014', consent: 'on' }).expect(429);
      expect(limited.headers['retry-after']).toBe('20');
      harness.clock.advance(20 * 1000);
      await submit('contact', { name: 'n4', phone: '+79160000014', consent: 'on' }).expect(201);
      expect(await leadCount()).toBe(4);
    });

    it('a repeat submission from an open lead is a repeat touch, not a duplicate', async () => {
      const first = await submit('contact', { name: 'Olga', phone: '+79161112233', consent: 'on' }).expect(201);
      const again = await submit('contact', { name: 'Olga K.', phone: '8 (916) 111-22-33', consent: 'on' }).expect(200);
      expect(again.body).toMatchObject({ id: first.body.id, merged: true, score: 20 });
      expect(await leadCount()).toBe(1);
      const touches = (await events(first.body.id)).filter((event: { type: string }) => event.type === 'form_submitted');
      expect(touches[1].payload.repeat_touch).toBe(true);
    });

    it('a submission whose phone belongs to a known contact becomes a lead flagged repeat_client', async () => {
      const first = await submit('contact', { name: 'Petr', phone: '+79163334455', consent: 'on' }).expect(201);
      await harness.as('root').post(`/api/leads/${first.body.id}/move`, { stage: 'junk', reason: 'spam' }).expect(200);
      await harness.runtime.records.findOrCreateContact(harness.runtime.store.manager, { name: 'Petr', phone: '+79163334455', email: null, companyId: null });
      const second = await submit('contact', { name: 'Petr', phone: '+79163334455', consent: 'on' }).expect(201);
      expect(second.body.id).not.toBe(first.body.id);
      expect(second.body.repeat_client).toBe(true);
    });

    it('a callback request is mega-hot: straight to hot, and the hot robots fire', async () => {
      const response = await submit('callback', { name: 'Hurry', phone: '+79165556677' }).expect(201);
      expect(response.body.stage).toBe('hot');
      await harness.runDue();
      const messages = await harness.as('root').get(`/api/messages?item=lead:${response.body.id}`).expect(200);
      expect(messages.body.messages.map((message: { body: string }) => message.body)).toContain('HOT lead #1 Hurry, score 10');
    });
  });

  describe('named webhooks', () => {
    it('a good signature is accepted; stale, replayed, wrong or missing ones are 401 and write nothing', async () => {
      const body = { name: 'From billing', phone: '+79167778899', invoice: 'INV-1' };
      const accepted = await signedHook('billing', BILLING_SECRET, body).expect(201);
      expect(accepted.body).toMatchObject({ name: 'From billing', source: 'hook:billing' });

      const raw = JSON.stringify({ phone: '+79990000000' });
      const timestamp = String(Math.floor(harness.clock.now() / 1000));
      const signature = signPayload(BILLING_SECRET, timestamp, raw);
      await request(harness.app).post('/hooks/billing').set('content-type', 'application/json').set('x-robots-timestamp', timestamp).set('x-robots-signature', signature).send(raw).expect(201);
      const replayed = await request(harness.app).post('/hooks/billing').set('content-type', 'application/json').set('x-robots-timestamp', timestamp).set('x-robots-signature', signature).send(raw).expect(401);
      expect(replayed.body.detail).toMatch(/replayed/);

      const stale = await signedHook('billing', BILLING_SECRET, { phone: '+79990000001' }, harness.clock.now() - 6 * MINUTE).expect(401);
      expect(stale.body.detail).toMatch(/stale/);
      await signedHook('billing', 'wrong-secret', { phone: '+79990000002' }).expect(401);
      await request(harness.app)
        .post('/hooks/billing')
        .set('content-type', 'application/json')
        .send(JSON.stringify({ phone: '+79990000003' }))
        .expect(401);

      expect(await leadCount()).toBe(2);
      const health = await request(harness.app).get('/healthz').expect(200);
      expect(health.body.intake.webhooks_rejected).toBe(4);
    });

    it('a trigger moves an item backwards only when it says allow_backwards', async () => {
      const created = await submit('contact', { name: 'Back', phone: '+79161230000', consent: 'on' }).expect(201);
      await harness.as('root').post(`/api/leads/${created.body.id}/move`, { stage: 'in_work' }).expect(200);
      // Enough score for warm, but the lead is already past warm: ignored, with the reason.
      const token = signTrackingToken({ i: `lead:${created.body.id}` }, harness.runtime.trackingSecret);
      await request(harness.app).post('/t/v').send({ token, page: '/pricing' }).expect(202);
      expect((await lead(created.body.id)).stage).toBe('in_work');
      const scored = (await events(created.body.id)).filter((event: { type: string }) => event.type === 'score_changed').pop();
      expect(scored.outcome).toMatch(/ignored by trigger warm_by_score: already past "warm"/);

      const back = await signedHook('marketing', MARKETING_SECRET, { phone: '+79161230000' }).expect(202);
      expect(back.body.outcome).toMatch(/moved to "nurture" by trigger back_to_marketing/);
      const after = await lead(created.body.id);
      expect(after.stage).toBe('nurture');
      const timeline = await harness.as('root').get(`/api/leads/${created.body.id}/timeline`).expect(200);
      expect(timeline.body.timeline.filter((entry: { kind: string }) => entry.kind === 'stage').pop()).toMatchObject({ actor: 'trigger:back_to_marketing' });
    });
  });

  describe('a trigger into a lost stage', () => {
    it('moves the item there with the reason it carries, so who refused whom is on the lead', async () => {
      await harness.close();
      // The marketing system reports a number as spam: the lead goes to junk, we refused it.
      const text = fs
        .readFileSync(FUNNEL, 'utf8')
        .replace(
          '      reasons: [{ id: spam, refused_by: we_refused }]',
          "      reasons: [{ id: spam, refused_by: we_refused }]\n      triggers: [{ id: reported_spam, type: webhook, hooks: [marketing], reason: spam, condition: { '==': [{ var: event.data.verdict }, spam] } }]",
        );
      harness = await startHarness(kind, { configFile: FUNNEL, configText: text });
      const created = await submit('contact', { name: 'Спам Спамович', phone: '8 (916) 765-43-21', consent: 'on' }).expect(201);
      const moved = await signedHook('marketing', MARKETING_SECRET, { phone: '+79167654321', verdict: 'spam' }).expect(202);
      expect(moved.body.outcome).toMatch(/moved to "junk" by trigger reported_spam/);
      expect(await lead(created.body.id)).toMatchObject({ stage: 'junk', lost_reason: 'spam', refused_by: 'we_refused' });
    });
  });

  describe('scoring from tracked engagement', () => {
    it('an opened email, a clicked link and a price visit add up to warm then hot, and the hot robots fire', async () => {
      const created = await submit('contact', { name: 'Reader', email: 'reader@example.com', consent: 'on' }).expect(201);
      await harness.runDue();
      const welcome = (await harness.as('root').get(`/api/messages?item=lead:${created.body.id}`).expect(200)).body.messages[0];
      expect(welcome.subject).toBe('Reader, our prices');
      const item = `lead:${created.body.id}`;
      const secret = harness.runtime.trackingSecret;

      await request(harness.app)
        .get(`/t/o/${signTrackingToken({ m: welcome.id, i: item }, secret)}.gif`)
        .expect(200)
        .expect('Content-Type', 'image/gif');
      expect((await lead(created.body.id)).score).toBe(20);
      const click = await request(harness.app)
        .get(`/t/c/${signTrackingToken({ m: welcome.id, i: item, u: 'https://shop.example.com/pricing' }, secret)}`)
        .expect(302);
      expect(click.headers.location).toMatch(/^https:\/\/shop\.example\.com\/pricing\?rt=/);
      let now = await lead(created.body.id);
      expect(now).toMatchObject({ score: 35, stage: 'warm' });
      const visitorToken = new URL(String(click.headers.location)).searchParams.get('rt') as string;
      await request(harness.app).post('/t/v').send({ token: visitorToken, page: '/pricing' }).expect(202);
      now = await lead(created.body.id);
      expect(now).toMatchObject({ score: 60, stage: 'hot', tags: ['price_interest'] });
      await harness.runDue();
      const alerts = (await harness.as('root').get(`/api/messages?item=${item}&audience=user`).expect(200)).body.messages;
      expect(alerts.map((message: { body: string }) => message.body)).toEqual(['HOT lead #1 Reader, score 60']);
      const types = (await events(created.body.id)).map((event: { type: string }) => event.type);
      expect(types).toEqual(['form_submitted', 'score_changed', 'email_opened', 'score_changed', 'link_clicked', 'score_changed', 'page_visit', 'score_changed']);
      // Forged tokens are refused and change nothing.
      await request(harness.app)
        .get(`/t/c/${signTrackingToken({ i: item, u: 'https://evil.example.com' }, 'not-our-secret')}`)
        .expect(404);
      expect((await lead(created.body.id)).score).toBe(60);
    });

    it('the email that leaves carries our pixel and tracked links', async () => {
      const created = await submit('contact', { name: 'Html', email: 'html@example.com', consent: 'on' }).expect(201);
      const sent: Array<{ html: string | null; body: string }> = [];
      harness.runtime.channels.register('email', { name: 'capture', send: async (message) => (sent.push(message), { status: 'sent', deliveredVia: 'capture' }) });
      await harness.runDue();
      expect(sent).toHaveLength(1);
      expect(nth(sent, 0).html).toMatch(/<img src="https:\/\/crm\.example\.com\/t\/o\/[^"]+\.gif"/);
      expect(nth(sent, 0).html).toMatch(/href="https:\/\/crm\.example\.com\/t\/c\/[^"]+"/);
      expect(nth(sent, 0).body).toMatch(/prices: https:\/\/crm\.example\.com\/t\/c\//);
      expect(created.body.id).toBe(1);
    });
  });

  describe('the five-touch cadence', () => {
    async function startCadence(phone: string) {
      const created = await submit('contact', { name: 'Cadence', phone, email: 'c@example.com', consent: 'on' }).expect(201);
      await harness
        .as('root')
        .patch(`/api/leads/${created.body.id}`, { fields: { telegram_chat_id: '555' } })
        .expect(200);
      await harness.as('root').post(`/api/leads/${created.body.id}/move`, { stage: 'contacting' }).expect(200);
      return created.body.id as number;
    }
    const touchesOf = async (id: number) =>
      (await harness.as('root').get(`/api/runs?item=lead:${id}`).expect(200)).body.runs
        .filter((run: { robot: string }) => run.robot.startsWith('touch_') || run.robot === 'gone_cold')
        .reverse()
        .map((run: { robot: string; status: string; detail: string }) => `${run.robot}:${run.status}${run.status === 'cancelled' ? `(${run.detail})` : ''}`);

    it('without a reply all five touches go out on days 0, 1, 4, 9 and 16, then the lead goes back to nurture', async () => {
      const id = await startCadence('+79160001111');
      await harness.advance(20 * DAY);
      expect(await touchesOf(id)).toEqual(['touch_1_call:done', 'touch_2_telegram:done', 'touch_3_email:done', 'touch_4_call:done', 'touch_5_email:done', 'gone_cold:done']);
      const after = await lead(id);
      expect(after.stage).toBe('nurture');
      const timeline = (await harness.as('root').get(`/api/leads/${id}/timeline`).expect(200)).body.timeline;
      expect(timeline.filter((entry: { kind: string }) => entry.kind === 'stage').pop()).toMatchObject({ reason: 'no_reply', actor: 'robot:gone_cold' });
      const runs = (await harness.as('root').get(`/api/runs?item=lead:${id}`).expect(200)).body.runs;
      const started = Object.fromEntries(runs.map((run: { robot: string; started_at: string }) => [run.robot, run.started_at]));
      const day = (robot: string) => Math.round((Date.parse(started[robot]) - Date.parse(started.touch_1_call)) / DAY);
      expect(['touch_2_telegram', 'touch_3_email', 'touch_4_call', 'touch_5_email'].map(day)).toEqual([1, 4, 9, 16]);
    });

    it('a reply during the cadence stops the remaining touches and moves the lead on', async () => {
      const id = await startCadence('+79160002222');
      await harness.advance(2 * DAY);
      await harness.runtime.inbound.recordInboundMessage({ channel: 'sms', from: '+79160002222', body: 'Yes, call me tomorrow' });
      await harness.advance(20 * DAY);
      expect(await touchesOf(id)).toEqual([
        'touch_1_call:done',
        'touch_2_telegram:done',
        'touch_3_email:cancelled(client replied)',
        'touch_4_call:cancelled(client replied)',
        'touch_5_email:cancelled(client replied)',
        'gone_cold:cancelled(client replied)',
      ]);
      expect((await lead(id)).stage).toBe('in_work');
      const sentToClient = (await harness.as('root').get(`/api/messages?item=lead:${id}&audience=client`).expect(200)).body.messages;
      // The welcome email of "new" never left: the lead moved on before it was due. Only touch 2 and the reply.
      expect(sentToClient.map((message: { channel: string; direction: string }) => `${message.direction}:${message.channel}`).sort()).toEqual(['in:sms', 'out:telegram']);
      const replyEvent = (await events(id)).find((event: { type: string }) => event.type === 'message_inbound');
      expect(replyEvent.outcome).toMatch(/stopped 4 pending touches; score \d+ → \d+ \(\+20\); moved to "in_work" by trigger client_replied/);
    });
  });

  describe('the SDR SLA', () => {
    it('fires once after 30 minutes for a lead nobody took, and not for one taken in time', async () => {
      const slow = (await submit('contact', { name: 'Slow', phone: '+79160003333', consent: 'on' }).expect(201)).body.id;
      const fast = (await submit('contact', { name: 'Fast', phone: '+79160004444', consent: 'on' }).expect(201)).body.id;
      await harness.advance(10 * MINUTE);
      await harness.as('root').patch(`/api/leads/${fast}`, { responsible: 'anna' }).expect(200);
      expect((await lead(fast)).stage).toBe('in_work');
      await harness.advance(2 * HOUR);
      const alerts = async (id: number) => (await harness.as('root').get(`/api/messages?item=lead:${id}&audience=user`).expect(200)).body.messages;
      expect((await alerts(slow)).map((message: { body: string; recipient_login: string }) => `${message.recipient_login}: ${message.body}`)).toEqual([`lena: SLA: lead #${slow} Slow not taken in 30 min`]);
      expect(await alerts(fast)).toEqual([]);
    });
  });
});
