import type { ComponentChildren } from 'preact';
import type { I18n, WordKey } from '../../i18n';

/** Config words put into the reader's language: a robot's timing, a json-logic condition. */

const UNITS = ['w', 'd', 'h', 'm', 's'] as const;

/** `1d12h` → "1 дн. 12 ч" / "1 d 12 h". */
export function durationWords(duration: string, t: I18n['t']): string {
  const parts = [...duration.matchAll(/(\d+)\s*(w|d|h|m|s)/g)];
  if (parts.length === 0) return duration;
  return parts.map(([, count, unit]) => `${count} ${UNITS.includes(unit as (typeof UNITS)[number]) ? t(`unit.${unit}` as WordKey) : unit}`).join(' ');
}

/** "через 30 мин, в рабочие часы", "сразу", "at 10:00". */
export function timingWords(robot: { after: string | null; at: string | { field: string; offset: string } | null; working_hours: boolean; after_robot: string | null }, t: I18n['t']): string {
  const parts: string[] = [];
  if (robot.after) parts.push(t('timing.after', { duration: durationWords(robot.after, t) }));
  if (typeof robot.at === 'string') parts.push(t('timing.at', { time: robot.at }));
  else if (robot.at) parts.push(fieldTimingWords(robot.at, t));
  if (parts.length === 0 && !robot.after_robot) parts.push(t('timing.now'));
  if (robot.working_hours) parts.push(t('timing.workingHours'));
  return parts.join(', ');
}

/** "за 1 дн. до appointment_at", "через 2 ч после …", "в момент …": a reminder relative to a date of the item. */
function fieldTimingWords(at: { field: string; offset: string }, t: I18n['t']): string {
  const amount = at.offset.replace(/^[+-]/, '');
  if (/^0+[smhdw]?$/.test(amount)) return t('timing.atField', { field: at.field });
  return t(at.offset.startsWith('-') ? 'timing.beforeField' : 'timing.afterField', { duration: durationWords(amount, t), field: at.field });
}

const COMPARISONS: Record<string, string> = { '==': '=', '===': '=', '!=': '≠', '!==': '≠', '>': '>', '>=': '≥', '<': '<', '<=': '≤' };

/** Words the config wrote (field paths, values): shown as written, in either language. */
export function Code({ children }: { children: ComponentChildren }) {
  return (
    <code class="config-code" data-user-content translate={false}>
      {children}
    </code>
  );
}

function literal(value: unknown, t: I18n['t']): ComponentChildren {
  if (value === true) return t('logic.true');
  if (value === false) return t('logic.false');
  if (value === null || value === '') return t('logic.empty');
  if (Array.isArray(value)) return <Code>{value.map((item) => (typeof item === 'string' ? t('quoted', { text: item }) : JSON.stringify(item))).join(', ')}</Code>;
  return <Code>{typeof value === 'string' ? t('quoted', { text: value }) : JSON.stringify(value)}</Code>;
}

/** A json-logic condition read aloud: `{"and": [{">=": [{"var": "score"}, 50]}, …]}` → score ≥ 50 и … */
export function ConditionWords({ logic, t }: { logic: unknown; t: I18n['t'] }) {
  return <span class="condition">{render(logic, t, false)}</span>;
}

function render(logic: unknown, t: I18n['t'], nested: boolean): ComponentChildren {
  if (!logic || typeof logic !== 'object' || Array.isArray(logic)) return literal(logic, t);
  const entries = Object.entries(logic as Record<string, unknown>);
  if (entries.length !== 1) return <Code>{JSON.stringify(logic)}</Code>;
  const [operator, raw] = entries[0]!;
  const args = Array.isArray(raw) ? raw : [raw];
  if (operator === 'var') return <Code>{String(args[0])}</Code>;
  if (operator === 'and' || operator === 'or') {
    const joined = args.flatMap((arg, index) => [index > 0 ? ` ${t(`logic.${operator}`)} ` : '', render(arg, t, true)]);
    return nested ? <>({joined})</> : <>{joined}</>;
  }
  if (operator === '!')
    return (
      <>
        {t('logic.not')} {render(args[0], t, true)}
      </>
    );
  if (operator === '!!')
    return (
      <>
        {render(args[0], t, true)} {t('logic.set')}
      </>
    );
  if (operator === 'in')
    return (
      <>
        {render(args[0], t, true)} {t('logic.in')} {render(args[1], t, true)}
      </>
    );
  const symbol = COMPARISONS[operator];
  if (symbol && args.length === 2)
    return (
      <>
        {render(args[0], t, true)} {symbol} {render(args[1], t, true)}
      </>
    );
  if (symbol && args.length === 3)
    return (
      <>
        {render(args[0], t, true)} {symbol} {render(args[1], t, true)} {symbol} {render(args[2], t, true)}
      </>
    );
  return <Code>{JSON.stringify(logic)}</Code>;
}

export function robotTypeWords(type: string, t: I18n['t'], has: (key: string) => boolean): ComponentChildren {
  const key = `robotType.${type}`;
  return has(key) ? t(key as WordKey) : <Code>{type}</Code>;
}

export function triggerTypeWords(type: string, t: I18n['t'], has: (key: string) => boolean): ComponentChildren {
  const key = `triggerType.${type}`;
  return has(key) ? t(key as WordKey) : <Code>{type}</Code>;
}

/**
 * A config issue as the server worded it in the reader's language: the names quoted from the
 * file («touch_smsx», "touch_sms") are the file's words, the rest is the page's.
 */
export function IssueMessage({ message }: { message: string }) {
  const parts = message.split(/(«[^»]*»|"[^"]*"|`[^`]*`)/);
  return (
    <span class="issue-message">
      {parts.map((part, index) =>
        index % 2 === 1 ? (
          <span key={index} data-user-content translate={false}>
            {part}
          </span>
        ) : (
          part
        ),
      )}
    </span>
  );
}
