import type { TriggerDefinition } from './define';

/** The list of trigger types; adding one is its file plus one line here. */
export const triggerDefinitions: TriggerDefinition[] = [];
