import { z } from 'zod';

/** A trigger type: one file, its params and how it matches an inbound event (issue on triggers). */
export interface TriggerDefinition<Params extends z.ZodObject = z.ZodObject> {
  type: string;
  description: string;
  params: Params;
}

export function defineTrigger<Params extends z.ZodObject>(definition: TriggerDefinition<Params>): TriggerDefinition<Params> {
  return definition;
}
