import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { signPayload } from '../../server/core/payload-signing';
import { createToken } from '../../server/auth/users';
import { signTrackingToken } from '../../server/core/tracking';
import { ChannelRegistry } from '../../server/channels/channel';
import { OutboxChannel } from '../../server/channels/outbox';
import { FIXTURES, startHarness, type Harness } from '../support/harness';
import { testDatabaseKinds } from '../support/databases';
import { nth } from '../support/lists';

/**
 * README "Roles" as a table: every endpoint × every role, one representative user each
 * (`sm` manages the services team, `gena` sells in the general team), plus no token.
 * Nothing here may answer 5xx.
 */
const HOOK_SECRET = 'matrix-hook-secret-of-at-least-32-bytes';
process.env.HOOK_MATRIX_SECRET = HOOK_SECRET;

const ROLES = ['admin', 'ops', 'manager', 'sales', 'first_line', 'no token'] as const;
type Role = (typeof ROLES)[number];
const LOGINS: Record<Role, string | null> = { admin: 'root', ops: 'olya', manager: 'sm', sales: 'gena', first_line: 'anna', 'no token': null };

interface World {
  harness: Harness;
  serviceLead: number;
  generalLead: number;
  serviceDeal: number;
  generalDeal: number;
  run: number;
}

type Expected = [admin: number, ops: number, manager: number, sales: number, firstLine: number, noToken: number];

interface Row {
  endpoint: string;
  call: (world: World, role: Role, authorize: (test: request.Test) => request.Test) => request.Test;
  expected: Expected;
}

const everyone = (status: number): Expected => [status, status, status, status, status, status];
/** Distinct per role and per database run, so public intake creates a lead each time. */
const phoneOf = (role: Role, offset: number) => `+7916${String(1000000 + offset * 10 + ROLES.indexOf(role)).padStart(7, '0')}`;

const rows: Row[] = [
  // Leads: first line works all of them; sales their own; managers their team's; ops read.
  { endpoint: 'GET /api/leads', call: (w, _r, a) => a(request(w.harness.app).get('/api/leads')), expected: [200, 200, 200, 200, 200, 401] },
  { endpoint: 'POST /api/leads', call: (w, _r, a) => a(request(w.harness.app).post('/api/leads')).send({ name: 'Matrix lead' }), expected: [201, 403, 201, 201, 201, 401] },
  { endpoint: "GET /api/leads/:id (the services team's lead)", call: (w, _r, a) => a(request(w.harness.app).get(`/api/leads/${w.serviceLead}`)), expected: [200, 200, 200, 404, 200, 401] },
  { endpoint: "GET /api/leads/:id (the general team's lead)", call: (w, _r, a) => a(request(w.harness.app).get(`/api/leads/${w.generalLead}`)), expected: [200, 200, 404, 200, 200, 401] },
  { endpoint: 'GET /api/leads/:id (no such lead)', call: (w, _r, a) => a(request(w.harness.app).get('/api/leads/999999')), expected: [404, 404, 404, 404, 404, 401] },
  { endpoint: "PATCH /api/leads/:id (the services team's lead)", call: (w, _r, a) => a(request(w.harness.app).patch(`/api/leads/${w.serviceLead}`)).send({ title: 'Patched' }), expected: [200, 403, 200, 404, 200, 401] },
  { endpoint: "PATCH /api/leads/:id (the general team's lead)", call: (w, _r, a) => a(request(w.harness.app).patch(`/api/leads/${w.generalLead}`)).send({ title: 'Patched' }), expected: [200, 403, 404, 200, 200, 401] },
  { endpoint: 'POST /api/leads/:id/move', call: (w, _r, a) => a(request(w.harness.app).post(`/api/leads/${w.serviceLead}/move`)).send({ stage: 'in_work' }), expected: [200, 403, 200, 404, 200, 401] },
  { endpoint: 'GET /api/leads/:id/timeline', call: (w, _r, a) => a(request(w.harness.app).get(`/api/leads/${w.serviceLead}/timeline`)), expected: [200, 200, 200, 404, 200, 401] },

  // Deals: by pipeline team; first line none.
  { endpoint: 'GET /api/deals', call: (w, _r, a) => a(request(w.harness.app).get('/api/deals')), expected: [200, 200, 200, 200, 403, 401] },
  { endpoint: 'POST /api/deals (services)', call: (w, _r, a) => a(request(w.harness.app).post('/api/deals')).send({ pipeline: 'services', title: 'Matrix deal' }), expected: [201, 403, 201, 403, 403, 401] },
  { endpoint: 'POST /api/deals (general)', call: (w, _r, a) => a(request(w.harness.app).post('/api/deals')).send({ pipeline: 'general', title: 'Matrix deal' }), expected: [201, 403, 403, 201, 403, 401] },
  { endpoint: 'GET /api/deals/:id (services)', call: (w, _r, a) => a(request(w.harness.app).get(`/api/deals/${w.serviceDeal}`)), expected: [200, 200, 200, 404, 404, 401] },
  { endpoint: 'GET /api/deals/:id (general)', call: (w, _r, a) => a(request(w.harness.app).get(`/api/deals/${w.generalDeal}`)), expected: [200, 200, 404, 200, 404, 401] },
  { endpoint: 'PATCH /api/deals/:id (services)', call: (w, _r, a) => a(request(w.harness.app).patch(`/api/deals/${w.serviceDeal}`)).send({ amount: 1000 }), expected: [200, 403, 200, 404, 404, 401] },
  { endpoint: 'POST /api/deals/:id/move (services)', call: (w, _r, a) => a(request(w.harness.app).post(`/api/deals/${w.serviceDeal}/move`)).send({ stage: 'offer' }), expected: [200, 403, 200, 404, 404, 401] },
  { endpoint: 'GET /api/deals/:id/timeline (services)', call: (w, _r, a) => a(request(w.harness.app).get(`/api/deals/${w.serviceDeal}/timeline`)), expected: [200, 200, 200, 404, 404, 401] },

  { endpoint: 'GET /api/contacts', call: (w, _r, a) => a(request(w.harness.app).get('/api/contacts?phone=%2B79161234567')), expected: [200, 200, 200, 200, 200, 401] },

  // Runs, messages, events: the machinery's logs; an item filter only for an item the caller sees (else 404).
  { endpoint: 'GET /api/runs', call: (w, _r, a) => a(request(w.harness.app).get('/api/runs')), expected: [200, 200, 200, 403, 403, 401] },
  { endpoint: "GET /api/runs?item= (the services team's lead)", call: (w, _r, a) => a(request(w.harness.app).get(`/api/runs?item=lead:${w.serviceLead}`)), expected: [200, 200, 200, 403, 403, 401] },
  { endpoint: 'GET /api/runs?item= (a general deal)', call: (w, _r, a) => a(request(w.harness.app).get(`/api/runs?item=deal:${w.generalDeal}`)), expected: [200, 200, 404, 403, 403, 401] },
  { endpoint: 'POST /api/runs/:id/retry (a run that is not dead)', call: (w, _r, a) => a(request(w.harness.app).post(`/api/runs/${w.run}/retry`)), expected: [400, 400, 403, 403, 403, 401] },
  { endpoint: 'GET /api/messages', call: (w, _r, a) => a(request(w.harness.app).get('/api/messages')), expected: [200, 200, 200, 403, 403, 401] },
  { endpoint: 'GET /api/messages?item= (a services deal)', call: (w, _r, a) => a(request(w.harness.app).get(`/api/messages?item=deal:${w.serviceDeal}`)), expected: [200, 200, 200, 403, 403, 401] },
  { endpoint: 'GET /api/messages?item= (a general deal)', call: (w, _r, a) => a(request(w.harness.app).get(`/api/messages?item=deal:${w.generalDeal}`)), expected: [200, 200, 404, 403, 403, 401] },
  { endpoint: 'GET /api/events', call: (w, _r, a) => a(request(w.harness.app).get('/api/events')), expected: [200, 200, 200, 403, 403, 401] },
  { endpoint: "GET /api/events?item= (the general team's lead)", call: (w, _r, a) => a(request(w.harness.app).get(`/api/events?item=lead:${w.generalLead}`)), expected: [200, 200, 404, 200, 200, 401] },
  { endpoint: 'GET /api/events?item= (a services deal)', call: (w, _r, a) => a(request(w.harness.app).get(`/api/events?item=deal:${w.serviceDeal}`)), expected: [200, 200, 200, 404, 404, 401] },

  // Analytics: managers, of a deal pipeline only its team's.
  { endpoint: 'GET /api/analytics/funnel (leads)', call: (w, _r, a) => a(request(w.harness.app).get('/api/analytics/funnel')), expected: [200, 200, 200, 403, 403, 401] },
  { endpoint: 'GET /api/analytics/funnel?pipeline=services', call: (w, _r, a) => a(request(w.harness.app).get('/api/analytics/funnel?pipeline=services')), expected: [200, 200, 200, 403, 403, 401] },
  { endpoint: 'GET /api/analytics/funnel?pipeline=general', call: (w, _r, a) => a(request(w.harness.app).get('/api/analytics/funnel?pipeline=general')), expected: [200, 200, 403, 403, 403, 401] },

  { endpoint: 'POST /api/config/reload', call: (w, _r, a) => a(request(w.harness.app).post('/api/config/reload')), expected: [200, 200, 403, 403, 403, 401] },
  { endpoint: 'GET /api/config/pipelines', call: (w, _r, a) => a(request(w.harness.app).get('/api/config/pipelines')), expected: [200, 200, 200, 200, 200, 401] },
  { endpoint: 'GET /api/config/schema', call: (w, _r, a) => a(request(w.harness.app).get('/api/config/schema')), expected: everyone(200) },
  // The automation studio: the map for those who steer, the editor for ops and admins.
  { endpoint: 'GET /api/automation', call: (w, _r, a) => a(request(w.harness.app).get('/api/automation')), expected: [200, 200, 200, 403, 403, 401] },
  { endpoint: 'GET /api/automation/robots/:id', call: (w, _r, a) => a(request(w.harness.app).get('/api/automation/robots/sla_30m')), expected: [200, 200, 200, 403, 403, 401] },
  { endpoint: 'GET /api/config/source', call: (w, _r, a) => a(request(w.harness.app).get('/api/config/source')), expected: [200, 200, 403, 403, 403, 401] },
  { endpoint: 'POST /api/config/validate', call: (w, _r, a) => a(request(w.harness.app).post('/api/config/validate')).send({ yaml: 'leads: {}' }), expected: [200, 200, 403, 403, 403, 401] },
  { endpoint: 'GET /api/config/versions', call: (w, _r, a) => a(request(w.harness.app).get('/api/config/versions')), expected: [200, 200, 403, 403, 403, 401] },
  { endpoint: 'GET /api/templates/:id/preview', call: (w, _r, a) => a(request(w.harness.app).get(`/api/templates/repeat_alert/preview?item=lead:${w.generalLead}`)), expected: [200, 200, 403, 403, 403, 401] },
  { endpoint: 'GET /api/openapi.json', call: (w, _r, a) => a(request(w.harness.app).get('/api/openapi.json')), expected: everyone(200) },
  { endpoint: 'GET /api/no-such-route', call: (w, _r, a) => a(request(w.harness.app).get('/api/no-such-route')), expected: [404, 404, 404, 404, 404, 401] },

  // Users and tokens: admins only.
  { endpoint: 'GET /api/users', call: (w, _r, a) => a(request(w.harness.app).get('/api/users')), expected: [200, 403, 403, 403, 403, 401] },
  { endpoint: 'POST /api/users', call: (w, _r, a) => a(request(w.harness.app).post('/api/users')).send({ login: 'matrix_bot', role: 'sales', team: 'general' }), expected: [201, 403, 403, 403, 403, 401] },
  { endpoint: 'POST /api/users/:login/tokens', call: (w, _r, a) => a(request(w.harness.app).post('/api/users/matrix_bot/tokens')), expected: [201, 403, 403, 403, 403, 401] },
  { endpoint: 'DELETE /api/users/:login/tokens', call: (w, _r, a) => a(request(w.harness.app).delete('/api/users/matrix_bot/tokens')), expected: [200, 403, 403, 403, 403, 401] },

  // Public doors: a bearer token neither opens nor closes them.
  { endpoint: 'POST /forms/:formId', call: (w, role, a) => a(request(w.harness.app).post('/forms/contact')).send({ name: 'Form', phone: phoneOf(role, 1) }), expected: everyone(201) },
  {
    endpoint: 'POST /hooks/:name (signed)',
    call: (w, role, a) => {
      const raw = JSON.stringify({ name: 'Hook', phone: phoneOf(role, 2) });
      const timestamp = String(Math.floor(w.harness.clock.now() / 1000));
      return a(request(w.harness.app).post('/hooks/billing'))
        .set('Content-Type', 'application/json')
        .set('x-robots-timestamp', timestamp)
        .set('x-robots-signature', signPayload(HOOK_SECRET, timestamp, raw))
        .send(raw);
    },
    expected: everyone(201),
  },
  {
    endpoint: 'POST /hooks/:name (unsigned)',
    call: (w, role, a) =>
      a(request(w.harness.app).post('/hooks/billing'))
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ phone: phoneOf(role, 3) })),
    expected: everyone(401),
  },
  { endpoint: 'GET /t/o/:token.gif', call: (w, _r, a) => a(request(w.harness.app).get(`/t/o/${signTrackingToken({ i: `lead:${w.serviceLead}` }, w.harness.runtime.trackingSecret)}.gif`)), expected: everyone(200) },
  {
    endpoint: 'GET /t/c/:token',
    call: (w, _r, a) => a(request(w.harness.app).get(`/t/c/${signTrackingToken({ i: `lead:${w.serviceLead}`, u: 'https://shop.example.com/' }, w.harness.runtime.trackingSecret)}`)),
    expected: everyone(302),
  },
  {
    endpoint: 'POST /t/v',
    call: (w, _r, a) => a(request(w.harness.app).post('/t/v')).send({ token: signTrackingToken({ i: `lead:${w.serviceLead}` }, w.harness.runtime.trackingSecret), page: '/pricing' }),
    expected: everyone(202),
  },
  { endpoint: 'POST /webhooks/telegram (no secret)', call: (w, _r, a) => a(request(w.harness.app).post('/webhooks/telegram')).send({ update_id: 1 }), expected: everyone(401) },
  {
    endpoint: 'POST /webhooks/email/inbound (unsigned)',
    call: (w, _r, a) => a(request(w.harness.app).post('/webhooks/email/inbound')).set('Content-Type', 'message/rfc822').send('From: a@example.com\r\n\r\nhi'),
    expected: everyone(401),
  },
  {
    endpoint: 'POST /webhooks/twilio/sms-status (unsigned)',
    call: (w, _r, a) => a(request(w.harness.app).post('/webhooks/twilio/sms-status?message=1')).type('form').send({ MessageStatus: 'delivered' }),
    expected: everyone(401),
  },
  { endpoint: 'GET /healthz', call: (w, _r, a) => a(request(w.harness.app).get('/healthz')), expected: everyone(200) },
  { endpoint: 'GET /board/', call: (w, _r, a) => a(request(w.harness.app).get('/board/')), expected: everyone(200) },
];

const table = rows.flatMap((row) => ROLES.map((role, index) => [row.endpoint, role, nth(row.expected, index), row] as const));

describe.each(testDatabaseKinds())('who may call what, on %s', (kind) => {
  let world: World;
  const tokens = new Map<string, string>();
  const statuses: number[] = [];
  let configDir: string;

  beforeAll(async () => {
    // A file of its own, so POST /api/config/reload reloads the same config (forms and hooks included).
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-roles-'));
    const configFile = path.join(configDir, 'robots.yaml');
    fs.writeFileSync(
      configFile,
      `${fs.readFileSync(path.join(FIXTURES, 'lead-funnel.yaml'), 'utf8')}
forms:
  contact: { fields: { name: name, phone: phone }, rate_limit: 10000/m }
hooks:
  billing: { secret_env: HOOK_MATRIX_SECRET, fields: { name: name, phone: phone }, creates_lead: true }
`,
    );
    const channels = new ChannelRegistry(new OutboxChannel());
    channels.webhooks = { publicUrl: 'https://crm.example.test', twilioAuthToken: 'twilio-token', telegramSecret: 'telegram-secret', inboundEmailSecret: 'mail-secret' };
    const harness = await startHarness(kind, { configFile, channels });
    const root = harness.as('root');
    const serviceLead = (await root.post('/api/leads', { name: 'Services lead', responsible: 'semen' }).expect(201)).body.id;
    const generalLead = (await root.post('/api/leads', { name: 'General lead', responsible: 'gena' }).expect(201)).body.id;
    const serviceDeal = (await root.post('/api/deals', { pipeline: 'services', title: 'Services deal', responsible: 'semen' }).expect(201)).body.id;
    const generalDeal = (await root.post('/api/deals', { pipeline: 'general', title: 'General deal', responsible: 'gena' }).expect(201)).body.id;
    await harness.runDue();
    const run = (await root.get(`/api/runs?item=lead:${serviceLead}`).expect(200)).body.runs[0].id;
    world = { harness, serviceLead, generalLead, serviceDeal, generalDeal, run };
    // The harness's own tokens are private; these are real ones, issued the same way.
    for (const login of Object.values(LOGINS)) {
      if (login) tokens.set(login, await createToken(world.harness.runtime.store, login, world.harness.clock.now()));
    }
  });
  afterAll(async () => {
    await world.harness.close();
    fs.rmSync(configDir, { recursive: true, force: true });
  });

  it.each(table)('%s as %s: %i', async (_endpoint, role, expected, row) => {
    const login = LOGINS[role];
    const authorize = (test: request.Test) => (login ? test.set('Authorization', `Bearer ${tokens.get(login)}`) : test);
    const response = await row.call(world, role, authorize);
    statuses.push(response.status);
    expect({ status: response.status, problem: response.status >= 400 ? (response.body.detail ?? response.body.title) : undefined }).toEqual({
      status: expected,
      problem: expected >= 400 ? expect.anything() : undefined,
    });
    if (response.status >= 400) expect(response.headers['content-type']).toContain('application/problem+json');
  });

  it('no call in the table was answered with a 5xx', () => {
    expect(statuses).toHaveLength(table.length);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
  });
});
