import jsonLogic from 'json-logic-js';

/** Standard json-logic operators: anything else in a condition is a typo we report at load time. */
const KNOWN_OPERATORS = new Set([
  '==', '===', '!=', '!==', '>', '>=', '<', '<=', '!', '!!', 'or', 'and', '?:', 'if', 'in', 'cat', 'substr',
  '+', '-', '*', '/', '%', 'min', 'max', 'merge', 'var', 'missing', 'missing_some', 'map', 'filter', 'reduce',
  'all', 'none', 'some',
]);

/** The roots a condition may read; documented in the README's "Condition and template context". */
export const CONTEXT_ROOTS = new Set([
  'item', 'lead', 'deal', 'fields', 'contact', 'company', 'responsible', 'stage', 'minutes_in_stage',
  'touches_sent', 'replies_received', 'repeat_client', 'score', 'source', 'now', 'event', 'links',
]);

export interface LogicProblem {
  /** Path inside the condition, e.g. ['and', 0, '==']. */
  path: Array<string | number>;
  message: string;
}

export function validateCondition(rule: unknown, path: Array<string | number> = []): LogicProblem[] {
  if (Array.isArray(rule)) return rule.flatMap((part, index) => validateCondition(part, [...path, index]));
  if (rule === null || typeof rule !== 'object') return [];
  const keys = Object.keys(rule);
  if (keys.length !== 1) {
    return [{ path, message: `a json-logic rule has exactly one operator, found ${keys.length} (${keys.join(', ') || 'none'})` }];
  }
  const operator = keys[0];
  const argument = (rule as Record<string, unknown>)[operator];
  if (!KNOWN_OPERATORS.has(operator)) return [{ path: [...path, operator], message: `unknown json-logic operator "${operator}"` }];
  if (operator === 'var') {
    const variable = Array.isArray(argument) ? argument[0] : argument;
    if (typeof variable === 'string' && variable !== '') {
      const root = variable.split('.')[0];
      if (!CONTEXT_ROOTS.has(root)) {
        return [{ path: [...path, operator], message: `unknown variable "${variable}": conditions read ${[...CONTEXT_ROOTS].join(', ')}` }];
      }
    }
    return [];
  }
  return validateCondition(argument, [...path, operator]);
}

export function evaluateCondition(rule: unknown, context: Record<string, unknown>): boolean {
  if (rule === undefined || rule === null) return true;
  return jsonLogic.truthy(jsonLogic.apply(rule as jsonLogic.RulesLogic, context));
}
