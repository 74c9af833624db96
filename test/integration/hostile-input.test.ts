import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { signPayload } from '../../server/core/payload-signing';
import { createToken } from '../../server/auth/users';
import { createApp } from '../../server/http/app';
import { FIXTURES, startHarness, type Harness } from '../support/harness';
import { testDatabaseKinds } from '../support/databases';

/**
 * DESIGN "Bad input": a hostile request (bad encoding, object-key names like `constructor`,
 * ids ≥ 2³¹, NUL bytes, unknown query keys) is a 4xx problem+json, writes nothing, never a 5xx.
 */
const HOOK_SECRET = 'hostile-hook-secret-of-at-least-32-bytes';
process.env.HOOK_HOSTILE_SECRET = HOOK_SECRET;

const CONFIG = `${fs.readFileSync(path.join(FIXTURES, 'lead-funnel.yaml'), 'utf8')}
forms:
  contact:
    fields: { name: name, phone: phone, email: email, product: product }
    rate_limit: 10000/m
hooks:
  billing: { secret_env: HOOK_HOSTILE_SECRET, fields: { phone: phone, email: email, name: name }, creates_lead: true }
`;

const NESTED = `{"name":"deep","fields":{"product":${'['.repeat(40)}"x"${']'.repeat(40)}}}`;

describe.each(testDatabaseKinds())('hostile requests on %s', (kind) => {
  let harness: Harness;
  let token: string;
  let leadId: number;
  let dealId: number;
  let server: http.Server;
  const statuses: number[] = [];

  beforeAll(async () => {
    harness = await startHarness(kind, { configText: CONFIG });
    server = http.createServer(harness.app).listen(0, '127.0.0.1');
    token = await createToken(harness.runtime.store, 'root', harness.clock.now());
    leadId = (await harness.as('root').post('/api/leads', { name: 'Target', responsible: 'gena' }).expect(201)).body.id;
    dealId = (await harness.as('root').post('/api/deals', { pipeline: 'general', title: 'Target deal' }).expect(201)).body.id;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await harness.close();
  });

  const app = () => request(harness.app);
  const get = (url: string) => app().get(url).set('Authorization', `Bearer ${token}`);
  const send = (method: 'post' | 'patch', url: string, body: string | Buffer, type = 'application/json') => app()[method](url).set('Authorization', `Bearer ${token}`).set('Content-Type', type).send(body);
  const json = (method: 'post' | 'patch', url: string, body: unknown) => send(method, url, JSON.stringify(body));
  const signedHook = (raw: string, type = 'application/json') => {
    const timestamp = String(Math.floor(harness.clock.now() / 1000));
    return app()
      .post('/hooks/billing')
      .set('Content-Type', type)
      .set('x-robots-timestamp', timestamp)
      .set('x-robots-signature', signPayload(HOOK_SECRET, timestamp, raw))
      .send(raw);
  };

  /** Bytes exactly as given, headers exactly as given (supertest adds a content type and serialises buffers). */
  function raw(method: string, url: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const port = (server.address() as AddressInfo).port;
      const outgoing = http.request({ host: '127.0.0.1', port, method, path: url, headers: { authorization: `Bearer ${token}`, 'content-length': String(body.length), ...headers } }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  /** Every table's row count and the target items as they stand: "nothing written" is this, unchanged. */
  async function snapshot() {
    const dataSource = harness.runtime.store.dataSource;
    const tables = dataSource.entityMetadatas.map((metadata) => metadata.tableName).sort();
    const [row] = await dataSource.query(`SELECT ${tables.map((table) => `(SELECT COUNT(*) FROM "${table}") AS "${table}"`).join(', ')}`);
    const counts = Object.fromEntries(tables.map((table) => [table, Number(row[table])]));
    const lead = (await harness.as('root').get(`/api/leads/${leadId}`)).body;
    const deal = (await harness.as('root').get(`/api/deals/${dealId}`)).body;
    return { counts, lead, deal };
  }

  type Answer = { status: number; headers: Record<string, unknown>; body: Record<string, unknown> };
  type Case = [string, number, () => PromiseLike<Answer>];
  const cases: Case[] = [
    // Bad encoding
    ['malformed JSON', 400, () => send('post', '/api/leads', '{"name": ')],
    ['a JSON body sent as text/plain', 415, () => send('post', '/api/leads', '{"name":"x"}', 'text/plain')],
    ['a JSON body with no content type', 415, () => raw('POST', '/api/leads', {}, Buffer.from('{"name":"x"}'))],
    ['a JSON body sent as a web form to the API', 415, () => send('post', '/api/leads', '{"name":"x"}', 'application/x-www-form-urlencoded')],
    ['a multipart body to the API', 415, () => send('post', '/api/leads', '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--x--', 'multipart/form-data; boundary=x')],
    ['a body that is not UTF-8', 400, () => raw('POST', '/api/leads', { 'content-type': 'application/json' }, Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]))],
    [
      'a form body that is not UTF-8',
      400,
      () => raw('POST', '/forms/contact', { 'content-type': 'application/x-www-form-urlencoded' }, Buffer.concat([Buffer.from('phone=%2B79160000001&name='), Buffer.from([0xff, 0xfe])])),
    ],
    ['a JSON body in a charset we do not read', 415, () => send('post', '/api/leads', '{"name":"x"}', 'application/json; charset=koi8-r')],
    ['a body in an unknown content encoding', 415, () => send('post', '/api/leads', '{"name":"x"}').set('Content-Encoding', 'compress')],
    ['a body over the size limit', 413, () => json('post', '/api/leads', { name: 'x'.repeat(300 * 1024) })],
    ['invalid percent-encoding in the path', 400, () => get('/api/leads/%E0%A4%A')],
    ['invalid UTF-8 percent-encoding in the path', 400, () => get('/api/leads/%C3%28')],
    ['invalid percent-encoding in the query', 400, () => get('/api/leads?stage=%E0%A4%A')],
    ['invalid percent-encoding in a form body', 400, () => app().post('/forms/contact').type('form').send('name=%E0%A4%A&phone=%2B79160000001')],
    ['a form body that is neither JSON nor urlencoded', 415, () => app().post('/forms/contact').set('Content-Type', 'text/plain').send('phone=+79160000001')],
    ['a signed hook body that is not JSON', 400, () => signedHook('phone=+79160000001')],
    ['a signed hook body sent as text/plain', 415, () => signedHook('{"phone":"+79160000001"}', 'text/plain')],
    ['a JSON body nested 40 levels deep', 400, () => send('post', '/api/leads', NESTED)],
    ['a number too large for JSON numbers', 400, () => send('post', '/api/deals', '{"pipeline":"general","amount":1e400}')],

    // Object-key names
    ['"__proto__" as a body key', 400, () => send('post', '/api/leads', '{"name":"x","__proto__":{"admin":true}}')],
    ['"constructor" as a body key', 400, () => json('post', '/api/leads', { name: 'x', constructor: 'y' })],
    ['"constructor" as a custom field', 400, () => json('post', '/api/leads', { name: 'x', fields: { constructor: 'y' } })],
    ['"toString" as a custom field', 400, () => json('post', '/api/leads', { name: 'x', fields: { toString: 'y' } })],
    ['"__proto__" as a custom field', 400, () => send('post', '/api/leads', '{"name":"x","fields":{"__proto__":"y"}}')],
    ['"hasOwnProperty" as a custom field in a patch', 400, () => json('patch', `/api/leads/${leadId}`, { fields: { hasOwnProperty: 'y' } })],
    ['"__proto__" as a query key', 400, () => get('/api/leads?__proto__=x')],
    ['"constructor" as a query key', 400, () => get('/api/runs?constructor=x')],
    ['"constructor" as a form name', 404, () => app().post('/forms/constructor').send({ phone: '+79160000001' })],
    ['"__proto__" as a form name', 404, () => app().post('/forms/__proto__').send({ phone: '+79160000001' })],
    ['"toString" as a form name', 404, () => app().post('/forms/toString').send({ phone: '+79160000001' })],
    ['"constructor" as a hook name', 404, () => app().post('/hooks/constructor').set('Content-Type', 'application/json').send('{"phone":"+79160000001"}')],
    ['"hasOwnProperty" as a hook name', 404, () => app().post('/hooks/hasOwnProperty').set('Content-Type', 'application/json').send('{"phone":"+79160000001"}')],
    ['"constructor" as a key of a form body', 400, () => app().post('/forms/contact').type('form').send('constructor=1&phone=%2B79160000001')],
    ['"toString" as a key of a signed hook body', 400, () => signedHook('{"phone":"+79160000001","toString":"x"}')],
    ['"constructor" as a stage', 422, () => json('post', `/api/leads/${leadId}/move`, { stage: 'constructor' })],
    ['"__proto__" as a deal pipeline', 400, () => json('post', '/api/deals', { pipeline: '__proto__' })],
    ['"toString" as a responsible', 400, () => json('patch', `/api/leads/${leadId}`, { responsible: 'toString' })],
    ['"constructor" as a funnel pipeline', 400, () => get('/api/analytics/funnel?pipeline=constructor')],
    ['"constructor" as a team of a new user', 400, () => json('post', '/api/users', { login: 'hostile', role: 'sales', team: 'constructor' })],

    // Ids outside 1..2^31-1
    ...['0', '-1', '1e3', '0x10', '2147483648', '99999999999999999999', '1.5', '%201'].map((id): Case => [`lead id ${id}`, 400, () => get(`/api/leads/${id}`)]),
    ['a deal id past 2^31 on a move', 400, () => json('post', '/api/deals/2147483648/move', { stage: 'offer' })],
    ['a lead id past 2^31 on a patch', 400, () => json('patch', '/api/leads/2147483648', { name: 'x' })],
    ['a lead id 1e3 on the timeline', 400, () => get('/api/leads/1e3/timeline')],
    ['a run id past 2^31 on retry', 400, () => send('post', '/api/runs/2147483648/retry', '')],
    ['an item filter past 2^31 on events', 400, () => get('/api/events?item=lead:2147483648')],
    ['an item filter 0 on messages', 400, () => get('/api/messages?item=lead:0')],
    ['an item filter 1e3 on runs', 400, () => get('/api/runs?item=deal:1e3')],
    ['a limit written 1e2', 400, () => get('/api/messages?limit=1e2')],
    ['an offset past 2^31', 400, () => get('/api/leads?offset=99999999999999')],
    ['a signed hook naming an item past 2^31', 400, () => signedHook('{"item":"lead:2147483648","phone":"+79160000001"}')],

    // NUL bytes
    ['a NUL in a body string', 400, () => json('post', '/api/leads', { name: 'a\u0000b' })],
    ['a NUL in a custom field', 400, () => json('patch', `/api/leads/${leadId}`, { fields: { product: 'x\u0000' } })],
    ['a NUL in a body key', 400, () => json('post', '/api/leads', { ['na\u0000me']: 'x' })],
    ['a NUL in a move', 400, () => json('post', `/api/deals/${dealId}/move`, { stage: 'off\u0000er' })],
    ['a NUL in the query', 400, () => get('/api/leads?stage=%00')],
    ['a NUL in a contact lookup', 400, () => get('/api/contacts?email=a%00@example.com')],
    ['a NUL in the path', 400, () => app().post('/api/users/ro%00ot/tokens').set('Authorization', `Bearer ${token}`)],
    ['a NUL after an id', 400, () => get(`/api/leads/${leadId}%00`)],
    ['a NUL in a urlencoded form', 400, () => app().post('/forms/contact').type('form').send('name=a%00b&phone=%2B79160000001')],
    ['a NUL in a JSON form', 400, () => app().post('/forms/contact').send({ name: 'a\u0000b', phone: '+79160000001' })],
    ['a NUL in a signed hook body', 400, () => signedHook(JSON.stringify({ name: 'a\u0000b', phone: '+79160000001' }))],
    ['a NUL in a page visit', 400, () => app().post('/t/v').send({ token: 'x', page: '/a\u0000' })],
    ['a NUL in a new user', 400, () => json('post', '/api/users', { login: 'bot', role: 'ops', name: 'b\u0000t' })],

    // Unknown query keys and shapes
    ['an unknown key on the lead list', 400, () => get('/api/leads?colour=red')],
    ['an unknown key on one lead', 400, () => get(`/api/leads/${leadId}?expand=all`)],
    ['an unknown key on a move', 400, () => json('post', `/api/leads/${leadId}/move?force=1`, { stage: 'in_work' })],
    ['an unknown key on a create', 400, () => json('post', '/api/leads?dry_run=1', { name: 'x' })],
    ['an unknown key on runs', 400, () => get('/api/runs?page=2')],
    ['an unknown key on messages', 400, () => get('/api/messages?page=2')],
    ['an unknown key on events', 400, () => get('/api/events?page=2')],
    ['an unknown key on contacts', 400, () => get('/api/contacts?phone=%2B79160000001&fuzzy=1')],
    ['an unknown key on the funnel', 400, () => get('/api/analytics/funnel?team=general')],
    ['an unknown key on pipelines', 400, () => get('/api/config/pipelines?all=1')],
    ['an unknown key on users', 400, () => get('/api/users?all=1')],
    ['an unknown key on a config reload', 400, () => send('post', '/api/config/reload?force=1', '')],
    ['a bracketed query key', 400, () => get('/api/leads?stage[$ne]=x')],
    ['a query key given twice', 400, () => get('/api/leads?stage=a&stage=b')],
    ['a form field given twice', 400, () => app().post('/forms/contact').type('form').send('phone=%2B79160000001&phone=%2B79160000002')],
    [
      'a form field that is an object',
      400,
      () =>
        app()
          .post('/forms/contact')
          .send({ phone: { $gt: '' } }),
    ],
    ['a signed hook body that is a list', 400, () => signedHook('[{"phone":"+79160000001"}]')],
    ['a signed hook body that is null', 400, () => signedHook('null')],
    ['a signed hook field that is an object', 400, () => signedHook('{"phone":{"number":"+79160000001"}}')],
    ['a signed hook that would create a lead with a bad email', 400, () => signedHook('{"email":"not an email","name":"x"}')],
  ];

  it.each(cases)('%s: a %i problem, nothing written', async (_name, status, send) => {
    const before = await snapshot();
    const response = await send();
    statuses.push(response.status);
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).toMatchObject({ status, type: expect.stringMatching(/^urn:robots:/) });
    expect(response.body.request_id).toBe(response.headers['x-request-id']);
    expect(await snapshot()).toEqual(before);
  });

  it('no hostile request was answered with a 5xx', () => {
    expect(statuses).toHaveLength(cases.length);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
  });

  describe('signed hooks spend their signature only when they are accepted', () => {
    it('a signed body refused for its content can be sent again, and is refused for its content again, not as a replay', async () => {
      const raw = '{"email":"still not an email","name":"x"}';
      const timestamp = String(Math.floor(harness.clock.now() / 1000));
      const signature = signPayload(HOOK_SECRET, timestamp, raw);
      const again = () => app().post('/hooks/billing').set('Content-Type', 'application/json').set('x-robots-timestamp', timestamp).set('x-robots-signature', signature).send(raw);
      const first = await again();
      expect(first.status).toBe(400);
      const second = await again();
      expect(second.status).toBe(400);
      expect(second.body.detail).not.toMatch(/replayed/);
    });

    it('an accepted signed body is not accepted twice', async () => {
      const raw = JSON.stringify({ name: 'Accepted once', phone: '+79160009999' });
      const timestamp = String(Math.floor(harness.clock.now() / 1000));
      const signature = signPayload(HOOK_SECRET, timestamp, raw);
      const post = () => app().post('/hooks/billing').set('Content-Type', 'application/json').set('x-robots-timestamp', timestamp).set('x-robots-signature', signature).send(raw);
      await post().expect(201);
      const before = await snapshot();
      const replayed = await post().expect(401);
      expect(replayed.body.detail).toMatch(/replayed/);
      expect(await snapshot()).toEqual(before);
    });

    it('a hook that fails after its lead was written leaves nothing behind and can be sent again', async () => {
      const raw = JSON.stringify({ name: 'Fails half-way', phone: '+79160008888' });
      const timestamp = String(Math.floor(harness.clock.now() / 1000));
      const signature = signPayload(HOOK_SECRET, timestamp, raw);
      const post = () => app().post('/hooks/billing').set('Content-Type', 'application/json').set('x-robots-timestamp', timestamp).set('x-robots-signature', signature).send(raw);
      const before = await snapshot();
      // The fault: the event row cannot be written (the lead, its entry and runs already were).
      const records = harness.runtime.records;
      const recordEvent = records.recordEvent.bind(records);
      records.recordEvent = async () => {
        throw new Error('disk full (injected)');
      };
      try {
        await post().expect(500);
      } finally {
        records.recordEvent = recordEvent;
      }
      expect(await snapshot()).toEqual(before);
      const again = await post().expect(201);
      expect(again.body).toMatchObject({ name: 'Fails half-way', phone: '+79160008888' });
    });

    it('a form that fails after its lead was written leaves no lead without its event', async () => {
      const before = await snapshot();
      const records = harness.runtime.records;
      const recordEvent = records.recordEvent.bind(records);
      records.recordEvent = async () => {
        throw new Error('disk full (injected)');
      };
      try {
        await app().post('/forms/contact').set('Content-Type', 'application/json').send({ name: 'Half form', phone: '+79160007777' }).expect(500);
      } finally {
        records.recordEvent = recordEvent;
      }
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('request ids', () => {
    it('every answer carries an id: the caller’s when it is sane, a new one otherwise', async () => {
      const generated = await harness.as('root').get('/api/leads').expect(200);
      expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const given = await harness.as('root').get('/api/leads').set('X-Request-Id', 'client-trace.42').expect(200);
      expect(given.headers['x-request-id']).toBe('client-trace.42');
      for (const insane of ['has spaces', 'x'.repeat(200), '<script>', '../../etc']) {
        const replaced = await harness.as('root').get('/api/leads').set('X-Request-Id', insane).expect(200);
        expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      }
      const problem = await request(harness.app).get('/api/leads').set('X-Request-Id', 'trace-401').expect(401);
      expect(problem.body.request_id).toBe('trace-401');
    });

    it('a server error is a 500 problem with the request id, and the log has that id and the stack', async () => {
      const lines: string[] = [];
      const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }));
      const app = createApp(harness.runtime, { logger });
      const broken = jest.spyOn(harness.runtime.records, 'getItem').mockRejectedValueOnce(new Error('a bug in the engine'));
      try {
        const response = await request(app).get(`/api/leads/${leadId}`).set('Authorization', `Bearer ${token}`).set('X-Request-Id', 'trace-500').expect(500);
        expect(response.headers['content-type']).toContain('application/problem+json');
        expect(response.body).toMatchObject({ status: 500, type: 'urn:robots:internal', request_id: 'trace-500' });
        expect(JSON.stringify(response.body)).not.toContain('fell over');
      } finally {
        broken.mockRestore();
      }
      const logged = lines.map((line) => JSON.parse(line)).find((entry) => entry.request_id === 'trace-500');
      expect(logged).toMatchObject({ level: 50, msg: 'request failed', method: 'GET', url: `/api/leads/${leadId}` });
      expect(logged.err.message).toBe('a bug in the engine');
      expect(logged.err.stack).toContain('Error: a bug in the engine');
    });
  });
});
