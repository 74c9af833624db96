import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { CompiledConfig, PipelineModel } from '../core/compiled-config';
import type { RobotSpec } from '../../config/schema';

/**
 * The studio's automation map (GET /api/automation): every pipeline as its stages, each with
 * its robots in order and the triggers that move items into it, and where each robot is written
 * in the file. Pure: the compiled config and the file's text in, the map out; the web app puts
 * it into words in the reader's language.
 */

export interface MapRobot {
  id: string;
  type: string;
  title: string | null;
  after: string | null;
  /** A time of day, or a moment relative to a date field of the item. */
  at: string | { field: string; offset: string } | null;
  working_hours: boolean;
  after_robot: string | null;
  condition: unknown;
  stop_on_reply: boolean | null;
  skip_if_late: string | null;
  /** The robot's own keys (template, to, channel, …), as written. */
  params: Record<string, unknown>;
  /** A branch robot's blocks: the robots each block runs. */
  branch: { when: Array<{ condition: unknown; robots: string[] }>; else: string[] } | null;
  /** An A/B split's variants: each one's share of items and the robots it runs. */
  split: Array<{ variant: string; weight: number; robots: string[] }> | null;
  /** A notify robot's escalation ladder. */
  escalate: Array<{ after: string; to: string[] }>;
  /** Where the robot is written: first and last line, 1-based. */
  lines: { from: number; to: number } | null;
}

export interface MapTrigger {
  id: string;
  type: string;
  /** The event type it listens to. */
  event: string;
  condition: unknown;
  allow_backwards: boolean;
  params: Record<string, unknown>;
  lines: { from: number; to: number } | null;
}

export interface MapStage {
  id: string;
  name: string;
  semantic: string;
  stop_when: unknown;
  robots: MapRobot[];
  triggers: MapTrigger[];
}

export interface AutomationMap {
  pipelines: Array<{ key: string; kind: 'lead' | 'deal'; name: string; stages: MapStage[] }>;
  robots: number;
  triggers: number;
  /** The config's time zone (`timezone:`): times of day on the map and in the history are its. */
  timezone: string;
}

const SHARED_ROBOT_KEYS = new Set(['id', 'type', 'title', 'after', 'at', 'working_hours', 'after_robot', 'condition', 'stop_on_reply', 'skip_if_late']);
const SHARED_TRIGGER_KEYS = new Set(['id', 'type', 'condition', 'allow_backwards']);

function rest(spec: Record<string, unknown>, shared: Set<string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(spec).filter(([key, value]) => !shared.has(key) && value !== undefined));
}

/** Lines of the node at `path` in the file, when the file has it there. */
function linesOf(document: ReturnType<typeof parseDocument>, counter: LineCounter, path: Array<string | number>): { from: number; to: number } | null {
  let node: unknown = document.contents;
  for (const step of path) {
    if (isMap(node)) node = node.get(step, true);
    else if (isSeq(node) && typeof step === 'number') node = node.items[step];
    else return null;
  }
  const range = (node as Node | undefined)?.range;
  if (!range) return null;
  const from = counter.linePos(range[0]).line;
  // The end of a block node is the start of the next line: the last line is the one before.
  const end = counter.linePos(Math.max(range[0], range[1] - 1)).line;
  return { from, to: Math.max(from, end) };
}

function branchOf(robot: RobotSpec): MapRobot['branch'] {
  if (robot.type !== 'branch') return null;
  const when = Array.isArray(robot.when) ? (robot.when as Array<{ condition: unknown; robots: string[] }>) : [];
  return { when: when.map((block) => ({ condition: block.condition, robots: [...block.robots] })), else: Array.isArray(robot.else) ? (robot.else as string[]) : [] };
}

function splitOf(robot: RobotSpec): MapRobot['split'] {
  if (robot.type !== 'split' || !robot.variants || typeof robot.variants !== 'object') return null;
  return Object.entries(robot.variants as Record<string, { weight: number; robots?: string[] }>).map(([variant, spec]) => ({ variant, weight: spec.weight, robots: [...(spec.robots ?? [])] }));
}

function escalateOf(robot: RobotSpec): MapRobot['escalate'] {
  return Array.isArray(robot.escalate) ? (robot.escalate as Array<{ after: string; to: string[] }>).map((level) => ({ after: level.after, to: [...level.to] })) : [];
}

export function automationMap(config: CompiledConfig, text: string): AutomationMap {
  const counter = new LineCounter();
  const document = parseDocument(text, { lineCounter: counter, uniqueKeys: false });
  const listensTo = new Map<string, string>();
  for (const byPipeline of config.triggers.values()) for (const placements of byPipeline.values()) for (const placement of placements) listensTo.set(`${placement.pipeline}/${placement.trigger.id}`, placement.listensTo);
  const pipelineMap = (pipeline: PipelineModel, base: Array<string | number>) => ({
    key: pipeline.key,
    kind: pipeline.kind,
    name: pipeline.name,
    stages: pipeline.stages.map((stage, stageIndex): MapStage => {
      const at = [...base, 'stages', stageIndex];
      return {
        id: stage.id,
        name: stage.name ?? stage.id,
        semantic: stage.semantic,
        stop_when: stage.stop_when ?? null,
        robots: stage.robots.map((robot, index) => ({
          id: robot.id,
          type: robot.type,
          title: robot.title ?? null,
          after: robot.after ?? null,
          at: robot.at ?? null,
          working_hours: robot.working_hours === true,
          after_robot: robot.after_robot ?? null,
          condition: robot.condition ?? null,
          stop_on_reply: robot.stop_on_reply ?? null,
          skip_if_late: robot.skip_if_late ?? null,
          params: rest(robot, SHARED_ROBOT_KEYS),
          branch: branchOf(robot),
          split: splitOf(robot),
          escalate: escalateOf(robot),
          lines: linesOf(document, counter, [...at, 'robots', index]),
        })),
        triggers: stage.triggers.map((trigger, index) => ({
          id: trigger.id,
          type: trigger.type,
          event: listensTo.get(`${pipeline.key}/${trigger.id}`) ?? trigger.type,
          condition: trigger.condition ?? null,
          allow_backwards: trigger.allow_backwards,
          params: rest(trigger, SHARED_TRIGGER_KEYS),
          lines: linesOf(document, counter, [...at, 'triggers', index]),
        })),
      };
    }),
  });
  const pipelines = [pipelineMap(config.leads, ['leads']), ...[...config.deals.values()].map((pipeline) => pipelineMap(pipeline, ['deals', pipeline.key]))];
  const stages = pipelines.flatMap((pipeline) => pipeline.stages);
  return {
    pipelines,
    robots: stages.reduce((sum, stage) => sum + stage.robots.length, 0),
    triggers: stages.reduce((sum, stage) => sum + stage.triggers.length, 0),
    timezone: config.source.timezone,
  };
}
