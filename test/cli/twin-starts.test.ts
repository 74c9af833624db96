import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { testDatabaseKinds } from '../support/databases';
import { TEST_POSTGRES_URL } from '../support/global-setup';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'robots.js');
const ROUNDS = 4;

/** `robots token create anna` opens the database (migrating it) and syncs robots.yaml's users, as `serve` does first. */
function startOnce(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [BIN, 'token', 'create', 'anna'], { cwd: ROOT, env: { ...process.env, ...env, ROBOTS_CONFIG: path.join(ROOT, 'robots.example.yaml') }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

describe.each(testDatabaseKinds())('two processes starting together on a fresh %s database', (kind) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-twins-'));
  const schemas: string[] = [];
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    if (schemas.length === 0) return;
    const client = new Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  async function freshDatabase(round: number): Promise<string> {
    if (kind === 'sqlite') return `sqlite:${path.join(dir, `round-${round}.sqlite`)}`;
    const schema = `robots_twins_${randomBytes(4).toString('hex')}`;
    schemas.push(schema);
    const client = new Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    await client.query(`CREATE SCHEMA "${schema}"`);
    await client.end();
    return `${TEST_POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  }

  it(`both migrate-and-sync and go on, ${ROUNDS} rounds out of ${ROUNDS}`, async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const env = { DATABASE_URL: await freshDatabase(round) };
      const twins = await Promise.all([startOnce(env), startOnce(env)]);
      for (const twin of twins) expect(twin).toEqual({ code: 0, output: expect.stringMatching(/^rbt_\S+\n$/) });
    }
  }, 120_000);
});
