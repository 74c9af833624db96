import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, robots } from '../support/robots-cli';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'lead-funnel.yaml');

describe('the robots command line', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-cli-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('validate accepts a good file and the shipped example', async () => {
    const good = await robots(['validate', FIXTURE]);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/OK — 6 lead statuses, 2 deal pipelines, 9 robots, 10 users/);
    const example = await robots(['validate', path.join(ROOT, 'robots.example.yaml')]);
    expect(example.stdout + example.stderr).toMatch(/OK/);
    expect(example.code).toBe(0);
  });

  it('validate lists every error of a broken file with file:line:col and exits 1', async () => {
    const broken = path.join(dir, 'broken.yaml');
    const text = fs
      .readFileSync(FIXTURE, 'utf8')
      .replace('after: 30m', 'after: 30 minutes')
      .replace('type: change_status, to: converted, after_robot: deal_services', 'type: change_status, to: convertd, after_robot: deal_services')
      .replace('template: sla_alert', 'template: sla_alrt')
      .replace('pick: round_robin', 'pik: round_robin');
    fs.writeFileSync(broken, text);
    const result = await robots(['validate', broken]);
    expect(result.code).toBe(1);
    const lines = result.stderr
      .trim()
      .split('\n')
      .filter((line) => line.includes('broken.yaml:'));
    expect(lines).toHaveLength(4);
    expect(result.stderr).toMatch(/broken\.yaml:\d+:\d+ leads\.stages\[0\]\.robots\[1\]\.after: bad duration "30 minutes"/);
    expect(result.stderr).toMatch(/broken\.yaml:\d+:\d+ leads\.stages\[3\]\.robots\[1\]\.to: unknown stage "convertd" \(did you mean "converted"\?\)/);
    expect(result.stderr).toMatch(/leads\.stages\[0\]\.robots\[1\]\.template: unknown template "sla_alrt" \(did you mean "sla_alert"\?\)/);
    expect(result.stderr).toMatch(/teams\.general\.pik: unknown key "pik"/);
    expect(result.stderr).toMatch(/4 problems/);
  });

  it('user add and token create give a working token, printed once', async () => {
    const database = path.join(dir, 'cli.sqlite');
    const env = { DATABASE_URL: `sqlite:${database}` };
    const added = await robots(['user', 'add', '--login', 'auditor', '--role', 'ops'], env);
    expect(added.stdout).toContain('user auditor (ops) saved');
    const token = await robots(['token', 'create', 'auditor', '--config', FIXTURE], env);
    expect(token.code).toBe(0);
    expect(token.stdout.trim()).toMatch(/^rbt_[A-Za-z0-9_-]{20,}$/);
    const unknown = await robots(['token', 'create', 'nobody', '--config', FIXTURE], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no user "nobody"');
    const badRole = await robots(['user', 'add', '--login', 'x', '--role', 'boss'], env);
    expect(badRole.stderr).toContain('unknown role "boss"');
  });

  it('simulate prints what would fire and when, with rendered texts, and sends nothing', async () => {
    const scenario = path.join(dir, 'scenario.yaml');
    fs.writeFileSync(
      scenario,
      [
        'start: "2026-03-02T09:00:00+03:00"',
        'horizon: 1d',
        'item: { name: Ivan, phone: "+79161234567", email: ivan@example.com, fields: { product: audit } }',
        'events:',
        '  - { at: +2h, move_to: handoff_services }',
      ].join('\n'),
    );
    const text = await robots(['simulate', scenario, '--config', FIXTURE]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/\+30m\s+Mon 02 Mar 09:30:00\s+run\s+sla_30m \(notify\) done/);
    expect(text.stdout).toMatch(/Lead #1 Ivan waits 30 min in New: nobody took it/);
    expect(text.stdout).toMatch(/\+2h\s+Mon 02 Mar 11:00:00\s+stage\s+new → handoff_services/);
    expect(text.stdout).toMatch(/handoff_services → converted/);

    const cadence = await robots(['simulate', path.join(ROOT, 'examples', 'cadence.scenario.yaml'), '--config', path.join(ROOT, 'robots.example.yaml')]);
    expect(cadence.code).toBe(0);
    expect(cadence.stdout).toMatch(/\+1d1h\s+Tue 03 Mar 11:00:00\s+run\s+touch_2_messenger \(send_message\) done/);
    expect(cadence.stdout).toMatch(/\+4d1h\s+Fri 06 Mar 11:00:00\s+run\s+touch_3_email \(send_message\) done/);
    expect(cadence.stdout).toMatch(/touch_4_call \(remind\) cancelled: client replied/);
    expect(cadence.stdout).toMatch(/contacting → dialogue by trigger:client_replied/);

    const scoring = await robots(['simulate', path.join(ROOT, 'examples', 'scoring.scenario.yaml'), '--config', path.join(ROOT, 'robots.example.yaml')]);
    expect(scoring.stdout).toMatch(/\+3h5m\s+Mon 02 Mar 13:05:00\s+stage\s+new → warm by trigger:warm_by_score/);
    expect(scoring.stdout).toMatch(/warm → hot by trigger:callback_requested/);
    expect(scoring.stdout).toMatch(/callback_in_60s \(auto_callback\) done/);
    // The scripted answers: the first agent lets it ring out, the second picks up and the lead is taken in work.
    expect(scoring.stdout).toMatch(/call 1 to anna: no-answer, rang 20 s/);
    expect(scoring.stdout).toMatch(/\+1d1h26s\s+Tue 03 Mar 11:00:26\s+stage\s+hot → in_work by trigger:callback_answered/);

    const json = await robots(['simulate', scenario, '--config', FIXTURE, '--json']);
    const result = JSON.parse(json.stdout) as { timeline: Array<{ kind: string; status?: string; channel?: string }> };
    const messages = result.timeline.filter((entry) => entry.kind === 'message');
    expect(messages.length).toBeGreaterThanOrEqual(2);
    expect(messages.every((message) => message.status === 'recorded')).toBe(true);
  });

  it('simulate records what a webhook robot would POST and sends nothing to a listening server', async () => {
    let received = 0;
    const server = http.createServer((_request, response) => {
      received += 1;
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/crm`;
      const config = path.join(dir, 'webhook.yaml');
      fs.writeFileSync(config, ['users: [{ login: root, name: Root, role: admin }]', 'leads:', '  stages:', '    - id: new', '      robots:', `        - { id: sync_crm, type: webhook, url: "${url}" }`].join('\n'));
      const scenario = path.join(dir, 'webhook.scenario.yaml');
      fs.writeFileSync(scenario, ['start: "2026-03-02T09:00:00+03:00"', 'horizon: 1h', 'item: { name: Ivan }'].join('\n'));
      const text = await robots(['simulate', scenario, '--config', config]);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/sync_crm \(webhook\) done/);
      expect(text.stdout).toContain(`webhook  POST ${url} (not sent; answered 200 by the simulation)`);
      const json = JSON.parse((await robots(['simulate', scenario, '--config', config, '--json'])).stdout) as { requests: Array<{ url: string; body: string }> };
      expect(json.requests).toEqual([expect.objectContaining({ url, body: expect.stringContaining('"robot":"sync_crm"') })]);
      expect(received).toBe(0);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
