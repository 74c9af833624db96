import { reenterRule, reentrySkip, stageLimitsReentry } from '../../server/core/reentry';

const DAY = 86_400_000;
const now = Date.parse('2026-03-18T10:00:00+03:00');

describe('re-entering a stage', () => {
  it.each([
    // rule, previous entry (days before now; null: first entry) → runs?
    ['always', 1, true],
    ['never', null, true],
    ['never', 1, false],
    ['never', 400, false],
    [{ after: '30d' }, null, true],
    [{ after: '30d' }, 29, false],
    [{ after: '30d' }, 30, true],
    [{ after: '30d' }, 45, true],
  ] as const)('reenter %p with the previous entry %p days ago runs: %p', (rule, daysAgo, runs) => {
    const skip = reentrySkip(rule, daysAgo === null ? null : now - daysAgo * DAY, now);
    expect(skip === null).toBe(runs);
  });

  it('says why a robot did not run again, with the rule', () => {
    expect(reentrySkip({ after: '30d' }, now - 2 * DAY, now)).toMatch(/less than 30d ago \(reenter: after 30d\)/);
    expect(reentrySkip('never', now - DAY, now)).toMatch(/reenter: never/);
  });

  it("a robot's own rule wins over its stage's, and always is the default", () => {
    expect(reenterRule({}, {})).toBe('always');
    expect(reenterRule({}, { reenter: 'never' })).toBe('never');
    expect(reenterRule({ reenter: 'always' }, { reenter: 'never' })).toBe('always');
    expect(stageLimitsReentry({ robots: [{}, {}] })).toBe(false);
    expect(stageLimitsReentry({ robots: [{}, { reenter: { after: '30d' } }] })).toBe(true);
    expect(stageLimitsReentry({ reenter: 'never', robots: [{ reenter: 'always' }] })).toBe(false);
  });
});
