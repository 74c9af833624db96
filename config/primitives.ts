import { z } from 'zod';
import { say, zodText } from './messages';
import { unknownNameOf } from './did-you-mean';
import { isDuration } from './duration';

/**
 * The vocabulary robots.yaml is written in, at the bottom of the layers: robot and trigger
 * files use it for their params, and it imports nothing of the server, the robots or the triggers.
 */

export const ROLES = ['first_line', 'sales', 'manager', 'ops', 'admin'] as const;
export const CHANNELS = ['outbox', 'email', 'sms', 'telegram', 'voice'] as const;
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const STAGE_SEMANTICS = ['open', 'won', 'lost'] as const;
export const REFUSED_BY = ['we_refused', 'client_refused'] as const;
export const FIELD_TYPES = ['string', 'text', 'number', 'boolean', 'date', 'datetime', 'enum', 'multi_select', 'money', 'user', 'phone', 'email', 'url'] as const;

export const Role = z.enum(ROLES, { error: (issue) => zodText(typeof issue.input === 'string' ? unknownNameOf('role', issue.input, ROLES) : say('role_one_of', { known: [...ROLES] })) });
export const ChannelName = z.enum(CHANNELS);

/** The ways a client may agree to be reached, or refuse it: `call` is the voice channel. */
export const CONSENT_CHANNELS = ['email', 'sms', 'telegram', 'call'] as const;
export const ConsentChannel = z.enum(CONSENT_CHANNELS);
/** `opt_in`: the channel needs the client's explicit yes; `opt_out`: allowed unless they said no. */
export const ConsentRule = z.enum(['opt_in', 'opt_out']);
export const RefusedBy = z.enum(REFUSED_BY);

/**
 * A name people read (a stage, a pipeline, a team, a field, a lost reason): one string, or the
 * same words in each language, `{ru: Новый, en: New}`. Either way it is kept as one string in the
 * bilingual form `Новый / New` that every reader splits by language (labelIn, the web app), so
 * the rest of the engine handles a plain string.
 */
export const Label = z
  .union([z.string(), z.strictObject({ ru: z.string().trim().min(1), en: z.string().trim().min(1) })], { error: zodText(say('name_shape')) })
  .transform((label) => (typeof label === 'string' ? label : `${label.ru} / ${label.en}`));

/**
 * A label in one language: `Новый / New` shows the half of the locale (ru first, en second); any
 * other name shows as written.
 */
export function labelIn(label: string, locale: 'ru' | 'en'): string {
  const [ruHalf, enHalf, ...more] = label.split(' / ');
  if (ruHalf === undefined || enHalf === undefined || more.length > 0 || !ruHalf.trim() || !enHalf.trim()) return label;
  return (locale === 'ru' ? ruHalf : enHalf).trim();
}

export const Identifier = z.string().regex(/^[a-z][a-z0-9_]*$/, { error: zodText(say('id_format')) });
export const Login = z.string().regex(/^[A-Za-z0-9_.-]+$/, { error: zodText(say('login_format')) });
export const Duration = z.string().refine(isDuration, {
  error: (issue) => zodText(say('bad_duration', { value: String(issue.input) })),
});
/** A duration before (`-1d`) or after (`2h`, `+2h`) a moment. */
export const SignedDuration = z.string().refine((text) => isDuration(text.replace(/^[-+]/, '')), {
  error: (issue) => zodText(say('bad_offset', { value: String(issue.input) })),
});

/**
 * A robot timed from a date field of the item (an appointment, a renewal): due `offset` from the
 * field's moment, moved when the field changes, cancelled when it is cleared.
 */
export const FieldTiming = z.strictObject({
  field: Identifier.describe('A date or datetime custom field of the item'),
  offset: SignedDuration.default('0m').describe('-1d: a day before the field’s moment; 2h: two hours after'),
});
export type FieldTiming = z.output<typeof FieldTiming>;

/** Whether an item entering a stage again gets a robot again: always, never, or once `after` has passed since its last run. */
export const Reenter = z.union([z.enum(['always', 'never']), z.strictObject({ after: z.string().refine(isDuration, { error: zodText(say('bad_reenter_duration')) }) })]);
export type Reenter = z.output<typeof Reenter>;

export const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: zodText(say('time_of_day')) });
export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: zodText(say('iso_date')) });
/** json-logic is validated for known operators by the loader, where positions are at hand. */
export const JsonLogic = z.union([z.record(z.string(), z.unknown()), z.boolean()]);

/** What a robot does when nobody it could pick or call is on duty. */
export const WhenNobodyOnDuty = z.enum(['anyone', 'manager', 'wait']).describe('When nobody is on duty: anyone (ignore the schedules), manager (the team manager), wait (re-run when someone comes on duty)');
export type WhenNobodyOnDuty = z.output<typeof WhenNobodyOnDuty>;
