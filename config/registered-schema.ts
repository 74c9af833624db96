import { z } from 'zod';
import { robotDefinitions } from '../robots';
import { triggerDefinitions } from '../triggers';
import { RobotBase, TriggerBase, configSchemaWith, type RobotSpecOutput, type TriggerSpecOutput } from './schema';

/** robots.yaml's schema with every registered robot and trigger type: what a file is checked against. */

function robotSchemaFor(definition: (typeof robotDefinitions)[number]) {
  return RobotBase.extend({ type: z.literal(definition.type).describe(definition.description) })
    .extend(definition.params.shape)
    .strict()
    .describe(definition.description);
}

const robotTypes = robotDefinitions.map((definition) => definition.type);
type RobotSchemas = [ReturnType<typeof robotSchemaFor>, ...ReturnType<typeof robotSchemaFor>[]];

export const RobotSpec = z.discriminatedUnion('type', robotDefinitions.map(robotSchemaFor) as unknown as RobotSchemas, {
  error: (issue) => (issue.code === 'invalid_union' ? `unknown robot type; known: ${robotTypes.join(', ')}` : undefined),
}) as unknown as z.ZodType<RobotSpecOutput, unknown>;

function triggerSchemaFor(definition: (typeof triggerDefinitions)[number]) {
  return TriggerBase.extend({ type: z.literal(definition.type).describe(definition.description) })
    .extend(definition.params.shape)
    .strict();
}

const triggerTypes = triggerDefinitions.map((definition) => definition.type);
export const TriggerSpec = z.discriminatedUnion('type', triggerDefinitions.map(triggerSchemaFor) as unknown as [ReturnType<typeof triggerSchemaFor>, ...ReturnType<typeof triggerSchemaFor>[]], {
  error: (issue) => (issue.code === 'invalid_union' ? `unknown trigger type; known: ${triggerTypes.join(', ')}` : undefined),
}) as unknown as z.ZodType<TriggerSpecOutput, unknown>;

export const { ConfigSchema, Stage, Pipeline } = configSchemaWith(RobotSpec, TriggerSpec);

export function configJsonSchema(): unknown {
  return z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' });
}
