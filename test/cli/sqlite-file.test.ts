import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { backupDatabase } from '../../server/db/backup';
import { DatabaseMissingError, openDatabase } from '../../server/db/data-source';
import { LeadEntity } from '../../server/db/entities';
import { startHarness, type Harness } from '../support/harness';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'robots.js');

function robots(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  child.stdout.on('data', () => {
    if (/listening/.test(output)) child.kill('SIGTERM');
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

describe('the SQLite file under a running server', () => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness('sqlite');
  });
  afterEach(async () => {
    await harness.close();
  });

  it('moved away: /healthz says so (503) and writes are refused (503), nothing goes to the unlinked file; moved back, all is well', async () => {
    const file = harness.runtime.store.dataSource.options.database as string;
    await harness.as('root').post('/api/leads', { name: 'Иван Смирнов', phone: '8 916 123-45-67' }).expect(201);
    fs.renameSync(file, `${file}.moved`);

    const refused = await harness.as('root').post('/api/leads', { name: 'Мария Кузнецова' }).expect(503);
    expect(refused.body).toMatchObject({ code: 'database.unavailable' });
    expect(refused.headers['retry-after']).toBe('5');
    const health = await request(harness.app).get('/healthz').expect(503);
    expect(health.body.database_error).toContain('is gone');

    fs.renameSync(`${file}.moved`, file);
    await request(harness.app).get('/healthz').expect(200);
    await harness.as('root').post('/api/leads', { name: 'Мария Кузнецова' }).expect(201);
    expect((await harness.as('root').get('/api/leads').expect(200)).body.total).toBe(2);
  });
});

describe('an install whose database is gone', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-install-'));
  const file = path.join(dir, 'robots.sqlite');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is not silently begun again empty: refused with what to do, unless --init says so', async () => {
    await (await openDatabase({ sqlitePath: file })).destroy();
    fs.rmSync(file);
    await expect(openDatabase({ sqlitePath: file })).rejects.toThrow(DatabaseMissingError);
    await expect(openDatabase({ sqlitePath: file })).rejects.toThrow(/restore the file from a backup \(robots restore\), or start with --init/);
    const served = await robots(['serve', '--no-watch', '--port', '0'], { DATABASE_URL: `sqlite:${file}` });
    expect(served.code).toBe(1);
    expect(served.output).toContain('is missing');
    const begun = await robots(['serve', '--no-watch', '--port', '0', '--init'], { DATABASE_URL: `sqlite:${file}` });
    expect(begun.output).toMatch(/listening/);
    expect(fs.existsSync(file)).toBe(true);
  });

  it('is brought back by `robots restore` from a `robots backup` taken while it ran', async () => {
    const dataSource = await openDatabase({ sqlitePath: file }, { init: true });
    const insert = (name: string) => dataSource.manager.insert(LeadEntity, { name, stage: 'new', createdAt: 1, updatedAt: 1, enteredStageAt: 1, fields: {}, tags: [], score: 0, repeatClient: false } as never);
    await insert('Иван Смирнов');
    const backup = path.join(dir, 'backups', 'monday.sqlite');
    expect(await backupDatabase(dataSource, backup)).toContain('backed up to');
    await expect(backupDatabase(dataSource, backup)).rejects.toThrow(/never overwrites/);
    await insert('Мария Кузнецова');
    await dataSource.destroy();

    fs.rmSync(file);
    const restored = await robots(['restore', backup], { DATABASE_URL: `sqlite:${file}` });
    expect(restored).toMatchObject({ code: 0, output: expect.stringContaining('restored') });
    const reopened = await openDatabase({ sqlitePath: file });
    expect((await reopened.manager.find(LeadEntity)).map((lead) => lead.name)).toEqual(['Иван Смирнов']);
    await reopened.destroy();
  });
});
