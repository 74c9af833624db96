import { z } from 'zod';
import { say, zodText } from '../config/messages';
import { Identifier } from '../config/primitives';
import { chooseVariant } from '../server/core/variants';
import { defineRobot } from './contract';

/**
 * An A/B test, shaped like a `branch`: each variant names robots written after it in the stage,
 * and an item runs the robots of one variant only (the others are cancelled, "not chosen"). The
 * variant is a hash of the item and this robot's id, weighted, and kept on the item, so the same
 * item never switches, a re-entry gets the same texts, and analytics can count by variant.
 */
export const split = defineRobot({
  type: 'split',
  description: 'A/B split: run the robots of one variant per item, chosen by weight and kept for the item; the other variants’ robots are cancelled',
  params: z.object({
    variants: z
      .record(
        Identifier,
        z.strictObject({
          weight: z.number().int().positive().describe('Share of items, relative to the other variants’ weights (50 and 50: half each)'),
          robots: z.array(Identifier).default([]).describe('ids of robots written after this one in the stage; none: the control group'),
        }),
      )
      .refine((variants) => Object.keys(variants).length >= 2, { error: zodText(say('split_two_variants')) })
      .describe('variant id → {weight, robots}'),
  }),
  async run({ params, item, ports, run }) {
    const weights = Object.entries(params.variants).map(([variant, spec]) => [variant, spec.weight] as const);
    const ref = { kind: item.kind, id: item.row.id };
    const variant = await ports.keepVariant(ref, run.robotId, chooseVariant(ref, run.robotId, weights));
    // A variant removed from the config since the item got it: its robots are gone, so none run.
    const robots = params.variants[variant]?.robots ?? [];
    return { outcome: 'done', detail: `variant ${variant} (${robots.join(', ') || 'no robots'})`, release: robots, reason: { code: 'done.variant_chosen', params: { variant, robots } } };
  },
});
