import type { z } from 'zod';
import type { RobotBase } from '../../config/schema';
import type { RobotRunRow } from '../db/entities';
import type { Engine } from './engine';
import type { Item } from './items';
import type { EvaluationContext } from './context';

/** What a robot's `run` receives: its params as written, the item as it is now, and the engine. */
export interface RobotRunContext<Params> {
  params: Params & z.output<typeof RobotBase> & { type: string };
  run: RobotRunRow;
  item: Item;
  /** The documented condition/template context, built at run time. */
  context: EvaluationContext;
  engine: Engine;
  now: number;
}
