import type { Config, PipelineSpec, RobotSpec } from './schema';
import { compileTemplate } from '../server/core/template-helpers';
import { escalationLevels, LEAD_PIPELINE, type CompiledConfig, type CompiledTemplate, type PipelineModel, type RobotPlacement, type TriggerEvent, type TriggerPlacement } from '../server/core/compiled-config';

/** What compiling needs to know of the registered robot and trigger types, passed in by the loader. */
export interface RegisteredTypes {
  /** Whether a robot type touches the client (its runs stop when the client replies). */
  isTouch(robotType: string): boolean;
  /** Whom a robot alerts, gives a task or calls, as written. */
  recipients(robot: RobotSpec): string[];
  /** The templates a robot names. */
  templates(robot: RobotSpec): string[];
  trigger(triggerType: string): { listensTo: string; movesBack: boolean; matches(params: never, event: TriggerEvent): true | string } | undefined;
}

function pipelineModel(key: string, kind: 'lead' | 'deal', spec: PipelineSpec): PipelineModel {
  // A notify robot's `escalate:` levels are robots of its stage, written after the stage's own.
  const stages = spec.stages.map((stage) => {
    const levels = stage.robots.flatMap(escalationLevels);
    return levels.length === 0 ? stage : { ...stage, robots: [...stage.robots, ...levels] };
  });
  return { key, kind, name: spec.name ?? key, team: spec.team, stages, spec };
}

export function compileConfig(config: Config, file: string, templateSources: Map<string, { text: string; subject?: string; html?: string }>, loadedAt: number, types: RegisteredTypes): CompiledConfig {
  const leads = pipelineModel(LEAD_PIPELINE, 'lead', config.leads);
  const deals = new Map(Object.entries(config.deals).map(([key, spec]) => [key, pipelineModel(key, 'deal', spec)]));
  const robots = new Map<string, RobotPlacement>();
  for (const pipeline of [leads, ...deals.values()]) {
    for (const stage of pipeline.stages) {
      stage.robots.forEach((robot, position) =>
        robots.set(robot.id, { robot, pipeline: pipeline.key, stage: stage.id, position, touch: types.isTouch(robot.type), recipients: types.recipients(robot), templates: types.templates(robot) }),
      );
    }
  }
  const triggers = new Map<string, Map<string, TriggerPlacement[]>>();
  for (const pipeline of [leads, ...deals.values()]) {
    pipeline.stages.forEach((stage, stageIndex) => {
      for (const trigger of stage.triggers) {
        const definition = types.trigger(trigger.type);
        const eventType = definition?.listensTo ?? trigger.type;
        const matches = (event: TriggerEvent) => (definition ? definition.matches(trigger as never, event) : `unknown trigger type ${trigger.type}`);
        const byPipeline = triggers.get(eventType) ?? new Map<string, TriggerPlacement[]>();
        triggers.set(eventType, byPipeline);
        byPipeline.set(pipeline.key, [...(byPipeline.get(pipeline.key) ?? []), { trigger, listensTo: eventType, pipeline: pipeline.key, stage: stage.id, stageIndex, matches, movesBack: definition?.movesBack === true }]);
      }
    });
  }
  const templates = new Map<string, CompiledTemplate>();
  for (const [id, spec] of Object.entries(config.templates)) {
    const source = templateSources.get(id) ?? { text: spec.text ?? '', subject: spec.subject, html: spec.html };
    templates.set(id, {
      id,
      spec,
      source,
      subject: source.subject !== undefined ? compileTemplate(source.subject) : undefined,
      text: compileTemplate(source.text),
      html: source.html !== undefined ? compileTemplate(source.html, 'html') : undefined,
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
