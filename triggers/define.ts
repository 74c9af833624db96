import type { z } from 'zod';
import type { EventType } from '../config/event-types';
import type { ConfigReference } from '../config/schema';
import type { TriggerEvent } from '../server/core/compiled-config';

export type { TriggerEvent };

/**
 * A trigger type (one file each, like robots): the event type it listens to — the index key,
 * so matching never scans every rule — its params, and a pure `matches`.
 */
export interface TriggerDefinition<Params extends z.ZodObject = z.ZodObject> {
  type: string;
  description: string;
  /** The event type this trigger is indexed under. */
  listensTo: EventType;
  /** A trigger that exists to move items back (score_dropped): no `allow_backwards` needed, the furthest back wins. */
  movesBack?: boolean;
  params: Params;
  /** true, or why not (shown on the event when no trigger fired). */
  matches(params: z.output<Params>, event: TriggerEvent): true | string;
  references?: (params: z.output<Params>) => ConfigReference[];
}

export function defineTrigger<Params extends z.ZodObject>(definition: TriggerDefinition<Params>): TriggerDefinition<Params> {
  return definition;
}

/** A list filter: empty or absent means "any". */
export function oneOf(allowed: readonly string[] | undefined, value: unknown, what: string): true | string {
  if (!allowed || allowed.length === 0) return true;
  return allowed.includes(String(value)) ? true : `${what} "${String(value)}" is not one of ${allowed.join(', ')}`;
}
