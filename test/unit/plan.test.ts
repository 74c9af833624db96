import { loadConfigText } from '../../config/loader';
import type { CompiledConfig } from '../../server/core/compiled-config';
import { planReload, type PendingRun, type PlanState } from '../../server/config-ops/reload-plan';
import { formatPlan } from '../../server/config-ops/plan-text';
import { first, nth } from '../support/lists';

const NOW = Date.parse('2026-03-02T06:00:00Z');

const BASE = `
timezone: Europe/Moscow
users:
  - { login: root, name: Root, role: admin, telegram_chat_id: "1" }
leads:
  stages:
    - id: new
      robots:
        - { id: sla, type: notify, to: [root], after: 30m, text: "take it" }
        - { id: greet, type: notify, to: [root], after: 1h, text: "hello" }
        - { id: follow_up, type: notify, to: [root], after_robot: greet, text: "after hello" }
      triggers:
        - { id: back_to_new, type: message_inbound, allow_backwards: true }
    - id: contacting
      robots:
        - { id: touch, type: notify, to: [root], after: 1d, text: "touch" }
    - id: parked
    - id: done
      semantic: won
`;

function config(text: string): CompiledConfig {
  const result = loadConfigText(text, 'robots.yaml', NOW);
  if (!result.ok) throw new Error(result.issues.map((issue) => issue.message).join('; '));
  return result.config;
}

let nextId = 1;
function run(overrides: Partial<PendingRun> = {}): PendingRun {
  const id = nextId++;
  return { id, entryId: id, entityType: 'lead', entityId: id, pipeline: 'leads', stage: 'new', robotId: 'sla', status: 'scheduled', dueAt: NOW + 30 * 60_000, waitsFor: null, ...overrides };
}

function state(pendingRuns: PendingRun[], stageItems: PlanState['stageItems'] = []): PlanState {
  return { pendingRuns, stageItems };
}

describe('planning a reload', () => {
  const current = config(BASE);

  it('an unchanged config cancels nothing and says so', () => {
    const plan = planReload(current, config(BASE), state([run(), run({ robotId: 'greet' })]));
    expect(plan).toMatchObject({ cancelled_runs: 0, cancelled: [], changed: [], added: [], removed_stages: [], triggers: [], no_changes: true });
    expect(formatPlan(plan, 'Europe/Moscow')).toMatch(/no changes.*\n\nA reload would cancel 0 pending runs\./s);
  });

  it('a removed robot cancels exactly its pending runs, scheduled and retrying, not the runs of other robots', () => {
    const sla = [run(), run({ status: 'failed', dueAt: NOW + 5 * 60_000 }), run({ entityId: 77 })];
    const others = [run({ robotId: 'greet', dueAt: NOW + 3600_000 }), run({ robotId: 'touch', stage: 'contacting' })];
    const plan = planReload(current, config(BASE.replace(/^ +- \{ id: sla.*\n/m, '')), state([...sla, ...others]));
    expect(plan.cancelled_runs).toBe(3);
    expect(plan.cancelled_run_ids).toEqual(sla.map((one) => one.id).sort((a, b) => a - b));
    expect(plan.cancelled).toEqual([expect.objectContaining({ robot: 'sla', type: 'notify', pipeline: 'leads', stage: 'new', why: 'removed', moved_to: null, cancelled_runs: 3 })]);
    // First due first: the retry due in five minutes leads the list.
    expect(first(plan.cancelled).first.map((sample) => sample.id)).toEqual([nth(sla, 1).id, first(sla).id, nth(sla, 2).id]);
    expect(nth(first(plan.cancelled).first, 2)).toMatchObject({ item: 'lead:77', status: 'scheduled', due_at: '2026-03-02T06:30:00.000Z' });
    const text = formatPlan(plan, 'Europe/Moscow');
    expect(text).toContain('- robot sla (notify, leads/new) removed: 3 pending runs cancelled');
    expect(text).toMatch(/run \d+ +lead:77 +scheduled due Mon 02 Mar 2026 09:30:00/);
    expect(text).toContain('A reload would cancel 3 pending runs.');
  });

  it('a robot moved to another stage cancels its runs where they were, and is new where it went', () => {
    const next = config(BASE.replace(/^ +- \{ id: sla.*\n/m, '').replace('- { id: touch,', '- { id: sla, type: notify, to: [root], after: 30m, text: "take it" }\n        - { id: touch,'));
    const plan = planReload(current, next, state([run(), run()], [{ pipeline: 'leads', stage: 'contacting', count: 4, first: [] }]));
    expect(plan.cancelled).toEqual([expect.objectContaining({ robot: 'sla', why: 'moved', moved_to: { pipeline: 'leads', stage: 'contacting' }, cancelled_runs: 2 })]);
    expect(plan.added).toEqual([{ robot: 'sla', type: 'notify', pipeline: 'leads', stage: 'contacting', items_in_stage: 4, moved_from: { pipeline: 'leads', stage: 'new' } }]);
    expect(formatPlan(plan, 'UTC')).toContain('robot sla (notify, leads/new) moved to leads/contacting: 2 pending runs cancelled');
  });

  it.each([
    ['a delay', 'after: 30m', 'after: 2h', ['after'], /1 pending run keeps the due time it was scheduled with/],
    ['a condition', 'after: 30m,', 'after: 30m, condition: { "!": [{ var: item.responsible }] },', ['condition'], /new condition decides for every pending run/],
    ['the text', 'text: "take it"', 'text: "take it now"', ['text'], /run with the new settings/],
    ['the type', 'type: notify, to: [root], after: 30m, text: "take it"', 'type: set_fields, after: 30m, values: { title: "taken" }', ['text', 'to', 'type', 'values'], /run as a set_fields robot/],
  ])('a changed robot (%s) keeps its runs and names the keys that changed', (_what, from, to, keys, effect) => {
    const plan = planReload(current, config(BASE.replace(from, to)), state([run()]));
    expect(plan.cancelled_runs).toBe(0);
    expect(plan.changed).toEqual([expect.objectContaining({ robot: 'sla', keys: expect.arrayContaining(keys), pending_runs: 1, keep_due_time: 1, waiting: 0 })]);
    expect(first(plan.changed).effects.join('\n')).toMatch(effect);
  });

  it('a run waiting for its predecessor takes a new delay when the predecessor finishes', () => {
    const plan = planReload(current, config(BASE.replace('after_robot: greet,', 'after_robot: greet, after: 1h,')), state([run({ robotId: 'follow_up', dueAt: null, waitsFor: 'greet' })]));
    expect(plan.changed[0]).toMatchObject({ robot: 'follow_up', keys: ['after'], keep_due_time: 0, waiting: 1 });
    expect(first(plan.changed).effects.join('\n')).toMatch(/1 run waiting for its predecessor takes the new timing when it finishes/);
    expect(formatPlan(plan, 'UTC')).toMatch(/lead:\d+ +scheduled due waiting for greet/);
  });

  it('a new robot applies to stage entries from now on, and says how many items already there will not get it', () => {
    const next = config(BASE.replace('    - id: parked\n', '    - id: parked\n      robots:\n        - { id: wake_up, type: notify, to: [root], after: 7d, text: "still parked" }\n'));
    const plan = planReload(current, next, state([], [{ pipeline: 'leads', stage: 'parked', count: 12, first: [] }]));
    expect(plan.added).toEqual([{ robot: 'wake_up', type: 'notify', pipeline: 'leads', stage: 'parked', items_in_stage: 12, moved_from: null }]);
    expect(formatPlan(plan, 'UTC')).toContain('+ robot wake_up (notify, leads/parked): runs for items entering the stage from now on; the 12 items there now will not get it');
  });

  it('a removed stage with items in it is flagged: the reload accepts it and the items stay there', () => {
    const next = config(BASE.replace('    - id: parked\n', ''));
    const plan = planReload(current, next, state([], [{ pipeline: 'leads', stage: 'parked', count: 2, first: ['lead:4', 'lead:9'] }]));
    expect(plan.removed_stages).toEqual([expect.objectContaining({ pipeline: 'leads', stage: 'parked', pipeline_removed: false, items: 2, first: ['lead:4', 'lead:9'] })]);
    expect(formatPlan(plan, 'UTC')).toMatch(/! stage leads\/parked removed with 2 items in it: the reload is accepted; the items stay in "parked".*\(lead:4, lead:9\)/);
  });

  it('triggers added, removed and changed are listed', () => {
    const next = config(BASE.replace('allow_backwards: true', 'allow_backwards: false').replace('    - id: done\n', '    - id: done\n      triggers:\n        - { id: paid, type: call, outcomes: [answered] }\n'));
    expect(planReload(current, next, state([])).triggers).toEqual([
      expect.objectContaining({ trigger: 'back_to_new', change: 'changed', keys: ['allow_backwards'] }),
      expect.objectContaining({ trigger: 'paid', type: 'call', stage: 'done', change: 'added' }),
    ]);
    const without = config(BASE.replace(/^ +triggers:\n.*back_to_new.*\n/m, ''));
    expect(planReload(current, without, state([])).triggers).toEqual([expect.objectContaining({ trigger: 'back_to_new', change: 'removed' })]);
  });

  it('a follower whose predecessor is removed and that waits for nothing in the new config is released', () => {
    const next = config(BASE.replace(/^ +- \{ id: greet.*\n/m, '').replace('after_robot: greet, ', ''));
    const greet = run({ robotId: 'greet', entryId: 500 });
    const follower = run({ robotId: 'follow_up', entryId: 500, dueAt: null, waitsFor: 'greet' });
    const plan = planReload(current, next, state([greet, follower]));
    expect(plan.cancelled_run_ids).toEqual([greet.id]);
    expect(plan.followers).toEqual([expect.objectContaining({ id: follower.id, robot: 'follow_up', waits_for: 'greet', outcome: 'released' })]);
  });

  it('a follower that still waits for the removed robot in the new config is cancelled with it: none is left waiting forever', () => {
    // greet goes; follow_up still names it (validation would refuse that file, so the plan is given a config
    // where follow_up waits for a robot that exists in it but whose run this entry never had: sla moved away).
    const next = config(BASE.replace(/^ +- \{ id: greet.*\n/m, '        - { id: greet_new, type: notify, to: [root], after: 1h, text: "hello" }\n').replace('after_robot: greet, ', 'after_robot: greet_new, '));
    const greet = run({ robotId: 'greet', entryId: 501 });
    const follower = run({ robotId: 'follow_up', entryId: 501, dueAt: null, waitsFor: 'greet' });
    const plan = planReload(current, next, state([greet, follower]));
    expect(plan.cancelled_run_ids).toEqual([greet.id, follower.id].sort((a, b) => a - b));
    expect(plan.cancelled_runs).toBe(2);
    expect(plan.followers).toEqual([expect.objectContaining({ id: follower.id, outcome: 'cancelled' })]);
  });
});

describe('planning a reload that changes words and ladders', () => {
  const WORDS = `
timezone: Europe/Moscow
users:
  - { login: georgy, name: Георгий Морозов, role: manager, telegram_chat_id: "7" }
templates:
  welcome: { channel: sms, text: "Здравствуйте, {{item.name}}! Мы перезвоним." }
  sla_alert: { text: "Лид {{item.name}} ждёт" }
leads:
  stages:
    - id: new
      robots:
        - { id: greet, type: send_message, template: welcome }
        - { id: greet_again, type: send_message, template: welcome, after: 1d }
        - id: sla
          type: notify
          title: SLA на первый контакт
          to: [georgy]
          after: 30m
          template: sla_alert
          escalate: [{ after: 1h, to: [georgy] }]
`;
  const before = config(WORDS);

  it('a template whose text changes is listed with the pending runs that will send the new text', () => {
    const next = config(WORDS.replace('Мы перезвоним.', 'Менеджер перезвонит в течение часа.'));
    const pending = [run({ robotId: 'greet' }), run({ robotId: 'greet_again' }), run({ robotId: 'greet_again' }), run({ robotId: 'sla' })];
    const plan = planReload(before, next, state(pending));
    expect(plan.templates).toEqual([{ template: 'welcome', parts: ['text'], robots: ['greet', 'greet_again'], pending_runs: 3 }]);
    expect(plan.changed).toEqual([]);
    expect(plan.no_changes).toBe(false);
    expect(formatPlan(plan, 'Europe/Moscow')).toContain('~ template welcome changed: text (sent by greet, greet_again); 3 pending runs will send the new text');
  });

  it('an escalation whose delay alone changes is reported as `after`, not as a changed title too', () => {
    const next = config(WORDS.replace('escalate: [{ after: 1h,', 'escalate: [{ after: 2h,'));
    const plan = planReload(before, next, state([]));
    expect(plan.changed.map((robot) => [robot.robot, robot.keys])).toEqual([
      ['sla', ['escalate']],
      ['sla.escalate_1', ['after']],
    ]);
  });
});
