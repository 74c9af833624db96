import { CONTEXT_ROOTS, evaluateCondition, validateCondition } from '../../server/core/conditions';
import { first } from '../support/lists';

describe('validateCondition', () => {
  it.each([
    ['a comparison on the item', { '==': [{ var: 'item.source' }, 'form'] }],
    ['a nested and/or', { and: [{ '>': [{ var: 'minutes_in_stage' }, 30] }, { or: [{ var: 'repeat_client' }, { '!': [{ var: 'item.responsible' }] }] }] }],
    ['an `in` over fields', { in: [{ var: 'fields.interest' }, ['goods', 'services']] }],
    ['a var with a default', { var: ['score', 0] }],
    ['the whole context (empty var)', { '!!': [{ var: '' }] }],
    ['missing', { missing: ['item.phone', 'item.email'] }],
    ['a bare boolean', true],
    ['if/then/else', { if: [{ var: 'event.type' }, 'yes', 'no'] }],
  ])('accepts %s', (_, rule) => {
    expect(validateCondition(rule)).toEqual([]);
  });

  it('reports an unknown operator at its place in the rule', () => {
    expect(validateCondition({ and: [{ '==': [1, 1] }, { '~=': [1, 2] }] })).toEqual([
      { path: ['and', 1, '~='], message: 'unknown json-logic operator "~="', said: { code: 'json_logic_unknown_operator', params: { operator: '~=' } } },
    ]);
  });

  it('reports a rule with two operators in one object', () => {
    expect(validateCondition({ '==': [1, 1], foo: 1 })).toEqual([
      { path: [], message: 'a json-logic rule has exactly one operator, found 2 (==, foo)', said: { code: 'json_logic_one_operator', params: { count: 2, operators: ['==', 'foo'] } } },
    ]);
  });

  it('reports an empty rule object', () => {
    expect(validateCondition({ or: [{}] })).toEqual([
      { path: ['or', 0], message: 'a json-logic rule has exactly one operator, found 0 (none)', said: { code: 'json_logic_one_operator', params: { count: 0, operators: [] } } },
    ]);
  });

  it.each([
    [{ var: 'secret.thing' }, 'secret.thing'],
    [{ var: ['itme.source', null] }, 'itme.source'],
    [{ '==': [{ var: 'minutes' }, 5] }, 'minutes'],
  ])('reports a var outside the documented context: %j', (rule, variable) => {
    const problems = validateCondition(rule);
    expect(problems).toHaveLength(1);
    expect(first(problems).message).toContain(`unknown variable "${variable}"`);
    expect(first(problems).message).toContain('item, lead, deal');
    expect(first(problems).path.at(-1)).toBe('var');
  });

  it('reports every problem of a rule, not just the first', () => {
    const problems = validateCondition({ and: [{ var: 'nope' }, { bogus: 1 }, { '==': [{ var: 'item.source' }, 'form'] }] });
    expect(problems.map((problem) => problem.path)).toEqual([
      ['and', 0, 'var'],
      ['and', 1, 'bogus'],
    ]);
  });

  it('lets conditions read every documented root', () => {
    for (const root of CONTEXT_ROOTS) expect(validateCondition({ var: `${root}.x` })).toEqual([]);
  });
});

describe('evaluateCondition', () => {
  const context = { item: { source: 'form', responsible: null, phone: '+79161234567' }, minutes_in_stage: 45, repeat_client: true, fields: { interest: 'goods' } };

  it('lets a robot without a condition run', () => {
    expect(evaluateCondition(undefined, context)).toBe(true);
    expect(evaluateCondition(null, context)).toBe(true);
  });

  it.each([
    ['source is form', { '==': [{ var: 'item.source' }, 'form'] }, true],
    ['source is a call', { '==': [{ var: 'item.source' }, 'call'] }, false],
    ['in stage over 30 minutes', { '>': [{ var: 'minutes_in_stage' }, 30] }, true],
    ['in stage over an hour', { '>': [{ var: 'minutes_in_stage' }, 60] }, false],
    ['a repeat client', { var: 'repeat_client' }, true],
    ['nobody has taken it', { '!': [{ var: 'item.responsible' }] }, true],
    ['has a phone', { '!!': [{ var: 'item.phone' }] }, true],
    ['has an email', { '!!': [{ var: 'item.email' }] }, false],
    ['interest is one of', { in: [{ var: 'fields.interest' }, ['goods', 'services']] }, true],
    ['repeat client AND over 30 minutes', { and: [{ var: 'repeat_client' }, { '>=': [{ var: 'minutes_in_stage' }, 45] }] }, true],
    ['repeat client AND over an hour', { and: [{ var: 'repeat_client' }, { '>': [{ var: 'minutes_in_stage' }, 60] }] }, false],
    ['literal false', false, false],
    ['literal true', true, true],
    ['a missing var is falsy', { var: 'score' }, false],
  ])('%s → %s', (_, rule, expected) => {
    expect(evaluateCondition(rule, context)).toBe(expected);
  });

  it('treats an empty list and "0"-like json-logic values the json-logic way', () => {
    expect(evaluateCondition({ var: 'list' }, { list: [] })).toBe(false);
    expect(evaluateCondition({ var: 'text' }, { text: '0' })).toBe(true);
  });
});
