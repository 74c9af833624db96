import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MINUTE, startHarness, type Harness } from '../support/harness';
import { testDatabaseKinds } from '../support/databases';

const RUNNING = `
timezone: Europe/Moscow
users:
  - { login: root, name: Root, role: admin, telegram_chat_id: "1" }
  - { login: olga, name: Olga, role: ops }
  - { login: sam, name: Sam, role: sales, team: sales }
teams:
  sales: { members: [sam] }
leads:
  team: sales
  stages:
    - id: new
      robots:
        - { id: sla, type: notify, to: [root], after: 30m, text: "take it" }
        - { id: greet, type: notify, to: [root], after: 1h, text: "hello" }
    - id: contacting
      robots:
        - { id: touch, type: notify, to: [root], after: 1d, text: "touch" }
    - id: done
      semantic: won
`;

/** One robot removed (sla), one changed (greet: delay and text), one added (welcome). */
const NEXT = RUNNING.replace(/^ +- \{ id: sla.*\n/m, '')
  .replace('after: 1h, text: "hello"', 'after: 3h, text: "hello again"')
  .replace('    - id: contacting\n', '        - { id: welcome, type: notify, to: [root], text: "welcome" }\n    - id: contacting\n');

type RunView = { id: number; item: string; robot: string; status: string; due_at: string | null; detail: string | null };

describe.each(testDatabaseKinds())('planning a config reload, on %s', (kind) => {
  let harness: Harness;
  let configFile: string;

  beforeEach(async () => {
    configFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'robots-plan-')), 'robots.yaml');
    fs.writeFileSync(configFile, RUNNING);
    harness = await startHarness(kind, { configFile });
  });
  afterEach(async () => {
    await harness.close();
    fs.rmSync(path.dirname(configFile), { recursive: true, force: true });
  });

  const lead = async (name: string) => (await harness.as('root').post('/api/leads', { name }).expect(201)).body.id as number;
  const runs = async (): Promise<RunView[]> => (await harness.as('root').get('/api/runs?limit=500').expect(200)).body.runs;

  it('the dry run lists exactly the runs the reload then cancels, and the reload answers the same count', async () => {
    const [anna, boris, vera] = [await lead('Anna'), await lead('Boris'), await lead('Vera')];
    await harness.as('root').post(`/api/leads/${vera}/move`, { stage: 'contacting' }).expect(200);
    await harness.advance(10 * MINUTE);
    const late = await lead('Late');
    const before = await runs();
    const pendingSla = before.filter((run) => run.robot === 'sla' && run.status === 'scheduled');
    // Vera left "new": her sla run was cancelled by the move, so only three are pending.
    expect(pendingSla.map((run) => run.item).sort()).toEqual([`lead:${anna}`, `lead:${boris}`, `lead:${late}`].sort());

    fs.writeFileSync(configFile, NEXT);
    const planned = (await harness.as('olga').post('/api/config/reload?dry_run=1').expect(200)).body;
    expect(planned.status).toBe('planned');
    expect(planned.cancelled_runs).toBe(3);
    expect(planned.cancelled_run_ids).toEqual(pendingSla.map((run) => run.id).sort((a, b) => a - b));
    expect(planned.cancelled).toEqual([expect.objectContaining({ robot: 'sla', why: 'removed', cancelled_runs: 3 })]);
    expect(planned.changed).toEqual([expect.objectContaining({ robot: 'greet', keys: ['after', 'text'], pending_runs: 3, keep_due_time: 3 })]);
    expect(planned.added).toEqual([expect.objectContaining({ robot: 'welcome', stage: 'new', items_in_stage: 3 })]);
    // A dry run changes nothing.
    expect(await runs()).toEqual(before);
    expect(harness.runtime.config.current.robots.has('sla')).toBe(true);

    const reloaded = (await harness.as('olga').post('/api/config/reload').expect(200)).body;
    expect(reloaded).toEqual({ status: 'reloaded', cancelled_runs: planned.cancelled_runs });
    const after = await runs();
    const cancelled = after.filter((run) => run.status === 'cancelled' && run.detail === 'robot no longer in the config');
    expect(cancelled.map((run) => run.id).sort((a, b) => a - b)).toEqual(planned.cancelled_run_ids);
    // The changed robot's runs keep the due time they were scheduled with, as the plan said.
    const greetBefore = before.filter((run) => run.robot === 'greet').map((run) => [run.id, run.due_at]);
    expect(after.filter((run) => run.robot === 'greet').map((run) => [run.id, run.due_at])).toEqual(greetBefore);
    // The new robot runs only for stage entries after the reload.
    expect(after.some((run) => run.robot === 'welcome')).toBe(false);
    const fresh = await lead('Fresh');
    expect((await runs()).filter((run) => run.robot === 'welcome').map((run) => run.item)).toEqual([`lead:${fresh}`]);
    // And greet now says the new text, at the old time, for the leads that were waiting.
    await harness.advance(2 * 60 * MINUTE);
    const bodies = (await harness.as('root').get(`/api/messages?item=lead:${anna}`).expect(200)).body.messages.map((message: { body: string }) => message.body);
    expect(bodies).toEqual(['hello again']);
  });

  it('a removed stage with items still in it is reported, and the reload keeps them there', async () => {
    const id = await lead('Vera');
    await harness.as('root').post(`/api/leads/${id}/move`, { stage: 'contacting' }).expect(200);
    fs.writeFileSync(configFile, RUNNING.replace(/^ +- id: contacting\n.*\n.*id: touch.*\n/m, ''));
    const planned = (await harness.as('root').post('/api/config/reload?dry_run=true').expect(200)).body;
    expect(planned.removed_stages).toEqual([expect.objectContaining({ pipeline: 'leads', stage: 'contacting', items: 1, first: [`lead:${id}`] })]);
    expect(planned.cancelled).toEqual([expect.objectContaining({ robot: 'touch', why: 'removed', cancelled_runs: 1 })]);
    await harness.as('root').post('/api/config/reload').expect(200);
    expect((await harness.as('root').get(`/api/leads/${id}`).expect(200)).body.stage).toBe('contacting');
  });

  it('a dry run of an invalid file is a 422 with positions, like the reload; it is for ops and admins only', async () => {
    fs.writeFileSync(configFile, RUNNING.replace('after: 30m', 'after: 30 minutes'));
    const refused = await harness.as('root').post('/api/config/reload?dry_run=1').expect(422);
    expect(refused.body.errors).toEqual([expect.objectContaining({ path: 'leads.stages[0].robots[0].after', line: 14, col: 55, message: expect.stringContaining('bad duration "30 minutes"') })]);
    expect(harness.runtime.config.current.robots.get('sla')?.robot.after).toBe('30m');
    await harness.as('sam').post('/api/config/reload?dry_run=1').expect(403);
    await harness.as('root').post('/api/config/reload?dry_run=yes').expect(400);
    await harness.as('root').post('/api/config/reload?force=1').expect(400);
  });
});
