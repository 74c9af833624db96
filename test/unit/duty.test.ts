import { DateTime } from 'luxon';
import { loadConfigText } from '../../config/loader';
import type { CompiledConfig } from '../../server/core/compiled-config';
import type { UserSpec } from '../../config/schema';
import { chooseOnDuty, dutyScheduleOf, isOnDuty, nextOnDuty, onDutyAt, type DutySchedule } from '../../server/core/duty';
import { NotNowError } from '../../server/core/quiet-hours';
import { pickRoundRobin, rotationOnDuty } from '../../server/core/responsible';

const ZONE = 'Europe/Moscow';
const SOURCE = {
  timezone: ZONE,
  calendar: { working_days: ['mon', 'tue', 'wed', 'thu', 'fri'] as Array<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun'>, working_hours: { start: '09:00', end: '18:00' }, holidays: ['2026-03-09'] },
};

/** A user as robots.yaml would give them; only what a case needs is written. */
function schedule(user: Partial<Pick<UserSpec, 'schedule' | 'away'>> = {}): DutySchedule {
  return dutyScheduleOf(SOURCE, { away: [], ...user });
}

/** Milliseconds of a local wall-clock time, `2026-03-02T17:55` (2026-03-02 is a Monday). */
function at(local: string, zone = ZONE): number {
  const moment = DateTime.fromISO(local, { zone });
  if (!moment.isValid) throw new Error(`bad test time ${local}`);
  return moment.toMillis();
}

function wall(millis: number | null, zone = ZONE): string | null {
  return millis === null ? null : DateTime.fromMillis(millis, { zone }).toFormat("yyyy-MM-dd'T'HH:mm ccc");
}

describe('isOnDuty', () => {
  const leavesAtFive = schedule({ schedule: { working_hours: { start: '09:00', end: '17:00' } } });
  const nightShift = schedule({ schedule: { working_days: ['mon', 'tue', 'wed', 'thu', 'fri'], working_hours: { start: '22:00', end: '06:00' } } });
  const away = schedule({ away: [{ from: '2026-03-10', to: '2026-03-14' }] });
  const inVladivostok = schedule({ schedule: { working_hours: { start: '09:00', end: '18:00' }, timezone: 'Asia/Vladivostok' } });

  it.each<[string, DutySchedule, string, boolean]>([
    ['at 16:59 the one who leaves at 17:00 is there', leavesAtFive, '2026-03-02T16:59', true],
    ['at 17:00 they have left (the end is exclusive)', leavesAtFive, '2026-03-02T17:00', false],
    ['at 17:55 they have left', leavesAtFive, '2026-03-02T17:55', false],
    ['at 09:00 they have come (the start is inclusive)', leavesAtFive, '2026-03-02T09:00', true],
    ['on Saturday they are off', leavesAtFive, '2026-03-07T12:00', false],
    ['on a holiday of the calendar they are off', leavesAtFive, '2026-03-09T12:00', false],
    ['a night shift is on at 23:00', nightShift, '2026-03-02T23:00', true],
    ['a night shift goes on past midnight', nightShift, '2026-03-03T05:59', true],
    ['a night shift has ended at 06:00', nightShift, '2026-03-03T06:00', false],
    ['the Friday night shift runs into Saturday morning', nightShift, '2026-03-07T03:00', true],
    ['no Saturday night shift', nightShift, '2026-03-07T23:00', false],
    ['no schedule: on duty at 03:00 on Sunday', schedule(), '2026-03-08T03:00', true],
    ['away: off on the first day', away, '2026-03-10T00:00', false],
    ['away: off on the last day, to its end', away, '2026-03-14T23:59', false],
    ['away: back the day after', away, '2026-03-15T00:00', true],
    ['away: on duty the day before', away, '2026-03-09T23:59', true],
    ['another time zone: 09:00 in Vladivostok is 02:00 in Moscow', inVladivostok, '2026-03-02T02:00', true],
    ['another time zone: 12:00 in Moscow is 19:00 in Vladivostok, gone home', inVladivostok, '2026-03-02T12:00', false],
  ])('%s', (_case, duty, local, expected) => {
    expect(isOnDuty(duty, at(local))).toBe(expected);
  });

  it('away dates are read in the user’s own time zone', () => {
    const awayInVladivostok = schedule({
      schedule: { timezone: 'Asia/Vladivostok', working_hours: { start: '00:00', end: '00:00' }, working_days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], holidays: [] },
      away: [{ from: '2026-03-10', to: '2026-03-10' }],
    });
    // 17:59 in Moscow on the 9th is already 00:59 on the 10th in Vladivostok.
    expect(isOnDuty(awayInVladivostok, at('2026-03-09T17:59'))).toBe(false);
    expect(isOnDuty(awayInVladivostok, at('2026-03-09T16:59'))).toBe(true);
  });
});

describe('nextOnDuty', () => {
  const leavesAtFive = schedule({ schedule: { working_hours: { start: '09:00', end: '17:00' } } });

  it.each<[string, DutySchedule, string, string | null]>([
    ['on duty now: now', leavesAtFive, '2026-03-02T10:00', '2026-03-02T10:00 Mon'],
    ['after hours: the next morning', leavesAtFive, '2026-03-02T17:55', '2026-03-03T09:00 Tue'],
    ['before hours: this morning', leavesAtFive, '2026-03-02T07:00', '2026-03-02T09:00 Mon'],
    ['Friday evening: Monday morning', leavesAtFive, '2026-03-06T18:00', '2026-03-10T09:00 Tue'],
    ['away until the 14th (a Saturday): Monday the 16th', schedule({ schedule: {}, away: [{ from: '2026-03-10', to: '2026-03-14' }] }), '2026-03-10T10:00', '2026-03-16T09:00 Mon'],
    ['no schedule but away: midnight after the last away day', schedule({ away: [{ from: '2026-03-10', to: '2026-03-14' }] }), '2026-03-12T10:00', '2026-03-15T00:00 Sun'],
    ['never again within the horizon: null', schedule({ away: [{ from: '2026-01-01', to: '2030-01-01' }] }), '2026-03-02T10:00', null],
  ])('%s', (_case, duty, local, expected) => {
    expect(wall(nextOnDuty(duty, at(local)))).toBe(expected);
  });
});

describe('picking among those on duty', () => {
  function compile(teamExtra = ''): CompiledConfig {
    const text = `
timezone: Europe/Moscow
calendar: { working_days: [mon, tue, wed, thu, fri], working_hours: { start: "09:00", end: "18:00" }, holidays: [] }
users:
  - { login: early, name: Early, role: sales, team: sales, schedule: { working_hours: { start: "09:00", end: "17:00" } } }
  - { login: late, name: Late, role: sales, team: sales, schedule: { working_hours: { start: "11:00", end: "20:00" } } }
  - { login: away, name: Away, role: sales, team: sales, away: [{ from: 2026-03-02, to: 2026-03-06 }] }
  - { login: boss, name: Boss, role: manager, team: sales }
teams:
  sales: { members: [early, late, away], manager: boss${teamExtra} }
leads: { team: sales, stages: [{ id: new }] }
`;
    const loaded = loadConfigText(text, 'duty.yaml', 0);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    return loaded.config;
  }

  it('the turn passes over those off duty, in the team’s order', () => {
    expect(pickRoundRobin(['early', 'late', 'away'], 'early', new Set(['early', 'late']))).toBe('late');
    expect(pickRoundRobin(['early', 'late', 'away'], 'late', new Set(['early', 'late']))).toBe('early');
    expect(pickRoundRobin(['early', 'late', 'away'], 'late', new Set())).toBeNull();
  });

  it('at 17:55 on Monday only the one whose hours cover it is eligible; the away one never is', () => {
    const config = compile();
    expect(onDutyAt(config, ['early', 'late', 'away'], at('2026-03-02T17:55'))).toEqual(['late']);
    expect(rotationOnDuty(config, 'sales', at('2026-03-02T17:55'))).toEqual({ kind: 'rotation', members: ['early', 'late', 'away'], eligible: ['late'] });
    expect(rotationOnDuty(config, 'sales', at('2026-03-02T10:00'))).toMatchObject({ eligible: ['early'] });
  });

  it.each<[string, string, object]>([
    ['anyone (the default): everyone in the rotation', '', { kind: 'rotation', eligible: ['early', 'late', 'away'] }],
    ['manager: the team’s manager', ', when_nobody_on_duty: manager', { kind: 'person', login: 'boss' }],
  ])('nobody on duty at 21:00, %s', (_case, extra, expected) => {
    expect(rotationOnDuty(compile(extra), 'sales', at('2026-03-02T21:00'))).toMatchObject(expected);
  });

  it('nobody on duty at 21:00 and wait: a NotNowError until 09:00 the next morning', () => {
    const config = compile(', when_nobody_on_duty: wait');
    let thrown: unknown;
    try {
      rotationOnDuty(config, 'sales', at('2026-03-02T21:00'));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(NotNowError);
    expect(wall((thrown as NotNowError).until)).toBe('2026-03-03T09:00 Tue');
    expect((thrown as NotNowError).message).toContain('nobody of team sales is on duty');
  });

  it('a robot’s own setting wins over the team’s', () => {
    const config = compile(', when_nobody_on_duty: wait');
    expect(rotationOnDuty(config, 'sales', at('2026-03-02T21:00'), 'anyone')).toMatchObject({ kind: 'rotation', eligible: ['early', 'late', 'away'] });
    expect(chooseOnDuty(config, ['early'], at('2026-03-02T21:00'), 'manager')).toEqual({ kind: 'manager' });
  });

  it('a login the config does not list (added by the CLI or the API) is always on duty', () => {
    expect(onDutyAt(compile(), ['cli_user'], at('2026-03-08T03:00'))).toEqual(['cli_user']);
  });

  it('a schedule with a bad time zone or an away range that ends before it starts is a config error', () => {
    const text = `
users:
  - { login: a, name: A, role: sales, schedule: { timezone: Mars/Olympus }, away: [{ from: 2026-03-14, to: 2026-03-10 }] }
leads: { stages: [{ id: new }] }
`;
    const loaded = loadConfigText(text, 'bad.yaml', 0);
    expect(loaded.ok).toBe(false);
    const messages = loaded.ok ? [] : loaded.issues.map((issue) => issue.message);
    expect(messages).toEqual(expect.arrayContaining([expect.stringContaining('unknown time zone "Mars/Olympus"'), expect.stringContaining('`from` ≤ `to`')]));
  });
});

describe('validation of schedules and escalations', () => {
  function problems(text: string): string[] {
    const loaded = loadConfigText(text, 'check.yaml', 0);
    return loaded.ok ? [] : loaded.issues.map((issue) => `${issue.path ?? ''} ${issue.message}`);
  }

  it('an escalation level naming an unknown user is an error at its place, with a suggestion', () => {
    const found = problems(`
users: [{ login: head, name: Head, role: manager }]
leads:
  stages:
    - id: new
      robots:
        - { id: sla, type: notify, text: "waits", escalate: [{ after: 30m, to: [manager] }, { after: 2h, to: [haed] }] }
`);
    expect(found).toEqual([expect.stringMatching(/escalate.*1.*to.*0.*unknown recipient "haed".*head/)]);
  });

  it('an escalation level with a bad delay is an error', () => {
    expect(
      problems(`
leads: { stages: [{ id: new, robots: [{ id: sla, type: notify, text: "waits", escalate: [{ after: soon, to: [manager] }] }] }] }
`),
    ).toEqual([expect.stringContaining('bad duration "soon"')]);
  });

  it('a team falling back to its manager must have one', () => {
    expect(
      problems(`
teams: { sales: { when_nobody_on_duty: manager } }
leads: { stages: [{ id: new }] }
`),
    ).toEqual([expect.stringContaining('when_nobody_on_duty: manager needs the team’s `manager`')]);
  });
});
