import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { signSignInLink } from '../../server/core/sign-in-links';
import { installSecret } from '../../server/db/install-secrets';
import { openTestDatabase, testDatabaseKinds } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'robots.js');

/** `robots serve` on a SQLite file of its own; resolves with the exit code and what it logged. */
function serve(env: NodeJS.ProcessEnv, portArgs = ['--port', '0']): Promise<{ code: number | null; output: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-secrets-'));
  const child = spawn(process.execPath, [BIN, 'serve', '--no-watch', ...portArgs], {
    cwd: ROOT,
    env: { ...process.env, TRACKING_SECRET: undefined, DATABASE_URL: `sqlite:${path.join(dir, 'robots.sqlite')}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  // A server that starts is stopped once it says so; one that refuses exits by itself.
  child.stdout.on('data', () => {
    if (/listening/.test(output)) child.kill('SIGTERM');
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

describe('signing secrets at start-up', () => {
  it('refuses to start with an empty TRACKING_SECRET, naming it', async () => {
    const { code, output } = await serve({ TRACKING_SECRET: '' });
    expect(code).toBe(1);
    expect(output).toContain('TRACKING_SECRET is set but empty');
  });

  it('refuses to start with a short secret, saying how long it must be', async () => {
    const { code, output } = await serve({ TRACKING_SECRET: 'qwerty123', INBOUND_EMAIL_SECRET: 'x'.repeat(31) });
    expect(code).toBe(1);
    expect(output).toContain('TRACKING_SECRET is 9 bytes long: a signing secret needs at least 32');
    expect(output).toContain('INBOUND_EMAIL_SECRET is 31 bytes long');
  });

  it('starts with no secret set at all (the two commands of the README need none)', async () => {
    const { output } = await serve({});
    expect(output).toMatch(/listening/);
  });
});

describe('a port already taken', () => {
  it('stops `robots serve` with exit 1 and says why, instead of running on without HTTP', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as AddressInfo).port;
      const { code, output } = await serve({ PORT: String(port), HOST: '127.0.0.1' }, []);
      expect(code).toBe(1);
      expect(output).toContain(`cannot listen on 127.0.0.1:${port}`);
      expect(output).toContain('EADDRINUSE');
      expect(output).not.toMatch(/listening on/);
    } finally {
      taken.close();
    }
  });
});

describe.each(testDatabaseKinds())('the install secret on %s', (kind) => {
  it('is made once and kept: every process and every restart signs alike, even when two start together', async () => {
    const database = await openTestDatabase(kind);
    try {
      const [first, twin] = await Promise.all([installSecret(database.dataSource, 'tracking'), installSecret(database.dataSource, 'tracking')]);
      expect(twin).toBe(first);
      expect(Buffer.from(first, 'base64url').length).toBe(32);
      expect(await installSecret(database.dataSource, 'tracking')).toBe(first);
      expect(await installSecret(database.dataSource, 'other')).not.toBe(first);
    } finally {
      await database.cleanup();
    }
  });
});

describe('forged sign-in links', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness('sqlite');
  });
  afterAll(async () => {
    await harness.close();
  });

  it.each([
    ['an empty secret', ''],
    ['a short secret', 'secret'],
    ['another installation’s secret', randomUUID()],
  ])('a link for an admin signed with %s gives no session', async (_what, secret) => {
    const lead = (await harness.as('root').post('/api/leads', { name: 'Иван Смирнов', phone: '8 916 123-45-67' }).expect(201)).body as { id: number };
    const token = signSignInLink({ login: 'root', item: { kind: 'lead', id: lead.id }, nonce: randomUUID(), expiresAt: harness.clock.now() + 60_000 }, secret);
    const answer = await request(harness.app).get('/auth/link').query({ token });
    expect(answer.text).toContain('This sign-in link is not valid');
    expect(answer.headers['set-cookie']).toBeUndefined();
  });

  it('a link signed with the install’s own secret signs in', async () => {
    const lead = (await harness.as('root').post('/api/leads', { name: 'Мария Кузнецова' }).expect(201)).body as { id: number };
    const token = signSignInLink({ login: 'root', item: { kind: 'lead', id: lead.id }, nonce: randomUUID(), expiresAt: harness.clock.now() + 60_000 }, harness.runtime.trackingSecret);
    const answer = await request(harness.app).get('/auth/link').query({ token }).expect(303);
    expect(answer.headers['set-cookie']).toBeDefined();
  });
});
