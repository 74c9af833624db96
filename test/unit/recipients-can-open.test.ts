import path from 'node:path';
import { loadConfigOrThrow } from '../../config/loader';
import { canAccessItem, itemScope, scopeIncludes, type Viewer } from '../../server/auth/access';
import { pipelineOf, teamMembers, teamOfStage, type CompiledConfig, type RobotPlacement } from '../../server/core/compiled-config';
import { asItem, type Item } from '../../server/core/items';
import { resolveRecipients, taskAssignee } from '../../server/core/recipients';
import { configFromYaml } from '../support/configs';
import { dealRow, FIXTURE_NOW, leadRow } from '../support/rows';

/**
 * The promise behind every alert: whoever a robot alerts, gives a task or calls about an item can
 * open that item. Walks every robot of the compiled config (escalation levels included) with an
 * item in its stage, unassigned and assigned, and asks the access rules for each recipient.
 */

const EXAMPLE = loadConfigOrThrow(path.join(__dirname, '..', '..', 'robots.example.yaml'), FIXTURE_NOW);

/** Several teams: the lead funnel worked by the SDRs, one lead stage by the qualifiers, two deal directions, a legal check stage. */
const SEVERAL_TEAMS = configFromYaml(`
users:
  - { login: olga, name: Ольга Смирнова, role: ops }
  - { login: lena, name: Елена Кузнецова, role: manager, team: sdr }
  - { login: anna, name: Анна Петрова, role: first_line, team: sdr }
  - { login: pavel, name: Павел Зайцев, role: manager, team: qualifiers }
  - { login: kirill, name: Кирилл Лебедев, role: sales, team: qualifiers }
  - { login: vadim, name: Вадим Егоров, role: manager, team: wholesale }
  - { login: gleb, name: Глеб Соколов, role: sales, team: wholesale }
  - { login: rita, name: Маргарита Белова, role: manager, team: retail }
  - { login: semyon, name: Семён Козлов, role: sales, team: retail }
  - { login: lev, name: Лев Юрьев, role: manager, team: legal }
  - { login: yana, name: Яна Фёдорова, role: sales, team: legal }
teams:
  sdr: { members: [anna], manager: lena }
  qualifiers: { members: [kirill], manager: pavel }
  wholesale: { members: [gleb], manager: vadim }
  retail: { members: [semyon], manager: rita }
  legal: { members: [yana], manager: lev }
templates:
  alert: { text: "{{recipient.name}}: {{links.item}}" }
leads:
  team: sdr
  stages:
    - id: new
      robots:
        - { id: repeat, type: notify_repeat_client, notify: [responsible, manager], template: alert }
        - { id: sla, type: notify, to: [manager], template: alert, escalate: [{ after: 30m, to: [manager] }, { after: 2h, to: [olga] }] }
        - { id: first_call, type: create_task, title: "Позвонить" }
    - id: qualify
      team: qualifiers
      robots:
        - { id: qualify_alert, type: notify, to: [team, manager], template: alert }
        - { id: qualify_call, type: remind, title: "Квалифицировать", due_in: 2h }
        - { id: hot_callback, type: auto_callback, agents: [responsible, team] }
    - id: converted
      semantic: won
deals:
  wholesale:
    team: wholesale
    stages:
      - id: new
        robots:
          - { id: wholesale_alert, type: notify, to: [responsible, manager], template: alert }
          - { id: ask_retail, type: remind, title: "Спросить розницу", assignee: semyon }
      - id: legal_check
        team: legal
        robots:
          - { id: legal_alert, type: notify, to: [team, manager], template: alert }
          - { id: legal_task, type: create_task, title: "Проверить договор" }
      - id: won
        semantic: won
  retail:
    team: retail
    stages:
      - id: new
        robots:
          - { id: retail_alert, type: notify, to: [responsible, manager, team], template: alert }
      - id: won
        semantic: won
`);

function viewer(config: CompiledConfig, login: string): Viewer {
  const user = config.users.get(login);
  if (!user) throw new Error(`no user ${login} in the config`);
  return { login, name: user.name, role: user.role, team: user.team ?? null, origin: 'config', createdAt: 0 };
}

/** An item in the robot's stage: unassigned, and assigned to each member of the team that works the stage. */
function itemsInStageOf(config: CompiledConfig, placement: RobotPlacement): Array<{ label: string; item: Item }> {
  const pipeline = pipelineOf(config, placement.pipeline)!;
  const team = teamOfStage(config, placement.pipeline, placement.stage);
  const responsibles = [null, ...(team ? teamMembers(config, team) : [])];
  return responsibles.map((responsible) => ({
    label: responsible ?? 'unassigned',
    item: pipeline.kind === 'lead' ? asItem('lead', leadRow({ id: 7, stage: placement.stage, responsible })) : asItem('deal', dealRow({ id: 7, pipeline: pipeline.key, stage: placement.stage, responsible })),
  }));
}

const TASK_ROBOTS = new Set(['create_task', 'remind']);

/** Every (robot, item, recipient) the config can produce. */
function cases(config: CompiledConfig): Array<[string, string, string, Item, string]> {
  return [...config.robots.values()].flatMap((placement) =>
    itemsInStageOf(config, placement).flatMap(({ label, item }) => {
      const { logins } = resolveRecipients(config, item, placement.recipients);
      // A task for nobody goes to the manager of the team that works the stage.
      const people = TASK_ROBOTS.has(placement.robot.type) ? [taskAssignee(config, item, logins)].filter((login): login is string => login !== null) : logins;
      return people.map((login): [string, string, string, Item, string] => [placement.robot.id, `${placement.pipeline}/${placement.stage}`, label, item, login]);
    }),
  );
}

describe.each([
  ['robots.example.yaml', EXAMPLE],
  ['a config of several teams', SEVERAL_TEAMS],
])('%s: whoever a robot alerts or gives a task can open the item', (_name, config) => {
  const all = cases(config);

  it('has robots that reach people (the walk is not empty)', () => {
    expect(all.length).toBeGreaterThan(10);
    expect(all.some(([, , label]) => label === 'unassigned')).toBe(true);
  });

  it.each(all)('%s in %s (%s): %s… reaches %s, who can open it and finds it in their lists', (_robot, _stage, _label, item, login) => {
    const user = viewer(config, login);
    expect(canAccessItem(config, user, item, 'read')).toBe(true);
    expect(scopeIncludes(itemScope(config, user), item)).toBe(true);
  });

  it('leaves no robot task for nobody', () => {
    const tasks = [...config.robots.values()].filter((placement) => TASK_ROBOTS.has(placement.robot.type));
    for (const placement of tasks) {
      for (const { item } of itemsInStageOf(config, placement)) {
        expect(taskAssignee(config, item, resolveRecipients(config, item, placement.recipients).logins)).not.toBeNull();
      }
    }
  });
});

describe('who sees what in the shipped example', () => {
  const unassignedLead = asItem('lead', leadRow({ stage: 'new', responsible: null }));
  const servicesDeal = asItem('deal', dealRow({ pipeline: 'services', responsible: 'semyon' }));

  it.each([
    ['georgy (manager of first_line and general)', 'georgy', true],
    ['anna (first line)', 'anna', true],
    ['olga (ops)', 'olga', true],
    ['gleb (sales, general)', 'gleb', false],
    ['stepan (manager of services, not of the first line)', 'stepan', false],
  ])('an unassigned new lead: %s sees it → %s', (_who, login, sees) => {
    expect(canAccessItem(EXAMPLE, viewer(EXAMPLE, login), unassignedLead, 'read')).toBe(sees);
  });

  it.each([
    ['stepan', true],
    ['svetlana', true],
    ['georgy', false],
    ['anna', false],
  ])('a services deal: %s sees it → %s', (login, sees) => {
    expect(canAccessItem(EXAMPLE, viewer(EXAMPLE, login), servicesDeal, 'read')).toBe(sees);
  });

  it('a stage of its own team: the legal check is seen by legal, not by the rest of retail', () => {
    const deal = asItem('deal', dealRow({ pipeline: 'wholesale', stage: 'legal_check', responsible: 'gleb' }));
    expect(canAccessItem(SEVERAL_TEAMS, viewer(SEVERAL_TEAMS, 'lev'), deal, 'read')).toBe(true);
    expect(canAccessItem(SEVERAL_TEAMS, viewer(SEVERAL_TEAMS, 'yana'), deal, 'read')).toBe(true);
    expect(canAccessItem(SEVERAL_TEAMS, viewer(SEVERAL_TEAMS, 'rita'), deal, 'read')).toBe(false);
    // The same deal one stage on is the wholesale team's only.
    const won = asItem('deal', dealRow({ pipeline: 'wholesale', stage: 'won', responsible: 'gleb' }));
    expect(canAccessItem(SEVERAL_TEAMS, viewer(SEVERAL_TEAMS, 'lev'), won, 'read')).toBe(false);
  });
});
