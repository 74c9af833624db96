import type Handlebars from 'handlebars';
import { z } from 'zod';
import type { EventType } from '../../config/event-types';
import type { Config, PipelineSpec, RobotSpec, StageSpec, TeamSpec, TemplateSpec, TriggerSpec, UserSpec } from '../../config/schema';

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
  /** A touch to the client: its pending runs stop when the client replies (unless `stop_on_reply: false`). */
  touch: boolean;
  /** Whom it alerts, gives a task or calls, as written (`responsible`, `manager`, `team` or logins): they must be able to open the item. */
  recipients: string[];
  /** The templates it sends (`template:`), so a plan can say which pending runs send a changed text. */
  templates: string[];
}

export interface TriggerPlacement {
  trigger: TriggerSpec;
  listensTo: string;
  pipeline: string;
  stage: string;
  stageIndex: number;
  /** The trigger type's own test of an event (true, or why not), bound to this trigger's params. */
  matches(event: TriggerEvent): true | string;
  /** A trigger that exists to move items back (score_dropped): the furthest back wins. */
  movesBack: boolean;
}

/** An inbound event as triggers see it: its type and what the source said. */
export interface TriggerEvent {
  type: EventType;
  payload: Record<string, unknown>;
}

export interface CompiledTemplate {
  id: string;
  spec: TemplateSpec;
  /** The words as read (a `file:` template's file included): what a plan compares. */
  source: { text: string; subject?: string; html?: string };
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

/**
 * The team that works a stage: the stage's own `team:`, else its pipeline's. It is the team whose
 * manager `to: [manager]` reaches for an unassigned item there, who gets a task nobody else would,
 * and whose people see the stage's items (server/auth/access.ts).
 */
export function teamOfStage(config: CompiledConfig, pipeline: string, stage: string): string | undefined {
  return stageOf(config, pipeline, stage)?.team ?? teamOfPipeline(config, pipeline);
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
