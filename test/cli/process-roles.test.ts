import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { testDatabaseKinds } from '../support/databases';
import { TEST_POSTGRES_URL } from '../support/global-setup';
import { until } from '../support/until';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'robots.js');
const CONFIG = `
users:
  - { login: root, name: Root, role: admin }
leads:
  stages:
    - id: new
    - id: alerted
      robots:
        - { id: tell_root, type: notify, to: [root], text: "Lead {{item.id}}" }
`;

function robots(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env, LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'pipe'] });
}

function output(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk) => (text += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(text.trim()) : reject(new Error(`exit ${code}`))));
  });
}

describe.each(testDatabaseKinds())('process roles on %s', (kind) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-roles-'));
  const children: ChildProcess[] = [];
  let env: NodeJS.ProcessEnv;
  let schema = '';

  beforeAll(async () => {
    fs.writeFileSync(path.join(dir, 'robots.yaml'), CONFIG);
    if (kind === 'postgres') {
      schema = `robots_test_${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`;
      const client = new Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      await client.query(`CREATE SCHEMA "${schema}"`);
      await client.end();
    }
    const url = kind === 'postgres' ? `${TEST_POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}` : `sqlite:${path.join(dir, 'robots.sqlite')}`;
    // A port below the ephemeral range (32768+): no Postgres connection's local end holds it.
    env = { DATABASE_URL: url, ROBOTS_CONFIG: path.join(dir, 'robots.yaml'), PORT: String(26000 + Math.floor(Math.random() * 4000)) };
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    if (schema) {
      const client = new Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('`serve --no-scheduler` answers the API and runs no robot; a `worker` runs them', async () => {
    const token = await output(robots(['token', 'create', 'root'], env));
    const api = robots(['serve', '--no-scheduler', '--no-watch'], env);
    children.push(api);
    const base = `http://127.0.0.1:${env.PORT}`;
    await until(
      () =>
        fetch(`${base}/healthz`).then(
          (answer) => answer.ok,
          () => false,
        ),
      { everyMs: 100, what: 'the API process answers /healthz' },
    );
    const call = (method: string, url: string, body?: object) =>
      fetch(`${base}${url}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    const lead = (await (await call('POST', '/api/leads', { name: 'Client' })).json()) as { id: number };
    await call('POST', `/api/leads/${lead.id}/move`, { stage: 'alerted' });
    const runs = async () => ((await (await call('GET', `/api/runs?item=lead:${lead.id}`)).json()) as { runs: Array<{ status: string }> }).runs;
    await new Promise((resolve) => setTimeout(resolve, 1500)); // longer than a worker's idle poll: the API process must not have run it
    expect((await runs()).map((run) => run.status)).toEqual(['scheduled']);

    const worker = robots(['worker', '--no-watch'], env);
    children.push(worker);
    await until(async () => (await runs())[0]?.status === 'done', { everyMs: 100, what: 'the worker ran the robot' });
    const health = (await (await fetch(`${base}/healthz`)).json()) as { queue: { by_status: Record<string, number> } };
    expect(health.queue.by_status).toMatchObject({ done: 1, scheduled: 0, running: 0 });
  }, 60_000);
});
