import { z } from 'zod';
import { say, zodText } from './messages';
import { IANAZone } from 'luxon';
import { EventType } from './event-types';
import { WhenNobodyOnDuty } from './primitives';

/**
 * The single source of truth for robots.yaml (STYLE §2): types come from z.infer, the
 * editor's JSON Schema from z.toJSONSchema, and the messages users read from here.
 *
 * This file knows no robot or trigger type: `configSchemaWith` takes the schema of a robot and of
 * a trigger, and config/registered-schema.ts hands it the registered types. The types below are
 * the shape every robot and trigger shares, so the robots can use them without a cycle.
 */

export { ROLES, CHANNELS, WEEKDAYS, STAGE_SEMANTICS, REFUSED_BY, FIELD_TYPES, Role, ChannelName, RefusedBy, Identifier, Login, Duration, TimeOfDay, IsoDate, JsonLogic } from './primitives';
import { WEEKDAYS, STAGE_SEMANTICS, FIELD_TYPES, Role, ChannelName, RefusedBy, Identifier, Label, Login, Duration, TimeOfDay, IsoDate, JsonLogic, FieldTiming, Reenter, ConsentChannel, ConsentRule } from './primitives';

export const RobotBase = z.object({
  id: Identifier.describe('Unique robot id; runs and `after_robot` refer to it'),
  title: z.string().optional().describe('What the timeline shows for this robot'),
  after: Duration.optional().describe('Delay from entering the stage (or from `after_robot` finishing)'),
  at: z
    .union([TimeOfDay, FieldTiming])
    .optional()
    .describe('HH:MM: run at this time of day (config time zone), on or after the delay; {field, offset}: run offset from a date field of the item (moves when the field changes, cancelled when it is cleared)'),
  reenter: Reenter.optional().describe('An item entering this stage again: run this robot again (always), not (never), or only when its last run here is older than `after` (default: the stage’s `reenter`, else always)'),
  working_hours: z.boolean().optional().describe('Only inside the working calendar'),
  after_robot: Identifier.optional().describe('Run after this robot of the same stage entry has finished'),
  condition: JsonLogic.optional().describe('json-logic evaluated when the robot runs, not when scheduled'),
  skip_if_late: Duration.optional().describe('Skip this run, instead of running it, when it comes due later than this (default: engine.late_policy for client touches)'),
  stop_on_reply: z.boolean().optional().describe('Cancel this run when the client replies (default: true for client touches such as send_message)'),
});

/** A robot as written: the shared keys typed, its type's own params checked by its schema. */
export type RobotSpecOutput = z.output<typeof RobotBase> & { type: string; [param: string]: unknown };

export const TriggerBase = z.object({
  id: Identifier.describe('Unique trigger id, shown as the actor on the timeline'),
  condition: JsonLogic.optional().describe('json-logic on { event, item }'),
  allow_backwards: z.boolean().default(false).describe('May move an item to an earlier stage'),
  reason: Identifier.optional().describe('The reason the move gives: in a lost stage one of its `reasons` (required there), elsewhere kept in the history'),
});

export type TriggerSpecOutput = z.output<typeof TriggerBase> & { type: string; [param: string]: unknown };

export const LostReason = z.strictObject({
  id: Identifier,
  label: Label.optional(),
  refused_by: RefusedBy.describe('Who refused whom: we refused the client, or the client refused us'),
});

/** An IANA time zone name, checked against the zone database luxon carries. */
const TimeZone = z.string().refine((zone) => IANAZone.isValidZone(zone), { error: (issue) => zodText(say('unknown_time_zone', { value: String(issue.input) })) });

/** A user's on-duty hours: the working calendar's shape; keys not written come from `calendar:`. */
export const DutyScheduleSpec = z.strictObject({
  working_days: z.array(z.enum(WEEKDAYS)).optional(),
  working_hours: z.strictObject({ start: TimeOfDay, end: TimeOfDay }).optional().describe('An end at or before the start is a night shift ending the next day'),
  holidays: z.array(IsoDate).optional().describe('Days off (default: the calendar’s holidays)'),
  timezone: TimeZone.optional().describe('Defaults to the config’s timezone'),
});

export const AwayRange = z.strictObject({ from: IsoDate, to: IsoDate }).refine((range) => range.from <= range.to, { error: zodText(say('away_range')) });

export const User = z.strictObject({
  login: Login,
  name: z.string(),
  role: Role,
  team: Identifier.optional(),
  phone: z.string().optional(),
  email: z.email().optional(),
  telegram_chat_id: z.union([z.string(), z.number()]).transform(String).optional(),
  manager: Login.optional().describe('Who is alerted above this user (defaults to the team manager)'),
  schedule: DutyScheduleSpec.optional().describe('When this user is on duty; without it, always (away dates excepted)'),
  away: z.array(AwayRange).default([]).describe('Dates off (holidays, sick leave), each {from, to}, both inclusive, in the user’s time zone'),
});

export const Team = z.strictObject({
  name: Label.optional(),
  members: z.array(Login).default([]),
  manager: Login.optional(),
  pick: z.enum(['round_robin', 'least_open']).default('round_robin').describe('How a responsible is picked'),
  when_nobody_on_duty: WhenNobodyOnDuty.optional().describe('When no member is on duty: anyone (default), manager, or wait; a robot’s own setting wins'),
});

export const Field = z.strictObject({
  type: z.enum(FIELD_TYPES).default('string'),
  label: Label.optional(),
  values: z.array(z.string()).optional().describe('Allowed values of an enum or multi_select field'),
  labels: z.record(z.string(), Label).optional().describe('What people read for each of `values` in messages (`{{list …}}`): value → one string, or {ru, en}'),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, { error: zodText(say('currency_format')) })
    .optional()
    .describe('A money field’s currency (default RUB); the value is an amount in it'),
});

export const Template = z
  .strictObject({
    channel: ChannelName.optional(),
    subject: z.string().optional(),
    text: z.string().optional().describe('handlebars; see the README for the context'),
    html: z.string().optional(),
    file: z.string().optional().describe('A .hbs file, relative to the config file'),
  })
  .refine((template) => template.text !== undefined || template.file !== undefined, {
    error: zodText(say('template_needs_text')),
  });

export const Calendar = z.strictObject({
  working_days: z.array(z.enum(WEEKDAYS)).default(['mon', 'tue', 'wed', 'thu', 'fri']),
  working_hours: z.strictObject({ start: TimeOfDay, end: TimeOfDay }).default({ start: '09:00', end: '18:00' }),
  holidays: z.array(IsoDate).default([]),
});

export const ScoringRule = z.strictObject({
  event: EventType.describe('The event type that scores'),
  points: z.number().int(),
  condition: JsonLogic.optional().describe('json-logic on { event, item, … }'),
  tag: Identifier.optional().describe('Tag the lead gets when this rule scores'),
});

export const Scoring = z.strictObject({
  decay_per_day: z.number().nonnegative().default(0).describe('Points lost per day without a scoring event'),
  rules: z.array(ScoringRule).default([]),
});

/** A public web form: how its fields map onto a lead. */
export const Form = z.strictObject({
  name: z.string().optional(),
  fields: z.record(z.string(), z.string()).describe('form field → lead field (standard or custom)'),
  source: z.string().optional().describe('Lead source (utm_source wins when present)'),
  stage: Identifier.optional().describe('Lead status a new lead starts in (default: the first)'),
  consent_field: z.string().optional().describe('A form field that must be truthy (personal-data consent)'),
  consent_channels: z.array(ConsentChannel).optional().describe('When the consent_field is ticked, the client opts in to these channels (source form)'),
  honeypot: z.string().optional().describe('A hidden form field people leave empty; bots fill it'),
  redirect: z.url().optional().describe('Browsers are sent here (303) after a submission'),
  rate_limit: z
    .string()
    .regex(/^\d+\/(s|m|h)$/, { error: zodText(say('rate_limit_format')) })
    .default('20/m')
    .describe('Submissions per IP address'),
});

/** A named inbound webhook for another system, signed with HMAC-SHA256. */
export const Hook = z.strictObject({
  secret_env: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/)
    .describe('Environment variable holding the shared secret'),
  fields: z.record(z.string(), z.string()).default({}).describe('payload key → lead field, used to match or create the lead'),
  creates_lead: z.boolean().default(false).describe('Create a lead when no open item matches'),
  source: z.string().optional(),
});

export const EngineSettings = z.strictObject({
  max_causal_depth: z.number().int().min(1).default(8).describe('Loop guard: robot-caused moves in one chain'),
  max_attempts: z.number().int().min(1).default(5).describe('Attempts before a run is dead'),
  retry_backoff: Duration.default('30s').describe('First retry delay; doubles each attempt'),
  late_policy: z
    .strictObject({
      skip_touches_after: Duration.optional().describe('A client touch later than this (after downtime, say) is skipped, not sent; internal actions always run'),
    })
    .default({})
    .describe('What a run does when it comes due late'),
  take_owned_items: z.boolean().default(false).describe('"Take the lead" from a Telegram alert may take an item that already has a responsible'),
});

/**
 * How long finished rows are kept before the retention sweep deletes them, a table each; `off`
 * keeps them for ever. Runs that still need a person (dead, unknown) and stage history (what
 * analytics counts) are never deleted.
 */
const Kept = z.union([z.literal('off'), Duration]);
export const Retention = z.strictObject({
  runs: Kept.default('180d').describe('Finished robot runs (done, skipped, cancelled): kept this long after they finished'),
  messages: Kept.default('365d').describe('Messages sent and received, with their delivery status'),
  events: Kept.default('365d').describe('Inbound events (forms, replies, clicks, calls…)'),
});

/** The languages the timeline's sentences are written in (server/reports/locales/). */
export const LOCALES = ['ru', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/**
 * robots.yaml's schema with the robot and trigger schemas given: the registered types' union
 * when checking a file (config/registered-schema.ts), the shared shape for the types below.
 */
export function configSchemaWith(robot: z.ZodType<RobotSpecOutput, unknown>, trigger: z.ZodType<TriggerSpecOutput, unknown>) {
  const Stage = z.strictObject({
    id: Identifier,
    name: Label.optional().describe('Shown to people: one string, or {ru, en}; defaults to the id'),
    semantic: z.enum(STAGE_SEMANTICS).default('open').describe('open | won | lost: analytics and final states'),
    team: Identifier.optional().describe('The team that works this stage, when not the pipeline’s: its manager gets the stage’s `manager` alerts and unassigned tasks, its people see the stage’s items'),
    required: z.array(z.string()).default([]).describe('Fields an item must have before it may enter'),
    reasons: z.array(LostReason).optional().describe('For lost stages: the reasons a move must give'),
    manual: z.boolean().default(true).describe('false: only robots and triggers move items here; a person’s move is refused (403 move.manual_not_allowed)'),
    move_roles: z.array(Role).optional().describe('Roles that may move items here by hand (default: every role that may change the item); robots and triggers always may'),
    reopen_roles: z.array(Role).optional().describe('For won stages: roles that may move an item back out by hand, with a comment saying why (default: ops, admin)'),
    on_reenter: z.enum(['run', 'skip']).default('run').describe('An item entering this stage again: run its robots again (run, the default) or not (skip: the entry is recorded, no robot is scheduled)'),
    reenter: Reenter.optional().describe('The default of its robots’ `reenter` (always, never, {after: 30d}); unset: always'),
    stuck_after: Duration.optional().describe('An item longer than this here counts as stuck'),
    stop_when: JsonLogic.optional().describe("A goal: once it holds (looked at whenever the item changes), this stage's pending robots are cancelled"),
    robots: z.array(robot).default([]).describe('Fire when an item enters this stage'),
    triggers: z.array(trigger).default([]).describe('Move an item here when an event arrives (Bitrix24 style)'),
  });

  const Pipeline = z.strictObject({
    name: Label.optional().describe('Shown to people: one string, or {ru, en}'),
    team: Identifier.optional().describe('The team that works this pipeline: its manager and members see every item in it, assigned or not, and `to: [manager]` reaches its manager'),
    board: z
      .strictObject({
        card_fields: z.array(z.string()).default([]).describe('Fields a card on the web board shows, in order (standard ones such as phone, email, responsible, amount, or custom fields); empty: the board’s default'),
      })
      .optional()
      .describe('How the web board draws this pipeline'),
    stages: z.array(Stage).min(1, { error: zodText(say('pipeline_needs_stage')) }),
  });

  const ConfigSchema = z.strictObject({
    $schema: z.string().optional(),
    timezone: z
      .string()
      .default('UTC')
      .refine((zone) => IANAZone.isValidZone(zone), { error: (issue) => zodText(say('unknown_time_zone', { value: String(issue.input) })) }),
    default_region: z.string().length(2).default('RU').describe('Phone region for numbers written without +'),
    locale: z.enum(LOCALES).default('ru').describe('ru | en: the language of the sentences people read (the timeline’s `text`)'),
    public_url: z.url().optional().describe('Base URL for links in messages'),
    calendar: Calendar.default({ working_days: ['mon', 'tue', 'wed', 'thu', 'fri'], working_hours: { start: '09:00', end: '18:00' }, holidays: [] }),
    quiet_hours: z
      .strictObject({
        start: TimeOfDay,
        end: TimeOfDay,
        channels: z.array(ChannelName).default(['sms', 'voice', 'telegram']).describe('Client touches on these channels wait'),
      })
      .optional()
      .describe('No client touches between start and end (config time zone): a touch due then runs at the end'),
    retention: Retention.default({ runs: '180d', messages: '365d', events: '365d' }).describe('How long finished runs, messages and events are kept'),
    engine: EngineSettings.default({ max_causal_depth: 8, max_attempts: 5, retry_backoff: '30s', late_policy: {}, take_owned_items: false }),
    users: z.array(User).default([]),
    teams: z.record(Identifier, Team).default({}),
    fields: z.record(Identifier, Field).default({}),
    templates: z.record(Identifier, Template).default({}),
    leads: Pipeline.describe('Lead statuses'),
    deals: z.record(Identifier, Pipeline).default({}).describe('One deal pipeline per direction'),
    scoring: Scoring.default({ decay_per_day: 0, rules: [] }),
    forms: z.record(Identifier, Form).default({}),
    consent: z.partialRecord(ConsentChannel, ConsentRule).default({}).describe('Per channel: opt_in (sends need the client’s explicit opt-in) or opt_out (the default: allowed unless they opted out)'),
    hooks: z.record(Identifier, Hook).default({}),
    studio: z
      .strictObject({
        edit: z.boolean().default(true).describe('false: the web studio shows the map and the history only; the file is changed on disk (or by `robots config rollback`)'),
      })
      .default({ edit: true })
      .describe('The web automation studio (ops and admins)'),
  });
  return { Stage, Pipeline, ConfigSchema };
}

type ConfigSchemas = ReturnType<typeof configSchemaWith>;

export type Config = z.output<ConfigSchemas['ConfigSchema']>;
export type RobotSpec = RobotSpecOutput;
export type TriggerSpec = TriggerSpecOutput;
export type StageSpec = z.output<ConfigSchemas['Stage']>;
export type PipelineSpec = z.output<ConfigSchemas['Pipeline']>;
export type UserSpec = z.output<typeof User>;
export type TeamSpec = z.output<typeof Team>;
export type TemplateSpec = z.output<typeof Template>;
export type RoleName = z.output<typeof Role>;
export type ChannelNameType = z.output<typeof ChannelName>;

/** What a robot's config refers to, so the loader can check it before anything runs. */
export type ConfigReference =
  | {
      kind: 'stage';
      pipeline: string | 'same';
      value: string;
      path: Array<string | number>;
      /** A move into the stage gives this reason (null: none): a lost stage needs one of its own `reasons`. */
      reason?: { value: string | null; path: Array<string | number> };
    }
  | { kind: 'pipeline'; value: string; path: Array<string | number> }
  | { kind: 'template'; value: string; path: Array<string | number> }
  | { kind: 'user'; value: string; path: Array<string | number>; /** Words that stand for a user here (`manager`), offered beside the logins when the value is neither. */ keywords?: readonly string[] }
  | { kind: 'team'; value: string; path: Array<string | number> }
  | { kind: 'field'; value: string; path: Array<string | number> }
  | { kind: 'form'; value: string; path: Array<string | number> }
  | { kind: 'hook'; value: string; path: Array<string | number> };
