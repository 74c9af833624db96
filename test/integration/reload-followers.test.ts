import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testDatabaseKinds } from '../support/databases';
import { HOUR, startHarness, type Harness } from '../support/harness';

const RUNNING = `
timezone: Europe/Moscow
users:
  - { login: root, name: Root, role: admin }
leads:
  stages:
    - id: new
    - id: greeting
      robots:
        - { id: greet, type: notify, to: [root], channel: outbox, after: 2h, text: "hello {{item.id}}" }
        - { id: follow_up, type: notify, to: [root], channel: outbox, after_robot: greet, text: "after hello {{item.id}}" }
        - { id: last_word, type: notify, to: [root], channel: outbox, after_robot: follow_up, text: "last {{item.id}}" }
`;
// greet is dropped; follow_up no longer waits for anything; last_word still waits for follow_up.
const NEXT = RUNNING.replace(/^ +- \{ id: greet,.*\n/m, '').replace('after_robot: greet, ', '');

describe.each(testDatabaseKinds())('a reload that drops a robot others wait for, on %s', (kind) => {
  let harness: Harness;
  let configFile: string;
  beforeEach(async () => {
    configFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'robots-reload-')), 'robots.yaml');
    fs.writeFileSync(configFile, RUNNING);
    harness = await startHarness(kind, { configFile });
  });
  afterEach(async () => {
    await harness.close();
    fs.rmSync(path.dirname(configFile), { recursive: true, force: true });
  });

  it('leaves no run waiting forever: the follower that waits for nothing now runs, and the chain after it with it', async () => {
    const { id } = (await harness.as('root').post('/api/leads', { name: 'Chain', phone: '+79169990001' }).expect(201)).body;
    await harness.as('root').post(`/api/leads/${id}/move`, { stage: 'greeting' }).expect(200);
    fs.writeFileSync(configFile, NEXT);
    const planned = (await harness.as('root').post('/api/config/reload?dry_run=1').expect(200)).body;
    expect(planned.followers).toEqual([expect.objectContaining({ robot: 'follow_up', outcome: 'released', waits_for: 'greet' })]);
    const reloaded = (await harness.as('root').post('/api/config/reload').expect(200)).body;
    expect(reloaded.cancelled_runs).toBe(planned.cancelled_runs);

    await harness.advance(HOUR);
    const runs = Object.fromEntries(((await harness.as('root').get(`/api/runs?item=lead:${id}`).expect(200)).body.runs as Array<{ robot: string; status: string }>).map((run) => [run.robot, run.status]));
    expect(runs).toEqual({ greet: 'cancelled', follow_up: 'done', last_word: 'done' });
    const sent = ((await harness.as('root').get(`/api/messages?item=lead:${id}`).expect(200)).body.messages as Array<{ body: string }>).map((message) => message.body).sort();
    expect(sent).toEqual([`after hello ${id}`, `last ${id}`]);
  });
});
