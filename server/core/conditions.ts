import jsonLogic from 'json-logic-js';
import { render, say, type Said } from '../../config/messages';
import { CONTEXT_ROOTS } from './context-schema';

/** Standard json-logic operators: anything else in a condition is a typo we report at load time. */
const KNOWN_OPERATORS = new Set([
  '==',
  '===',
  '!=',
  '!==',
  '>',
  '>=',
  '<',
  '<=',
  '!',
  '!!',
  'or',
  'and',
  '?:',
  'if',
  'in',
  'cat',
  'substr',
  '+',
  '-',
  '*',
  '/',
  '%',
  'min',
  'max',
  'merge',
  'var',
  'missing',
  'missing_some',
  'map',
  'filter',
  'reduce',
  'all',
  'none',
  'some',
]);

/**
 * Operators whose first argument is read from the context and whose other arguments run once
 * per element, with `var` relative to the element (`reduce`: `current`, `accumulator`).
 */
const PER_ELEMENT = new Set(['map', 'filter', 'all', 'none', 'some', 'reduce']);

/** The roots a condition may read (server/core/context-schema.ts); documented in the README's "Condition and template context". */
export { CONTEXT_ROOTS };

export interface LogicProblem {
  /** Path inside the condition, e.g. ['and', 0, '==']. */
  path: Array<string | number>;
  message: string;
  /** The same as a code and its params (config/messages.ts words it per language). */
  said: Said;
}

const problemAt = (path: Array<string | number>, said: Said): LogicProblem => ({ path, message: render(said), said });

/** What is wrong with a variable the condition reads, or null. */
export type VariableCheck = (variable: string) => Said | null;

/** Without a config at hand: the first segment must be a context root. */
export const checkRoot: VariableCheck = (variable) => {
  const [root = ''] = variable.split('.');
  return CONTEXT_ROOTS.has(root) ? null : say('unknown_variable', { name: variable, readers: 'conditions', known: [...CONTEXT_ROOTS] });
};

const anyVariable: VariableCheck = () => null;

/**
 * Unknown operators, malformed rules and, through `checkVariable`, variables outside the
 * context: every `var` (`"a.b"`, `["a.b", default]`, numeric segments) and every name under
 * `missing` / `missing_some`. Variables inside a per-element rule (`some`, `map`, …) read the
 * element, not the context, and are left alone.
 */
export function validateCondition(rule: unknown, path: Array<string | number> = [], checkVariable: VariableCheck = checkRoot): LogicProblem[] {
  if (Array.isArray(rule)) return rule.flatMap((part, index) => validateCondition(part, [...path, index], checkVariable));
  if (rule === null || typeof rule !== 'object') return [];
  const entries: Array<[string, unknown]> = Object.entries(rule);
  const [entry, ...others] = entries;
  if (entry === undefined || others.length > 0) {
    const keys = entries.map(([key]) => key);
    return [problemAt(path, say('json_logic_one_operator', { count: keys.length, operators: keys }))];
  }
  const [operator, argument] = entry;
  if (!KNOWN_OPERATORS.has(operator)) return [problemAt([...path, operator], say('json_logic_unknown_operator', { operator }))];
  const here = [...path, operator];
  if (operator === 'var') {
    const [variable, ...defaults] = Array.isArray(argument) ? argument : [argument];
    const problems = isPath(variable) ? variableProblems(String(variable), here, checkVariable) : validateCondition(variable, here, checkVariable);
    return [...problems, ...defaults.flatMap((fallback, index) => validateCondition(fallback, [...here, index + 1], checkVariable))];
  }
  if (operator === 'missing' || operator === 'missing_some') {
    const names = operator === 'missing_some' && Array.isArray(argument) ? argument[1] : argument;
    const namesPath = operator === 'missing_some' ? [...here, 1] : here;
    if (Array.isArray(names) && names.every(isPath)) return names.flatMap((name, index) => variableProblems(String(name), [...namesPath, index], checkVariable));
    return validateCondition(argument, here, checkVariable);
  }
  if (PER_ELEMENT.has(operator) && Array.isArray(argument)) {
    return argument.flatMap((part, index) => validateCondition(part, [...here, index], index === 1 ? anyVariable : checkVariable));
  }
  return validateCondition(argument, here, checkVariable);
}

function isPath(value: unknown): value is string | number {
  return typeof value === 'string' || typeof value === 'number';
}

/** `""` is the whole context, always there. */
function variableProblems(variable: string, path: Array<string | number>, checkVariable: VariableCheck): LogicProblem[] {
  if (variable === '') return [];
  const said = checkVariable(variable);
  return said === null ? [] : [problemAt(path, said)];
}

export function evaluateCondition(rule: unknown, context: Record<string, unknown>): boolean {
  if (rule === undefined || rule === null) return true;
  return jsonLogic.truthy(jsonLogic.apply(rule as jsonLogic.RulesLogic, context));
}
