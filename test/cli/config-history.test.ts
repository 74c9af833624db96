import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfigOrThrow } from '../../config/loader';
import { ChannelRegistry } from '../../server/channels/channel';
import { OutboxChannel } from '../../server/channels/outbox';
import { FakeClock } from '../../server/core/clock';
import { openDatabase } from '../../server/db/data-source';
import { Runtime } from '../../server/runtime';
import { robots } from '../support/robots-cli';

const FIRST = `timezone: Europe/Moscow
users:
  - { login: root, name: Пётр Корнилов, role: admin }
leads:
  stages:
    - id: new
      robots:
        - { id: day3_sms, type: notify, to: [root], after: 3d, text: "Позвоните Анне Смирновой" }
    - id: done
      semantic: won
`;

describe('robots config history and rollback', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-config-history-'));
  const database = path.join(dir, 'robots.sqlite');
  const config = path.join(dir, 'robots.yaml');
  const env = { DATABASE_URL: `sqlite:${database}` };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists the versions the server loaded, plans a rollback without writing, and with --yes puts the file back byte for byte', async () => {
    fs.writeFileSync(config, FIRST);
    const clock = new FakeClock('2026-03-02T11:00:00+03:00');
    const start = async () =>
      Runtime.start({
        dataSource: await openDatabase({ sqlitePath: database }),
        configFile: config,
        config: loadConfigOrThrow(config, clock.now()),
        clock,
        channels: new ChannelRegistry(new OutboxChannel()),
        logger: pino({ level: 'silent' }),
      });
    const runtime = await start();
    fs.writeFileSync(config, FIRST.replace('after: 3d', 'after: 5d'));
    expect(await runtime.reload()).toEqual({ ok: true, cancelledRuns: 0 });
    await runtime.stop();

    const history = await robots(['config', 'history', '--json'], env);
    expect(history.code).toBe(0);
    const versions = history.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: number; author: string });
    expect(versions.map((version) => version.author)).toEqual(['file', 'file']);
    const first = versions[1]!.id;

    const planned = await robots(['config', 'rollback', String(first), '-c', config], env);
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain('~ robot day3_sms');
    expect(planned.stdout).toMatch(/^\+ .*day3_sms.*after: 3d/m);
    expect(fs.readFileSync(config, 'utf8')).toContain('after: 5d');

    const applied = await robots(['config', 'rollback', String(first), '-c', config, '--yes'], env);
    expect(applied.code).toBe(0);
    expect(fs.readFileSync(config).equals(Buffer.from(FIRST))).toBe(true);
    const after = await robots(['config', 'history'], env);
    expect(after.stdout.split('\n')[0]).toMatch(new RegExp(`cli.*rollback to ${first}`));
    // Four processes of the CLI, each loading the server's modules.
  }, 120_000);
});
