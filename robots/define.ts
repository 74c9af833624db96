import { z } from 'zod';
import type { RobotRunContext } from '../server/engine/ports';

/** What a robot's config refers to, so the loader can check it before anything runs. */
export type ConfigReference =
  | { kind: 'stage'; pipeline: string | 'same'; value: string; path: Array<string | number> }
  | { kind: 'pipeline'; value: string; path: Array<string | number> }
  | { kind: 'template'; value: string; path: Array<string | number> }
  | { kind: 'user'; value: string; path: Array<string | number> }
  | { kind: 'team'; value: string; path: Array<string | number> }
  | { kind: 'field'; value: string; path: Array<string | number> }
  | { kind: 'form'; value: string; path: Array<string | number> }
  | { kind: 'hook'; value: string; path: Array<string | number> };

export interface RobotOutcome {
  /** `cancelled`: it gave up, and the robots waiting for it are cancelled too. */
  outcome: 'done' | 'skipped' | 'cancelled';
  /** Of the robots waiting for this one, only these run; the others are cancelled (a branch). */
  release?: string[];
  detail?: string;
}

export interface RobotDefinition<Params extends z.ZodObject = z.ZodObject> {
  /** The `type:` users write in YAML. */
  type: string;
  /** One line for the docs and the editor's hover. */
  description: string;
  /** The robot's own keys, written flat beside `id`, `type`, `after` … in YAML. */
  params: Params;
  /** Which item kinds it makes sense on. */
  appliesTo?: Array<'lead' | 'deal'>;
  /** A touch to the client: its pending runs stop when the client replies (unless `stop_on_reply: false`). */
  touch?: boolean;
  references?: (params: z.output<Params>) => ConfigReference[];
  run(context: RobotRunContext<z.output<Params>>): Promise<RobotOutcome>;
}

export function defineRobot<Params extends z.ZodObject>(definition: RobotDefinition<Params>): RobotDefinition<Params> {
  return definition;
}
