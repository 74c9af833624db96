import { robotDefinitions } from '../robots';
import { triggerDefinitions } from '../triggers';
import type { RegisteredTypes } from './compile';

const robots = new Map(robotDefinitions.map((definition) => [definition.type, definition]));
const triggers = new Map(triggerDefinitions.map((definition) => [definition.type, definition]));

/** The registered robot and trigger types, as compiling a config needs them. */
export const registeredTypes: RegisteredTypes = {
  isTouch: (robotType) => robots.get(robotType)?.touch === true,
  recipients: (robot) => robots.get(robot.type)?.recipients?.(robot as never) ?? [],
  templates: (robot) => (robots.get(robot.type)?.references?.(robot as never) ?? []).flatMap((reference) => (reference.kind === 'template' ? [reference.value] : [])),
  trigger: (triggerType) => {
    const definition = triggers.get(triggerType);
    return definition && { listensTo: definition.listensTo, movesBack: definition.movesBack === true, matches: (params, event) => definition.matches(params, event) };
  },
};
