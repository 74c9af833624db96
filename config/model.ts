import Handlebars from 'handlebars';
import { z } from 'zod';
import type { Config, PipelineSpec, RobotSpec, StageSpec, TeamSpec, TemplateSpec, TriggerSpec, UserSpec } from './schema';

export const LEAD_PIPELINE = 'leads';

export interface PipelineModel {
  key: string;
  kind: 'lead' | 'deal';
  name: string;
  team?: string;
  stages: StageSpec[];
  spec: PipelineSpec;
}

export interface RobotPlacement {
  robot: RobotSpec;
  pipeline: string;
  stage: string;
  position: number;
}

export interface TriggerPlacement {
  trigger: TriggerSpec;
  listensTo: string;
  pipeline: string;
  stage: string;
  stageIndex: number;
}

export interface CompiledTemplate {
  id: string;
  spec: TemplateSpec;
  subject?: Handlebars.TemplateDelegate;
  text: Handlebars.TemplateDelegate;
  html?: Handlebars.TemplateDelegate;
}

/** The validated config plus the indexes the engine looks things up by. Immutable once built. */
export interface CompiledConfig {
  source: Config;
  file: string;
  loadedAt: number;
  leads: PipelineModel;
  deals: Map<string, PipelineModel>;
  robots: Map<string, RobotPlacement>;
  users: Map<string, UserSpec>;
  teams: Map<string, TeamSpec>;
  templates: Map<string, CompiledTemplate>;
  /** Triggers by the event type they listen to, then by pipeline: matching never scans every rule. */
  triggers: Map<string, Map<string, TriggerPlacement[]>>;
  /**
   * Whether any condition, rule or template mentions `touches_sent` / `replies_received`:
   * when none does, a robot run need not count the item's messages (one query less a run).
   */
  readsTouchCounts: boolean;
}

export function triggersFor(config: CompiledConfig, eventType: string, pipeline: string): TriggerPlacement[] {
  return config.triggers.get(eventType)?.get(pipeline) ?? [];
}

export function pipelineOf(config: CompiledConfig, key: string): PipelineModel | undefined {
  return key === LEAD_PIPELINE ? config.leads : config.deals.get(key);
}

export function stageOf(config: CompiledConfig, pipeline: string, stage: string): StageSpec | undefined {
  return pipelineOf(config, pipeline)?.stages.find((candidate) => candidate.id === stage);
}

export function stageIndex(config: CompiledConfig, pipeline: string, stage: string): number {
  return pipelineOf(config, pipeline)?.stages.findIndex((candidate) => candidate.id === stage) ?? -1;
}

/** The team whose members are responsible in a pipeline, and who sees its deals. */
export function teamOfPipeline(config: CompiledConfig, pipeline: string): string | undefined {
  return pipelineOf(config, pipeline)?.team;
}

/** Members of a team: its `members:` list when written, else the users who name the team. */
export function teamMembers(config: CompiledConfig, team: string): string[] {
  const listed = config.teams.get(team)?.members ?? [];
  if (listed.length > 0) return listed;
  return [...config.users.values()].filter((user) => user.team === team).map((user) => user.login);
}

export function managerOf(config: CompiledConfig, login: string): string | undefined {
  const user = config.users.get(login);
  if (!user) return undefined;
  if (user.manager) return user.manager;
  const team = user.team ? config.teams.get(user.team) : undefined;
  return team?.manager && team.manager !== login ? team.manager : undefined;
}

/** `escalate:` as robots/notify.ts validated it; read here only to lay the levels out. */
const EscalationLevels = z.array(z.object({ after: z.string(), to: z.array(z.string()) }));
const LEVEL_ID = /^([a-z][a-z0-9_]*)\.escalate_(\d+)$/;

/** The robot id of escalation level `level` (1-based) of robot `of`; the dot keeps it apart from every id users can write. */
export function escalationLevelId(of: string, level: number): string {
  return `${of}.escalate_${level}`;
}

export function escalationLevelOf(robotId: string): { of: string; level: number } | null {
  const [, of, level] = LEVEL_ID.exec(robotId) ?? [];
  return of !== undefined && level !== undefined ? { of, level: Number(level) } : null;
}

/**
 * A notify robot's `escalate:` levels as robots of its stage, appended after the stage's own
 * (their positions unchanged). Each waits for the robot (`after_robot`) plus its own `after`.
 * Why this and not new queue code: the levels are then written with the stage entry like any
 * robot, each under an id of its own, so the queue's unique (entry_id, robot_id) index keeps
 * every level "never twice"; followers are released when the alert finishes and a move on
 * cancels them all, with the queue, the runner and the move transaction unchanged. A level
 * checks the robot's condition itself (robots/notify.ts) rather than carrying it as its own
 * `condition`, which would only skip it: a taken item shows the level as `cancelled`.
 */
export function escalationLevels(robot: RobotSpec): RobotSpec[] {
  if (robot.type !== 'notify') return [];
  const parsed = EscalationLevels.safeParse(robot.escalate ?? []);
  if (!parsed.success) return [];
  return parsed.data.map((level, index) => ({
    ...robot,
    id: escalationLevelId(robot.id, index + 1),
    title: `${robot.title ?? robot.id}: escalation ${index + 1} (after ${level.after})`,
    after: level.after,
    at: undefined,
    after_robot: robot.id,
    condition: undefined,
    to: level.to,
    escalate: [],
  }));
}

function pipelineModel(key: string, kind: 'lead' | 'deal', spec: PipelineSpec): PipelineModel {
  // A notify robot's `escalate:` levels are robots of its stage, written after the stage's own.
  const stages = spec.stages.map((stage) => {
    const levels = stage.robots.flatMap(escalationLevels);
    return levels.length === 0 ? stage : { ...stage, robots: [...stage.robots, ...levels] };
  });
  return { key, kind, name: spec.name ?? key, team: spec.team, stages, spec };
}

export function compileConfig(
  config: Config,
  file: string,
  templateSources: Map<string, { text: string; subject?: string; html?: string }>,
  loadedAt: number,
  listensTo: (triggerType: string) => string = (type) => type,
): CompiledConfig {
  const leads = pipelineModel(LEAD_PIPELINE, 'lead', config.leads);
  const deals = new Map(Object.entries(config.deals).map(([key, spec]) => [key, pipelineModel(key, 'deal', spec)]));
  const robots = new Map<string, RobotPlacement>();
  for (const pipeline of [leads, ...deals.values()]) {
    for (const stage of pipeline.stages) {
      stage.robots.forEach((robot, position) => robots.set(robot.id, { robot, pipeline: pipeline.key, stage: stage.id, position }));
    }
  }
  const triggers = new Map<string, Map<string, TriggerPlacement[]>>();
  for (const pipeline of [leads, ...deals.values()]) {
    pipeline.stages.forEach((stage, stageIndex) => {
      for (const trigger of stage.triggers) {
        const eventType = listensTo(trigger.type);
        const byPipeline = triggers.get(eventType) ?? new Map<string, TriggerPlacement[]>();
        triggers.set(eventType, byPipeline);
        byPipeline.set(pipeline.key, [...(byPipeline.get(pipeline.key) ?? []), { trigger, listensTo: eventType, pipeline: pipeline.key, stage: stage.id, stageIndex }]);
      }
    });
  }
  const templates = new Map<string, CompiledTemplate>();
  for (const [id, spec] of Object.entries(config.templates)) {
    const source = templateSources.get(id) ?? { text: spec.text ?? '', subject: spec.subject, html: spec.html };
    templates.set(id, {
      id,
      spec,
      subject: source.subject !== undefined ? Handlebars.compile(source.subject, { noEscape: true }) : undefined,
      text: Handlebars.compile(source.text, { noEscape: true }),
      html: source.html !== undefined ? Handlebars.compile(source.html) : undefined,
    });
  }
  return {
    source: config,
    file,
    loadedAt,
    leads,
    deals,
    robots,
    users: new Map(config.users.map((user) => [user.login, user])),
    teams: new Map(Object.entries(config.teams)),
    templates,
    triggers,
    readsTouchCounts: [JSON.stringify(config), ...[...templateSources.values()].map((source) => JSON.stringify(source))].some((text) => /touches_sent|replies_received/.test(text)),
  };
}
