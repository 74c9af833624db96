import { z } from 'zod';
import { robotDefinitions } from '../robots';
import { triggerDefinitions } from '../triggers';
import { unknownNameOf } from './did-you-mean';
import { say, zodText } from './messages';
import { RobotBase, TriggerBase, configSchemaWith, type RobotSpecOutput, type TriggerSpecOutput } from './schema';

/** robots.yaml's schema with every registered robot and trigger type: what a file is checked against. */

function robotSchemaFor(definition: (typeof robotDefinitions)[number]) {
  const schema = RobotBase.extend({ type: z.literal(definition.type).describe(definition.description) })
    .extend(definition.params.shape)
    .strict()
    .describe(definition.description);
  // `.extend` keeps the params' keys but not the rules across them (assign: `user` or `team`): carried over.
  const acrossKeys = (definition.params._zod.def.checks ?? []) as z.core.$ZodCheck<Record<string, unknown>>[];
  return acrossKeys.length > 0 ? schema.check(...acrossKeys) : schema;
}

const robotTypes = robotDefinitions.map((definition) => definition.type);
type RobotSchemas = [ReturnType<typeof robotSchemaFor>, ...ReturnType<typeof robotSchemaFor>[]];

/** `unknown robot type "notfy" (did you mean "notify"?)`, or every type when nothing is close. */
function unknownType(kind: string, input: unknown, known: string[]): string {
  const written = input && typeof input === 'object' ? (input as { type?: unknown }).type : undefined;
  if (typeof written !== 'string') return zodText(say('needs_type', { kind, known }));
  return zodText(unknownNameOf(kind, written, known, known.length));
}

export const RobotSpec = z.discriminatedUnion('type', robotDefinitions.map(robotSchemaFor) as unknown as RobotSchemas, {
  error: (issue) => (issue.code === 'invalid_union' ? unknownType('robot type', issue.input, robotTypes) : undefined),
}) as unknown as z.ZodType<RobotSpecOutput, unknown>;

function triggerSchemaFor(definition: (typeof triggerDefinitions)[number]) {
  return TriggerBase.extend({ type: z.literal(definition.type).describe(definition.description) })
    .extend(definition.params.shape)
    .strict();
}

const triggerTypes = triggerDefinitions.map((definition) => definition.type);
export const TriggerSpec = z.discriminatedUnion('type', triggerDefinitions.map(triggerSchemaFor) as unknown as [ReturnType<typeof triggerSchemaFor>, ...ReturnType<typeof triggerSchemaFor>[]], {
  error: (issue) => (issue.code === 'invalid_union' ? unknownType('trigger type', issue.input, triggerTypes) : undefined),
}) as unknown as z.ZodType<TriggerSpecOutput, unknown>;

export const { ConfigSchema, Stage, Pipeline } = configSchemaWith(RobotSpec, TriggerSpec);

export function configJsonSchema(): unknown {
  return z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' });
}
