import { robotDefinitions } from '../robots';
import { triggerDefinitions } from '../triggers';
import type { ConfigReference } from './schema';
import { validateCondition } from '../server/core/conditions';
import type { ItemKind } from '../server/core/context-schema';
import { unknownNameOf } from './did-you-mean';
import { say, type Said } from './messages';
import { ContextPaths, inTextSaid, robotConditions, robotTexts, type ContextReader } from './context-paths';
import { LEAD_PIPELINE } from '../server/core/compiled-config';
import { chosenAmong } from '../server/core/waiting-order';
import type { Config, PipelineSpec } from './schema';
import type { ConfigPath } from './positions';

/** Item columns that `required:` and robots may name besides the custom `fields:`. */
export const STANDARD_FIELDS = ['title', 'name', 'phone', 'email', 'company_name', 'source', 'responsible', 'amount'] as const;

export interface ReferenceProblem {
  path: ConfigPath;
  message: string | Said;
  /** Point at this key of the object at `path` rather than its value. */
  key?: string;
}

const unknown = unknownNameOf;

function duplicates(values: string[]): Set<string> {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  values.forEach((value) => (seen.has(value) ? repeated.add(value) : seen.add(value)));
  return repeated;
}

/** Everything zod cannot see alone: names that must exist elsewhere in the file. Pure. */
export function checkReferences(config: Config): ReferenceProblem[] {
  const problems: ReferenceProblem[] = [];
  const users = new Set(config.users.map((user) => user.login));
  const teams = new Set(Object.keys(config.teams));
  const templates = new Set(Object.keys(config.templates));
  const fields = new Set<string>([...STANDARD_FIELDS, ...Object.keys(config.fields)]);
  const pipelines = new Map<string, PipelineSpec>([[LEAD_PIPELINE, config.leads], ...Object.entries(config.deals)]);
  const pipelinePath = (key: string): ConfigPath => (key === LEAD_PIPELINE ? ['leads'] : ['deals', key]);
  const contextPaths = new ContextPaths(config.fields);
  const conditionProblems = (condition: unknown, at: ConfigPath, kinds: ItemKind[]) =>
    validateCondition(condition, [], (variable) => contextPaths.variable(variable, { kinds, recipient: false })).map((problem) => ({ path: [...at, ...problem.path], message: problem.said }));

  if (config.deals[LEAD_PIPELINE]) problems.push({ path: ['deals'], key: LEAD_PIPELINE, message: say('reserved_pipeline', { name: LEAD_PIPELINE }) });

  config.users.forEach((user, index) => {
    if (user.team && !teams.has(user.team)) problems.push({ path: ['users', index, 'team'], message: unknown('team', user.team, teams) });
    if (user.manager && !users.has(user.manager)) problems.push({ path: ['users', index, 'manager'], message: unknown('user', user.manager, users) });
  });
  for (const login of duplicates(config.users.map((user) => user.login))) {
    const index = config.users.map((user) => user.login).lastIndexOf(login);
    problems.push({ path: ['users', index, 'login'], message: say('duplicate_login', { login }) });
  }
  for (const [teamId, team] of Object.entries(config.teams)) {
    team.members.forEach((login, index) => {
      if (!users.has(login)) problems.push({ path: ['teams', teamId, 'members', index], message: unknown('user', login, users) });
    });
    if (team.manager && !users.has(team.manager)) problems.push({ path: ['teams', teamId, 'manager'], message: unknown('user', team.manager, users) });
    if (team.when_nobody_on_duty === 'manager' && !team.manager) {
      problems.push({ path: ['teams', teamId, 'when_nobody_on_duty'], message: say('nobody_on_duty_needs_manager') });
    }
  }
  for (const [fieldId, field] of Object.entries(config.fields)) {
    if ((field.type === 'enum' || field.type === 'multi_select') && (!field.values || field.values.length === 0))
      problems.push({ path: ['fields', fieldId, 'type'], message: say('field_needs_values', { type: field.type }) });
    if (field.currency !== undefined && field.type !== 'money') problems.push({ path: ['fields', fieldId], key: 'currency', message: say('currency_money_only') });
    for (const value of Object.keys(field.labels ?? {})) {
      if (!field.values?.includes(value)) problems.push({ path: ['fields', fieldId, 'labels'], key: value, message: field.values?.length ? unknown('value', value, field.values) : say('labels_need_values') });
    }
    if ((STANDARD_FIELDS as readonly string[]).includes(fieldId)) problems.push({ path: ['fields'], key: fieldId, message: say('standard_field', { field: fieldId }) });
  }

  const robotIds = new Map<string, ConfigPath>();
  const triggerIds = new Set<string>();
  const forms = new Set(Object.keys(config.forms));
  const hooks = new Set(Object.keys(config.hooks));
  const leadStages = new Set(config.leads.stages.map((stage) => stage.id));
  for (const [formId, form] of Object.entries(config.forms)) {
    for (const [formField, itemField] of Object.entries(form.fields)) {
      if (!fields.has(itemField)) problems.push({ path: ['forms', formId, 'fields', formField], message: unknown('field', itemField, fields) });
    }
    if (form.stage && !leadStages.has(form.stage)) problems.push({ path: ['forms', formId, 'stage'], message: unknown('lead status', form.stage, leadStages) });
  }
  for (const [hookId, hook] of Object.entries(config.hooks)) {
    for (const [key, itemField] of Object.entries(hook.fields)) {
      if (!fields.has(itemField)) problems.push({ path: ['hooks', hookId, 'fields', key], message: unknown('field', itemField, fields) });
    }
  }
  config.scoring.rules.forEach((rule, index) => {
    // A scoring rule scores leads and deals alike: a variable that either has will do.
    if (rule.condition !== undefined) problems.push(...conditionProblems(rule.condition, ['scoring', 'rules', index, 'condition'], []));
  });
  for (const [pipelineKey, pipeline] of pipelines) {
    const base = pipelinePath(pipelineKey);
    const itemKind: ItemKind = pipelineKey === LEAD_PIPELINE ? 'lead' : 'deal';
    if (pipeline.team && !teams.has(pipeline.team)) problems.push({ path: [...base, 'team'], message: unknown('team', pipeline.team, teams) });
    const stageIds = pipeline.stages.map((stage) => stage.id);
    for (const id of duplicates(stageIds)) problems.push({ path: [...base, 'stages', stageIds.lastIndexOf(id), 'id'], message: say('duplicate_stage', { id }) });

    pipeline.stages.forEach((stage, stageIndex) => {
      const stagePath = [...base, 'stages', stageIndex];
      stage.required.forEach((field, index) => {
        if (!fields.has(field)) problems.push({ path: [...stagePath, 'required', index], message: unknown('field', field, fields) });
      });
      if (stage.semantic === 'lost' && (!stage.reasons || stage.reasons.length === 0)) {
        problems.push({ path: [...stagePath, 'semantic'], message: say('lost_needs_reasons') });
      }
      if (stage.semantic !== 'lost' && stage.reasons) problems.push({ path: [...stagePath], key: 'reasons', message: say('reasons_lost_only') });
      if (stage.team && !teams.has(stage.team)) problems.push({ path: [...stagePath, 'team'], message: unknown('team', stage.team, teams) });
      if (!stage.manual && stage.move_roles) problems.push({ path: [...stagePath], key: 'move_roles', message: say('move_roles_vs_manual') });
      if (stage.semantic !== 'won' && stage.reopen_roles) problems.push({ path: [...stagePath], key: 'reopen_roles', message: say('reopen_roles_won_only') });
      // A stage goal reads the item's context as a robot condition does.
      if (stage.stop_when !== undefined) problems.push(...conditionProblems(stage.stop_when, [...stagePath, 'stop_when'], [itemKind]));

      const stageRobotIds = new Set(stage.robots.map((robot) => robot.id));
      stage.robots.forEach((robot, robotIndex) => {
        const robotPath = [...stagePath, 'robots', robotIndex];
        const earlier = robotIds.get(robot.id);
        if (earlier) problems.push({ path: [...robotPath, 'id'], message: say('duplicate_robot', { id: robot.id }) });
        else robotIds.set(robot.id, robotPath);

        if (robot.after_robot !== undefined) {
          if (robot.after_robot === robot.id) problems.push({ path: [...robotPath, 'after_robot'], message: say('robot_waits_for_itself') });
          else if (!stageRobotIds.has(robot.after_robot)) {
            problems.push({ path: [...robotPath, 'after_robot'], message: { ...unknown('robot', robot.after_robot, stageRobotIds), code: 'unknown_robot_in_stage' } });
          }
        }
        if (robot.at !== undefined && typeof robot.at === 'object') {
          const dateFields = new Set(
            Object.entries(config.fields)
              .filter(([, field]) => field.type === 'date' || field.type === 'datetime')
              .map(([id]) => id),
          );
          const field = robot.at.field;
          if (!dateFields.has(field)) {
            problems.push({
              path: [...robotPath, 'at', 'field'],
              message: config.fields[field] ? say('timed_from_non_date', { field, type: config.fields[field].type }) : unknown('date field', field, dateFields),
            });
          }
          if (robot.after !== undefined) problems.push({ path: [...robotPath], key: 'after', message: say('after_with_at_field') });
        }
        if (robot.condition !== undefined) problems.push(...conditionProblems(robot.condition, [...robotPath, 'condition'], [itemKind]));
        for (const { key, rule } of robotConditions(robot)) problems.push(...conditionProblems(rule, [...robotPath, key], [itemKind]));
        for (const { key, source, recipient } of robotTexts(robot)) problems.push(...textProblems(contextPaths, source, [...robotPath, key], { kinds: [itemKind], recipient }));
        const definition = robotDefinitions.find((candidate) => candidate.type === robot.type);
        if (definition?.appliesTo && !definition.appliesTo.includes(itemKind)) {
          problems.push({ path: [...robotPath, 'type'], message: say('robot_wrong_kind', { type: robot.type, applies: [...definition.appliesTo], kind: itemKind }) });
        }
        const references: ConfigReference[] = definition?.references?.(robot as never) ?? [];
        for (const reference of references) {
          const path = [...robotPath, ...reference.path];
          switch (reference.kind) {
            case 'template':
              if (!templates.has(reference.value)) problems.push({ path, message: unknown('template', reference.value, templates) });
              break;
            case 'user':
              // A recipient is a keyword or a login: `manger` is closest to the keyword `manager`.
              if (!users.has(reference.value)) problems.push({ path, message: reference.keywords ? unknown('recipient', reference.value, [...reference.keywords, ...users]) : unknown('user', reference.value, users) });
              break;
            case 'team':
              if (!teams.has(reference.value)) problems.push({ path, message: unknown('team', reference.value, teams) });
              break;
            case 'field':
              if (!fields.has(reference.value)) problems.push({ path, message: unknown('field', reference.value, fields) });
              break;
            case 'pipeline':
              if (!config.deals[reference.value]) problems.push({ path, message: unknown('deal pipeline', reference.value, Object.keys(config.deals)) });
              break;
            case 'stage': {
              const target = reference.pipeline === 'same' ? pipelineKey : reference.pipeline;
              const stages = target === '*deal' ? Object.values(config.deals).flatMap((deal) => deal.stages) : (pipelines.get(target)?.stages ?? []);
              const found = stages.filter((candidate) => candidate.id === reference.value);
              if (found.length === 0) problems.push({ path, message: unknown('stage', reference.value, new Set(stages.map((candidate) => candidate.id))) });
              if (reference.reason) problems.push(...reasonProblems(found, reference.reason.value, path, [...robotPath, ...reference.reason.path], 'the move'));
              break;
            }
          }
        }
      });
      problems.push(...afterRobotCycles(stage.robots, stagePath));
      problems.push(...branchProblems(stage.robots, stagePath));

      stage.triggers.forEach((trigger, triggerIndex) => {
        const triggerPath = [...stagePath, 'triggers', triggerIndex];
        if (triggerIds.has(trigger.id)) problems.push({ path: [...triggerPath, 'id'], message: say('duplicate_trigger', { id: trigger.id }) });
        triggerIds.add(trigger.id);
        if (trigger.condition !== undefined) problems.push(...conditionProblems(trigger.condition, [...triggerPath, 'condition'], [itemKind]));
        // Without a reason a move into a lost stage is refused every time: the trigger could never fire.
        problems.push(...reasonProblems([stage], trigger.reason ?? null, triggerPath, [...triggerPath, 'reason'], 'a trigger into it'));
        const definition = triggerDefinitions.find((candidate) => candidate.type === trigger.type);
        for (const reference of definition?.references?.(trigger as never) ?? []) {
          const path = [...triggerPath, ...reference.path];
          if (reference.kind === 'form' && !forms.has(reference.value)) problems.push({ path, message: unknown('form', reference.value, forms) });
          if (reference.kind === 'hook' && !hooks.has(reference.value)) problems.push({ path, message: unknown('hook', reference.value, hooks) });
          if (reference.kind === 'field' && !fields.has(reference.value)) problems.push({ path, message: unknown('field', reference.value, fields) });
        }
      });
    });
  }
  return problems;
}

/**
 * A move into a lost stage gives one of that stage's reasons (who refused whom comes from it);
 * elsewhere one is optional. `at` is where the move is written, `reasonAt` its `reason:`.
 */
function reasonProblems(stages: Array<{ id: string; semantic: string; reasons?: Array<{ id: string }> }>, reason: string | null, at: ConfigPath, reasonAt: ConfigPath, what: string): ReferenceProblem[] {
  const lost = stages.filter((stage) => stage.semantic === 'lost');
  // Into an open stage a reason is free words the history keeps ("went cold: no_reply").
  const problems: ReferenceProblem[] = [];
  for (const stage of lost) {
    const known = (stage.reasons ?? []).map((candidate) => candidate.id);
    if (reason === null) problems.push({ path: at, message: say('lost_needs_reason', { stage: stage.id, what, known }) });
    else if (!known.includes(reason)) problems.push({ path: reasonAt, message: { code: 'no_such_reason', params: { ...unknown('reason', reason, known).params, stage: stage.id, reason } } });
  }
  return problems;
}

/** A robot's inline handlebars text: it must parse, and every path it reads must be in the context. */
function textProblems(contextPaths: ContextPaths, source: string, path: ConfigPath, reader: ContextReader): ReferenceProblem[] {
  const part = String(path[path.length - 1]);
  const checked = contextPaths.text(source, reader);
  if (!checked.ok) return [{ path, message: say('does_not_compile', { part, text: checked.error }) }];
  return checked.problems.map((problem) => ({ path, message: inTextSaid(problem, source, part) }));
}

/** A branch (or a split) names robots written after it in the same stage, each once, none with an `after_robot` of its own. */
function branchProblems(robots: Array<{ id: string; type: string; after_robot?: string; [key: string]: unknown }>, stagePath: ConfigPath): ReferenceProblem[] {
  const problems: ReferenceProblem[] = [];
  const position = new Map(robots.map((robot, index) => [robot.id, index]));
  const claimed = new Map<string, string>();
  robots.forEach((robot, index) => {
    const what = robot.type === 'split' ? 'split' : 'branch';
    for (const { ids, path: within } of chosenAmong(robot)) {
      const path = [...stagePath, 'robots', index, ...within];
      ids.forEach((id, idIndex) => {
        const at = position.get(id);
        const where = [...path, idIndex];
        if (at === undefined) problems.push({ path: where, message: unknown('robot of this stage', id, new Set(position.keys())) });
        else if (at <= index) problems.push({ path: where, message: say('block_robot_before', { id, what, robot: robot.id }) });
        else if (claimed.has(id)) problems.push({ path: where, message: say('block_robot_claimed', { id, owner: claimed.get(id) ?? '' }) });
        else if (robots[at]?.after_robot) problems.push({ path: where, message: say('block_robot_waits', { id, what }) });
        claimed.set(id, robot.id);
      });
    }
  });
  return problems;
}

function afterRobotCycles(robots: Array<{ id: string; after_robot?: string }>, stagePath: ConfigPath): ReferenceProblem[] {
  const waitsFor = new Map(robots.filter((robot) => robot.after_robot).map((robot) => [robot.id, robot.after_robot as string]));
  const problems: ReferenceProblem[] = [];
  robots.forEach((robot, index) => {
    const seen = new Set<string>([robot.id]);
    let next = waitsFor.get(robot.id);
    while (next !== undefined) {
      if (seen.has(next)) {
        if (next === robot.id) problems.push({ path: [...stagePath, 'robots', index, 'after_robot'], message: say('after_robot_cycle', { id: robot.id }) });
        break;
      }
      seen.add(next);
      next = waitsFor.get(next);
    }
  });
  return problems;
}
