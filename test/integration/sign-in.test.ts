import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import request from 'supertest';
import type { Express } from 'express';
import { readNewPassword } from '../../server/auth/password-input';
import { checkPassword, SCRYPT } from '../../server/auth/passwords';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from '../../server/auth/sessions';
import { DatabaseFailureLog, SignInGuard } from '../../server/auth/sign-in-guard';
import { openDatabase } from '../../server/db/data-source';
import { Store } from '../../server/db/store';
import { createApp } from '../../server/http/app';
import { testDatabaseKinds } from '../support/databases';
import { HOUR, MINUTE, startHarness, type Harness } from '../support/harness';
import { startChannelsWorld, type ChannelsWorld } from '../channels/real-channels';
import { nth } from '../support/lists';

const PASSWORD = 'correct horse battery';

/** What `robots user passwd anna` does with a password piped to it (at the harness's scrypt cost). */
async function passwd(harness: Harness, login: string, typed: string) {
  await harness.setPassword(login, await readNewPassword(Readable.from([`${typed}\n`]), new PassThrough()));
}

function sessionCookieOf(response: request.Response): { header: string; cookie: string } {
  const header = ([] as string[]).concat(response.headers['set-cookie'] ?? []).find((line) => line.startsWith('robots_session='));
  if (!header) throw new Error(`no session cookie in ${JSON.stringify(response.headers['set-cookie'])}`);
  const [cookie = ''] = header.split(';');
  return { header, cookie };
}

function signIn(app: Express, login: string, password: string) {
  return request(app).post('/auth/login').send({ login, password });
}

/** A problem without the parts that differ per request. */
function answerOf(response: request.Response) {
  const { request_id: _id, instance: _instance, ...problem } = response.body as Record<string, unknown>;
  return { status: response.status, problem };
}

async function timed<T>(work: () => Promise<T>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (values: number[]) =>
  nth(
    [...values].sort((a, b) => a - b),
    Math.floor(values.length / 2),
  );

describe.each(testDatabaseKinds())('people signing in on %s', (kind) => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness(kind);
  });
  afterEach(async () => {
    await harness.close();
  });

  async function signedIn(login = 'anna') {
    await passwd(harness, login, PASSWORD);
    const response = await signIn(harness.app, login, PASSWORD).expect(200);
    return { ...sessionCookieOf(response), csrf: response.body.csrf_token as string, body: response.body };
  }

  async function leadCount(): Promise<number> {
    return (await harness.as('root').get('/api/leads').expect(200)).body.total;
  }

  it('a password set with robots user passwd signs in; a wrong password and an unknown login get the same answer', async () => {
    const session = await signedIn('anna');
    expect(session.body).toEqual({ user: { login: 'anna', name: 'Anna SDR', role: 'first_line', team: 'first_line' }, csrf_token: expect.stringMatching(/^[A-Za-z0-9_-]{40,}$/) });
    const board = await request(harness.app).get('/api/config/pipelines').set('Cookie', session.cookie).expect(200);
    expect(board.body.user).toEqual({ login: 'anna', name: 'Anna SDR', role: 'first_line' });

    const wrongPassword = await signIn(harness.app, 'anna', 'correct horse battery!');
    const unknownLogin = await signIn(harness.app, 'anya', PASSWORD);
    const withoutPassword = await signIn(harness.app, 'boris', PASSWORD);
    expect(answerOf(wrongPassword)).toEqual({ status: 401, problem: { type: 'urn:robots:sign-in-failed', title: 'Wrong login or password', status: 401, code: 'sign_in.wrong_password' } });
    expect(answerOf(unknownLogin)).toEqual(answerOf(wrongPassword));
    expect(answerOf(withoutPassword)).toEqual(answerOf(wrongPassword));
    for (const refused of [wrongPassword, unknownLogin, withoutPassword]) expect(refused.headers['set-cookie']).toBeUndefined();
  });

  it('another site can neither change things with our cookie (Origin) nor sign a person out; our pages may not be framed', async () => {
    const session = await signedIn('anna');
    const lead = { name: 'Иван Смирнов', phone: '8 916 123-45-67' };
    const foreign = await request(harness.app).post('/api/leads').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf).set('Origin', 'https://evil.example').send(lead).expect(403);
    expect(foreign.body.code).toBe('csrf.origin');
    await request(harness.app).post('/api/leads').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf).set('Origin', 'http://127.0.0.1').set('Host', '127.0.0.1').send(lead).expect(201);
    expect((await request(harness.app).post('/auth/logout').set('Cookie', session.cookie).expect(403)).body.code).toBe('csrf.token');
    await request(harness.app).get('/api/config/pipelines').set('Cookie', session.cookie).expect(200);
    await request(harness.app).post('/auth/logout').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf).expect(204);
    await request(harness.app).get('/api/config/pipelines').set('Cookie', session.cookie).expect(401);

    const page = await request(harness.app).get('/healthz');
    expect(page.headers).toMatchObject({ 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin' });
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('wrong passwords are counted in the database: another process, or the same one restarted, sees the lock', async () => {
    await passwd(harness, 'anna', PASSWORD);
    for (let attempt = 0; attempt < 10; attempt++) await signIn(harness.app, 'anna', `wrong password ${attempt}`).expect(401);
    // A second process on the same database: its own guard, the same table.
    const twin = new SignInGuard(harness.clock, new DatabaseFailureLog(harness.runtime.store));
    expect(await twin.check('Anna', '198.51.100.7')).toMatchObject({ locked: true, scope: 'account' });
    expect((await signIn(harness.app, 'anna', PASSWORD).expect(429)).body.code).toBe('sign_in.locked');
    harness.clock.advance(15 * 60_000);
    await signIn(harness.app, 'anna', PASSWORD).expect(200);
    expect(await twin.check('anna', '198.51.100.7')).toEqual({ locked: false });
  });

  it('an unknown login costs one scrypt at the real cost too: its answer does not come back sooner', async () => {
    // The other tests hash at a cheap cost; timing needs scrypt to dominate the request, as it does in production.
    const real = await startHarness(kind, { passwordCost: SCRYPT });
    try {
      await passwd(real, 'anna', PASSWORD);
      const wrong: number[] = [];
      const unknown: number[] = [];
      for (let round = 0; round < 3; round++) {
        wrong.push(await timed(() => signIn(real.app, 'anna', `wrong password ${round}`).expect(401)));
        unknown.push(await timed(() => signIn(real.app, `nobody${round}`, `wrong password ${round}`).expect(401)));
      }
      expect(median(unknown)).toBeGreaterThan(median(wrong) * 0.5);
    } finally {
      await real.close();
    }
  });

  it('a password shorter than 10 characters is refused and signs nobody in; the user and the API say nothing of hashes', async () => {
    await expect(passwd(harness, 'anna', 'short pw')).rejects.toThrow('a password has at least 10 characters (this one has 8)');
    await signIn(harness.app, 'anna', 'short pw').expect(401);
    await expect(passwd(harness, 'nobody', PASSWORD)).rejects.toThrow('no user "nobody"');
    await passwd(harness, 'anna', PASSWORD);
    const users = await harness.as('root').get('/api/users').expect(200);
    expect(JSON.stringify(users.body)).not.toMatch(/scrypt|password/i);
  });

  it('users added by the API have passwords too, and a new password signs the person out everywhere', async () => {
    await harness.as('root').post('/api/users', { login: 'dina', role: 'first_line', name: 'Dina' }).expect(201);
    await passwd(harness, 'dina', PASSWORD);
    const first = sessionCookieOf(await signIn(harness.app, 'dina', PASSWORD).expect(200));
    await request(harness.app).get('/api/leads').set('Cookie', first.cookie).expect(200);
    await passwd(harness, 'dina', 'another long password');
    await request(harness.app).get('/api/leads').set('Cookie', first.cookie).expect(401);
    await signIn(harness.app, 'dina', PASSWORD).expect(401);
    await signIn(harness.app, 'dina', 'another long password').expect(200);
  });

  it('twenty right sign-ins in a row never lock anyone out (only failures count)', async () => {
    await passwd(harness, 'anna', PASSWORD);
    for (let morning = 0; morning < 20; morning++) await signIn(harness.app, 'anna', PASSWORD).expect(200);
  });

  it('ten wrong passwords lock anna, not boris at the next desk (same address); 429 with a code and Retry-After until the window passes', async () => {
    await passwd(harness, 'anna', PASSWORD);
    await passwd(harness, 'boris', PASSWORD);
    for (let attempt = 0; attempt < 10; attempt++) {
      const wrong = await signIn(harness.app, 'anna', `guess number ${attempt}`).expect(401);
      expect(wrong.body.code).toBe('sign_in.wrong_password');
    }
    const limited = await signIn(harness.app, 'anna', PASSWORD).expect(429);
    expect(limited.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(limited.body).toMatchObject({ type: 'urn:robots:rate-limited', status: 429, code: 'sign_in.locked', scope: 'account' });
    expect(limited.headers['set-cookie']).toBeUndefined();
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(limited.body.retry_after).toBe(retryAfter);
    await signIn(harness.app, 'boris', PASSWORD).expect(200);
    harness.clock.advance(retryAfter * 1000);
    await signIn(harness.app, 'anna', PASSWORD).expect(200);
  });

  it('fourteen wrong passwords for anna at the same moment: ten are tried, four are refused untried', async () => {
    await passwd(harness, 'anna', PASSWORD);
    const answers = await Promise.all(Array.from({ length: 14 }, (_, index) => signIn(harness.app, 'anna', `guess number ${index}`)));
    const tally = { tried: answers.filter((answer) => answer.status === 401).length, refused: answers.filter((answer) => answer.status === 429).length };
    expect(tally).toEqual({ tried: 10, refused: 4 });
  });

  it('a right password forgives the account’s earlier mistakes', async () => {
    await passwd(harness, 'anna', PASSWORD);
    for (let attempt = 0; attempt < 9; attempt++) await signIn(harness.app, 'anna', 'typo').expect(401);
    await signIn(harness.app, 'anna', PASSWORD).expect(200);
    for (let attempt = 0; attempt < 9; attempt++) await signIn(harness.app, 'anna', 'typo').expect(401);
    await signIn(harness.app, 'anna', PASSWORD).expect(200);
  });

  it('a hundred wrong passwords from one address, whatever the logins, lock that address', async () => {
    await passwd(harness, 'anna', PASSWORD);
    for (let batch = 0; batch < 10; batch++) {
      const guesses = Array.from({ length: 10 }, (_, index) => signIn(harness.app, `guess${batch}_${index}`, 'a wrong password'));
      expect((await Promise.all(guesses)).map((response) => response.status)).toEqual(Array(10).fill(401));
    }
    const limited = await signIn(harness.app, 'anna', PASSWORD).expect(429);
    expect(limited.body).toMatchObject({ code: 'sign_in.locked', scope: 'address' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('the cookie is HttpOnly, SameSite=Lax and Path=/, and Secure when the request came over HTTPS through a trusted proxy', async () => {
    const plain = await signedIn('anna');
    expect(plain.header).toMatch(/; HttpOnly/);
    expect(plain.header).toMatch(/; SameSite=Lax/);
    expect(plain.header).toMatch(/; Path=\//);
    expect(plain.header).not.toMatch(/; Secure/);
    // Without TRUST_PROXY a client's own X-Forwarded-Proto changes nothing.
    const claimed = sessionCookieOf(await signIn(harness.app, 'anna', PASSWORD).set('X-Forwarded-Proto', 'https').expect(200));
    expect(claimed.header).not.toMatch(/; Secure/);

    const before = process.env.TRUST_PROXY;
    process.env.TRUST_PROXY = 'loopback';
    let proxied: Express;
    try {
      proxied = createApp(harness.runtime);
    } finally {
      if (before === undefined) delete process.env.TRUST_PROXY;
      else process.env.TRUST_PROXY = before;
    }
    const secure = sessionCookieOf(await signIn(proxied, 'anna', PASSWORD).set('X-Forwarded-Proto', 'https').expect(200));
    expect(secure.header).toMatch(/; Secure/);
    expect(secure.header).toMatch(/; HttpOnly/);
  });

  it('a write with the cookie but without its CSRF token is 403 and writes nothing; with the token it is done', async () => {
    const session = await signedIn('anna');
    const before = await leadCount();
    const without = await request(harness.app).post('/api/leads').set('Cookie', session.cookie).send({ name: 'Forged' }).expect(403);
    expect(without.body).toMatchObject({ type: 'urn:robots:csrf', status: 403 });
    await request(harness.app).post('/api/leads').set('Cookie', session.cookie).set('X-CSRF-Token', 'x'.repeat(session.csrf.length)).send({ name: 'Forged' }).expect(403);
    expect(await leadCount()).toBe(before);

    const created = await request(harness.app).post('/api/leads').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf).send({ name: 'Real' }).expect(201);
    await request(harness.app).post(`/api/leads/${created.body.id}/move`).set('Cookie', session.cookie).send({ stage: 'in_work' }).expect(403);
    await request(harness.app).post(`/api/leads/${created.body.id}/move`).set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf).send({ stage: 'in_work' }).expect(200);
    expect(await leadCount()).toBe(before + 1);
    // GET /auth/me gives the page its token back after a reload; bearer requests need none.
    const me = await request(harness.app).get('/auth/me').set('Cookie', session.cookie).expect(200);
    expect(me.body).toEqual({ user: { login: 'anna', name: 'Anna SDR', role: 'first_line', team: 'first_line' }, csrf_token: session.csrf });
    await harness.as('anna').post('/api/leads', { name: 'By token' }).expect(201);
  });

  it('signing out ends the session and clears the cookie', async () => {
    const session = await signedIn('anna');
    const out = await request(harness.app).post('/auth/logout').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf).expect(204);
    expect(out.headers['set-cookie']?.[0]).toMatch(/^robots_session=;.*Expires=Thu, 01 Jan 1970/);
    const after = await request(harness.app).get('/api/leads').set('Cookie', session.cookie).expect(401);
    expect(after.body.title).toBe('The session has ended');
    await request(harness.app).get('/auth/me').set('Cookie', session.cookie).expect(401);
    await request(harness.app).get('/auth/me').expect(401);
  });

  it('a session ends after 12 hours without a request, and 7 days after sign-in however busy', async () => {
    const idle = await signedIn('anna');
    harness.clock.advance(SESSION_IDLE_MS - MINUTE);
    await request(harness.app).get('/api/leads').set('Cookie', idle.cookie).expect(200);
    harness.clock.advance(SESSION_IDLE_MS - MINUTE);
    await request(harness.app).get('/api/leads').set('Cookie', idle.cookie).expect(200);
    harness.clock.advance(SESSION_IDLE_MS);
    await request(harness.app).get('/api/leads').set('Cookie', idle.cookie).expect(401);

    const busy = sessionCookieOf(await signIn(harness.app, 'anna', PASSWORD).expect(200));
    const signedInAt = harness.clock.now();
    while (harness.clock.now() + 11 * HOUR < signedInAt + SESSION_ABSOLUTE_MS) {
      harness.clock.advance(11 * HOUR);
      await request(harness.app).get('/api/leads').set('Cookie', busy.cookie).expect(200);
    }
    harness.clock.set(signedInAt + SESSION_ABSOLUTE_MS);
    await request(harness.app).get('/api/leads').set('Cookie', busy.cookie).expect(401);
  });
});

describe.each(testDatabaseKinds())('one-time sign-in links in alerts on %s', (kind) => {
  let world: ChannelsWorld;
  beforeAll(async () => {
    world = await startChannelsWorld(kind);
  });
  afterAll(async () => {
    await world.close();
  });

  /** A lead of gena's: the notify robot alerts the team (gena, galya) and their manager gm in Telegram. */
  async function alertedLead(): Promise<{ id: number; openLinks: Map<string, string> }> {
    const sentBefore = world.peers.telegram.callsOf('sendMessage').length;
    const lead = await world.harness.as('root').post('/api/leads', { name: 'Ivan Petrov', phone: '+79161234567', responsible: 'gena' }).expect(201);
    await world.harness.runDue();
    const openLinks = new Map<string, string>();
    for (const call of world.peers.telegram.callsOf('sendMessage').slice(sentBefore)) {
      const rows = (call.payload.reply_markup as { inline_keyboard: Array<Array<{ text: string; url?: string }>> }).inline_keyboard;
      const open = rows.flat().find((button) => button.text === `Open lead #${lead.body.id}`);
      if (open?.url) openLinks.set(String(call.payload.chat_id), open.url);
    }
    return { id: lead.body.id, openLinks };
  }

  const open = (url: string) => request(world.harness.app).get(url.slice(world.publicUrl.length));

  it("the Open button of a manager's alert signs the manager in once and lands on the lead", async () => {
    const lead = await alertedLead();
    const managerLink = lead.openLinks.get('1000') as string;
    expect(managerLink).toMatch(new RegExp(`^${world.publicUrl}/auth/link\\?token=[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
    // Each recipient's link is their own.
    expect(new Set(lead.openLinks.values()).size).toBe(3);

    const landed = await open(managerLink).expect(303);
    expect(landed.headers.location).toBe(`/board/#lead-${lead.id}`);
    const { cookie, header } = sessionCookieOf(landed);
    expect(header).toMatch(/; HttpOnly/);
    const me = await request(world.harness.app).get('/auth/me').set('Cookie', cookie).expect(200);
    expect(me.body.user).toEqual({ login: 'gm', name: 'Grigory Manager', role: 'manager', team: 'hot_team' });
    await request(world.harness.app).get(`/api/leads/${lead.id}`).set('Cookie', cookie).expect(200);

    const again = await open(managerLink).expect(401);
    expect(again.headers['set-cookie']).toBeUndefined();
    expect(again.headers['content-type']).toMatch(/text\/html/);
    expect(again.text).toContain('This sign-in link was already used');
    expect(again.text).toContain(`href="/board/#lead-${lead.id}"`);

    // The messages table keeps the plain board link: whoever may read messages finds no key in them.
    const messages = await world.harness.as('root').get(`/api/messages?item=lead:${lead.id}&channel=telegram`).expect(200);
    expect(JSON.stringify(messages.body)).not.toContain('/auth/link');
    expect(JSON.stringify(messages.body)).toContain(`/board/#lead-${lead.id}`);
  });

  it('a link opened four times at the same moment (a double tap, a preview fetch) signs in once', async () => {
    const lead = await alertedLead();
    const link = lead.openLinks.get('1001') as string;
    const answers = await Promise.all([1, 2, 3, 4].map(() => open(link)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([303, 401, 401, 401]);
  });

  it('a link opened after 15 minutes, or altered, signs nobody in', async () => {
    const lead = await alertedLead();
    world.harness.clock.advance(15 * MINUTE);
    const expired = await open(lead.openLinks.get('1001') as string).expect(401);
    expect(expired.headers['set-cookie']).toBeUndefined();
    expect(expired.text).toContain('This sign-in link has expired');
    expect(expired.text).toContain(`href="/board/#lead-${lead.id}"`);

    const fresh = await alertedLead();
    const link = new URL(fresh.openLinks.get('1002') as string);
    const [body, signature] = (link.searchParams.get('token') as string).split('.');
    if (body === undefined || signature === undefined) throw new Error(`not a signed token: ${link.search}`);
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    const forged = Buffer.from(JSON.stringify({ ...claims, l: 'root' })).toString('base64url');
    const altered = await request(world.harness.app).get(`/auth/link?token=${forged}.${signature}`).expect(401);
    expect(altered.text).toContain('This sign-in link is not valid');
    expect(altered.headers['set-cookie']).toBeUndefined();
    // The genuine one still works: a refused forgery spends nothing.
    await request(world.harness.app).get(`${link.pathname}${link.search}`).expect(303);
  });
});

describe('robots user passwd, the command', () => {
  const ROOT = path.join(__dirname, '..', '..');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-passwd-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function robots(args: string[], stdin: string) {
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        'node',
        [path.join(ROOT, 'bin', 'robots.js'), ...args],
        { cwd: ROOT, env: { ...process.env, DATABASE_URL: `sqlite:${path.join(dir, 'cli.sqlite')}` }, timeout: 60000 },
        (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin?.end(stdin);
    });
  }

  it('reads the password from stdin, refuses a short one, and a config user then signs in with it', async () => {
    const fixture = path.join(ROOT, 'test', 'fixtures', 'lead-funnel.yaml');
    const short = await robots(['user', 'passwd', 'anna', '-c', fixture], 'short\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('a password has at least 10 characters');
    const set = await robots(['user', 'passwd', 'anna', '-c', fixture], `${PASSWORD}\n`);
    expect(set.stderr).toBe('');
    expect(set.stdout).toContain('password of anna set');

    const dataSource = await openDatabase({ url: `sqlite:${path.join(dir, 'cli.sqlite')}` });
    try {
      expect(await checkPassword(new Store(dataSource), 'anna', PASSWORD)).toMatchObject({ login: 'anna', role: 'first_line' });
      expect(await checkPassword(new Store(dataSource), 'anna', 'short')).toBeNull();
    } finally {
      await dataSource.destroy();
    }
  });
});
