import { z } from 'zod';
import { Identifier, JsonLogic } from '../config/primitives';
import { evaluateCondition } from '../server/core/conditions';
import { defineRobot } from './contract';

/**
 * Bitrix24's condition block, HubSpot's if/then branch: the first block whose condition holds
 * runs its robots, the others' are cancelled ("not chosen"). The blocks name robots written
 * after it in the same stage, so the stage stays one flat list in the order things happen and
 * every robot keeps its own id on the timeline.
 */
export const branch = defineRobot({
  type: 'branch',
  description: 'Run the robots of the first block whose condition holds (else the `else` robots); the robots of the other blocks are cancelled',
  params: z.object({
    when: z
      .array(z.strictObject({ condition: JsonLogic.describe('json-logic on the item context'), robots: z.array(Identifier).min(1).describe('ids of robots written after this one in the stage') }))
      .min(1)
      .describe('Blocks, looked at in order: the first whose condition holds wins'),
    else: z.array(Identifier).default([]).describe('Robots to run when no block matches'),
  }),
  async run({ params, context }) {
    const chosen = params.when.findIndex((block) => evaluateCondition(block.condition, context));
    if (chosen === -1) {
      return {
        outcome: 'done',
        detail: params.else.length ? `no block matched: else (${params.else.join(', ')})` : 'no block matched',
        release: params.else,
        reason: { code: 'done.branch_chosen', params: { block: null, robots: params.else } },
      };
    }
    const robots = params.when[chosen]?.robots ?? [];
    return { outcome: 'done', detail: `block ${chosen + 1} matched (${robots.join(', ')})`, release: robots, reason: { code: 'done.branch_chosen', params: { block: chosen + 1, robots } } };
  },
});
