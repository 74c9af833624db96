import { EventType } from '../config/event-types';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import pino from 'pino';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseDuration } from '../config/duration';
import type { CompiledConfig } from './core/compiled-config';
import { Duration } from '../config/schema';
import { ChannelRegistry } from './channels/channel';
import { OutboxChannel } from './channels/outbox';
import { openDatabase } from './db/data-source';
import { FakeClock } from './core/clock';
import { normalizeEmail, normalizePhone } from './core/contact-keys';
import { InvalidRequestError } from './core/errors';
import { ItemPatch, NewItemInput } from './core/inputs';
import { buildTimeline, type TimelineEntry } from './reports/timeline';
import { DealEntity } from './db/entities';
import { asItem, type ItemRef } from './core/items';
import { Runtime } from './runtime';
import { fastForward } from './pipeline/fast-forward';
import { applyScoreDecay, nextScoreDecayAt } from './sweeps/score-decay';
import { CallAnswer, RehearsedVoice } from './simulate-calls';
import type { HttpPoster } from './core/outgoing-http';

const Offset = z.string().regex(/^\+/, { error: 'times in a scenario are offsets from start, like +2d, +1h30m or +45s' });

const ScenarioItem = NewItemInput.extend({
  key: z
    .string()
    .regex(/^[a-z0-9_]+$/, { error: 'a key is lower_snake_case' })
    .optional()
    .describe('What events call this item (`item: <key>`); needed when a scenario has several items'),
  kind: z.enum(['lead', 'deal']).default('lead'),
  pipeline: z.string().optional(),
  at: Offset.default('+0m').describe('When the item arrives'),
});

const ScenarioEvent = z.strictObject({
  at: Offset,
  item: z.string().optional().describe('The key of the item it happens to; may be left out when there is one item'),
  move_to: z.string().optional(),
  reason: z.string().optional(),
  update: ItemPatch.optional(),
  reply: z
    .strictObject({ channel: z.enum(['email', 'sms', 'telegram']).default('sms'), text: z.string().default('Hello') })
    .optional()
    .describe('The client replies'),
  event: z
    .strictObject({ type: EventType, payload: z.record(z.string(), z.unknown()).default({}) })
    .optional()
    .describe('Any inbound event: page_visit, email_opened, call …'),
});

/** A dry-run scenario: the items (one, or several arriving at their own times), the contacts the CRM already knows, and what happens later. */
export const Scenario = z
  .strictObject({
    start: z.string().optional().describe('ISO time the scenario starts; default: next Monday 09:00 in the config zone'),
    horizon: Duration.default('14d').describe('How far to run after the last event'),
    contacts: z
      .array(z.strictObject({ name: z.string().optional(), phone: z.string().optional(), email: z.string().optional() }))
      .default([])
      .describe('Contacts the CRM already has: a new lead with one of their phones or emails is a repeat client'),
    item: ScenarioItem.optional().describe('One item (the short form)'),
    items: z.array(ScenarioItem).min(1).optional().describe('Several items, e.g. to rehearse round robin'),
    events: z.array(ScenarioEvent).default([]),
    webhook_answers: z
      .array(z.strictObject({ status: z.number().int().min(100).max(599), retry_after: Duration.optional(), text: z.string().default('') }))
      .default([])
      .describe('What the pretend receiver answers webhook robots, in order (e.g. 503 to rehearse retries); 200 after the list'),
    call_answers: z.array(CallAnswer).default([]).describe('How the agents an auto_callback rings answer, call by call in order (no-answer after the list): rehearses the next agent, the manager’s alert and the task'),
  })
  .superRefine((scenario, context) => {
    if ((scenario.item === undefined) === (scenario.items === undefined)) {
      context.addIssue({ code: 'custom', path: ['items'], message: 'give either `item` (one) or `items` (several)' });
      return;
    }
    const items = scenario.items ?? [scenario.item];
    const keys = items.map((item) => item?.key).filter((key): key is string => key !== undefined);
    keys.forEach((key, index) => {
      if (keys.indexOf(key) !== index) context.addIssue({ code: 'custom', path: ['items'], message: `key "${key}" is used twice` });
    });
    scenario.events.forEach((event, index) => {
      if (event.item === undefined && items.length > 1) context.addIssue({ code: 'custom', path: ['events', index, 'item'], message: 'several items: say which one (its key)' });
      if (event.item !== undefined && !keys.includes(event.item)) {
        context.addIssue({ code: 'custom', path: ['events', index, 'item'], message: `no item with key "${event.item}" (keys: ${keys.join(', ') || 'none'})` });
      }
    });
  });
export type Scenario = z.infer<typeof Scenario>;

export interface SimulatedItem {
  key: string | null;
  kind: string;
  id: number;
  name: string | null;
  stage: string;
  responsible: string | null;
  repeat_client: boolean;
  deals: Array<{ id: number; pipeline: string; stage: string; responsible: string | null }>;
}

export interface SimulatedRetry {
  offset: string;
  at: string;
  item: string;
  run: number;
  robot: string;
  attempt: number;
  detail: string | null;
  retry_at: string | null;
}

export interface SimulationResult {
  start: string;
  /** The first item: what single-item scenarios have always answered. */
  item: { kind: string; id: number };
  items: SimulatedItem[];
  timeline: Array<TimelineEntry & { offset: string }>;
  /** Every failed attempt that will be tried again, when it failed and when it will be retried. */
  retries: SimulatedRetry[];
  /** What webhook robots would have POSTed: recorded, never sent, answered as `webhook_answers` says. */
  requests: Array<{ offset: string; at: string; url: string; headers: Record<string, string>; body: string; answered: number }>;
}

/** `+1d2h30m15s`, to the second. */
function offsetLabel(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  const parts = `${days ? `${days}d` : ''}${hours ? `${hours}h` : ''}${minutes ? `${minutes}m` : ''}${rest ? `${rest}s` : ''}`;
  return `+${parts || '0m'}`;
}

const offsetMs = (offset: string) => parseDuration(offset.slice(1))?.toMillis() ?? 0;
const iso = (ms: number) => new Date(ms).toISOString();

/** Runs the real engine on a fake clock against a throw-away SQLite file; nothing leaves the outbox. */
export async function simulate(config: CompiledConfig, scenarioInput: unknown): Promise<SimulationResult> {
  const parsed = Scenario.safeParse(scenarioInput);
  if (!parsed.success) throw new InvalidRequestError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  const scenario = parsed.data;
  const zone = config.source.timezone;
  const start = scenario.start ? DateTime.fromISO(scenario.start, { zone }) : DateTime.now().setZone(zone).plus({ weeks: 1 }).startOf('week').set({ hour: 9 });
  if (!start.isValid) throw new InvalidRequestError(`start: "${scenario.start}" is not an ISO time`);
  const startMs = start.toMillis();
  const clock = new FakeClock(startMs);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-simulate-'));
  const dataSource = await openDatabase({ sqlitePath: path.join(dir, 'simulate.sqlite') });
  const requests: SimulationResult['requests'] = [];
  const answers = [...scenario.webhook_answers];
  // A dry run touches no network: the webhook robot's request is recorded and answered as the scenario says.
  const recordOnly: HttpPoster = async (url, request) => {
    const answer = answers.shift() ?? { status: 200, text: '' };
    requests.push({ offset: offsetLabel(clock.now() - startMs), at: iso(clock.now()), url, headers: request.headers, body: request.body, answered: answer.status });
    const retryAfter = 'retry_after' in answer && answer.retry_after ? parseDuration(answer.retry_after)?.toMillis() : undefined;
    return { status: answer.status, text: answer.text || 'simulated: not sent', retryAfterMs: retryAfter };
  };
  const voice = new RehearsedVoice(scenario.call_answers, clock);
  const runtime = await Runtime.start({
    dataSource,
    configFile: config.file,
    config,
    clock,
    // The outbox only, whatever credentials the environment holds: no channel adapter is built.
    // Calls go to a pretend provider that answers as the scenario scripts.
    channels: new ChannelRegistry(new OutboxChannel()).register('voice', voice),
    logger: pino({ level: 'silent' }),
    http: recordOnly,
  });
  try {
    const { records, pipeline, inbound, queue, store } = runtime;
    for (const contact of scenario.contacts) {
      await store.transaction((manager) =>
        records.findOrCreateContact(manager, {
          name: contact.name ?? null,
          phone: contact.phone === undefined ? null : normalizePhone(contact.phone, config.source.default_region),
          email: contact.email === undefined ? null : normalizeEmail(contact.email),
          companyId: null,
        }),
      );
    }
    const scenarioItems = scenario.items ?? (scenario.item ? [scenario.item] : []);
    const refs = new Map<string, ItemRef>();
    const created: Array<{ key: string | null; ref: ItemRef }> = [];
    const retries: SimulatedRetry[] = [];
    const seenFailures = new Set<string>();
    const noteRetries = async () => {
      for (const run of await queue.list({ status: 'failed' })) {
        const seen = `${run.id}:${run.attempts}`;
        if (seenFailures.has(seen)) continue;
        seenFailures.add(seen);
        retries.push({
          offset: offsetLabel(clock.now() - startMs),
          at: iso(clock.now()),
          item: `${run.entityType}:${run.entityId}`,
          run: run.id,
          robot: run.robotId,
          attempt: run.attempts,
          detail: run.lastError,
          retry_at: run.dueAt === null ? null : iso(run.dueAt),
        });
      }
    };
    // Score decay stops the clock where an item's quiet day ends (as the server's sweep finds it),
    // so its score cools, and a score_dropped trigger fires, on that day rather than at the next event.
    const decay = { store, clock, config: runtime.config, records, inbound };
    // A scripted call status stops it where the provider would report it.
    // Runs are stepped through one due time at a time here, as a run may place a call whose status comes back before the next run.
    const advance = async (until: number) => {
      let previousDecay = Number.NEGATIVE_INFINITY;
      for (let guard = 0; guard < 100_000; guard += 1) {
        await fastForward(runtime.scheduler, clock, clock.now(), noteRetries);
        const decayAt = await nextScoreDecayAt(store, runtime.config.current.source.scoring.decay_per_day);
        const usefulDecay = decayAt !== null && decayAt > previousDecay ? decayAt : null;
        const reportAt = voice.nextReportAt();
        const runAt = await runtime.scheduler.nextDueAt();
        const later = (time: number | null) => (time !== null && time > clock.now() ? time : Number.POSITIVE_INFINITY);
        const at = Math.min(usefulDecay ?? Number.POSITIVE_INFINITY, reportAt ?? Number.POSITIVE_INFINITY, later(runAt));
        if (at > until) break;
        await fastForward(runtime.scheduler, clock, Math.max(at, clock.now()), noteRetries);
        if (at === usefulDecay) {
          previousDecay = at;
          await applyScoreDecay(decay);
        }
        for (const report of voice.takeDue(clock.now())) await runtime.voice.onCallStatus(report.callId, report.status, report.params);
      }
      await fastForward(runtime.scheduler, clock, until, noteRetries);
    };

    // Arrivals first at equal times, then events, each in the order written.
    const steps = [
      ...scenarioItems.map((item, order) => ({ atMs: startMs + offsetMs(item.at), order, arrival: item, event: undefined })),
      ...scenario.events.map((event, order) => ({ atMs: startMs + offsetMs(event.at), order: scenarioItems.length + order, arrival: undefined, event })),
    ].sort((a, b) => a.atMs - b.atMs || a.order - b.order);
    for (const step of steps) {
      await advance(step.atMs);
      if (step.arrival) {
        const { kind, key, at: _at, ...input } = step.arrival;
        const item = await pipeline.createItem(kind, input, 'simulate');
        const ref = { kind, id: item.row.id };
        created.push({ key: key ?? null, ref });
        if (key) refs.set(key, ref);
        continue;
      }
      const event = step.event;
      if (!event) continue;
      const ref = event.item ? refs.get(event.item) : created[0]?.ref;
      if (!ref) {
        throw new InvalidRequestError(`the event at ${event.at} happens to ${event.item ? `"${event.item}"` : 'the item'} before it arrives`);
      }
      if (event.update) await inbound.changeFields(ref, event.update, 'simulate');
      if (event.reply) {
        const current = await records.requireItem(ref);
        const from = event.reply.channel === 'email' ? current.row.email : current.row.phone;
        await inbound.recordInboundMessage({ channel: event.reply.channel, from: from ?? 'client', body: event.reply.text, item: ref });
      }
      if (event.event) await inbound.ingest({ type: event.event.type, item: ref, actor: 'simulate', payload: event.event.payload });
      if (event.move_to) {
        try {
          await pipeline.move(ref, event.move_to, { actor: 'simulate', reason: event.reason });
        } catch (error) {
          await records.recordEvent({ type: 'simulate.move_refused', entity: ref, actor: 'simulate', outcome: (error as Error).message });
        }
      }
    }
    const last = steps.at(-1)?.atMs ?? startMs;
    await advance(last + (parseDuration(scenario.horizon)?.toMillis() ?? 0));

    const several = created.length > 1;
    const timeline: TimelineEntry[] = [];
    const items: SimulatedItem[] = [];
    for (const { key, ref } of created) {
      const current = await records.requireItem(ref);
      const label = `${ref.kind} #${ref.id}${current.row.name ? ` ${current.row.name}` : ''}`;
      const own = await buildTimeline(store.manager, queue, runtime.config.current, current);
      // With one item its entries need no label, as single-item scenarios always printed.
      timeline.push(...own.timeline.map((entry) => (several ? { ...entry, item: `${ref.kind}:${ref.id}`, summary: `[${label}] ${entry.summary}` } : entry)));
      // What the hand-off made happens on the deals it created: show those too.
      const deals = ref.kind === 'lead' ? await store.manager.find(DealEntity, { where: { leadId: ref.id }, order: { id: 'ASC' } }) : [];
      for (const deal of deals) {
        const dealTimeline = await buildTimeline(store.manager, queue, runtime.config.current, asItem('deal', deal));
        timeline.push(...dealTimeline.timeline.map((entry) => ({ ...entry, item: `deal:${deal.id}`, summary: `[deal #${deal.id}] ${entry.summary}` })));
      }
      items.push({
        key,
        kind: ref.kind,
        id: ref.id,
        name: current.row.name,
        stage: current.row.stage,
        responsible: current.row.responsible,
        repeat_client: 'repeatClient' in current.row ? Boolean(current.row.repeatClient) : false,
        deals: deals.map((deal) => ({ id: deal.id, pipeline: deal.pipeline, stage: deal.stage, responsible: deal.responsible })),
      });
    }
    timeline.sort((a, b) => a.at.localeCompare(b.at));
    return {
      start: start.toISO() ?? '',
      item: created[0]?.ref ?? { kind: 'lead', id: 0 },
      items,
      timeline: timeline.map((entry) => ({ ...entry, offset: offsetLabel(Date.parse(entry.at) - startMs) })),
      retries,
      requests,
    };
  } finally {
    await runtime.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function readScenario(file: string): unknown {
  const text = fs.readFileSync(file, 'utf8');
  return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
}

const TIME_FORMAT = 'ccc dd LLL HH:mm:ss';

function line(offset: string, at: string, zone: string, kind: string, text: string): string {
  return `${offset.padEnd(10)} ${DateTime.fromISO(at, { zone }).toFormat(TIME_FORMAT).padEnd(19)}  ${kind.padEnd(8)} ${text}`;
}

export function formatSimulation(result: SimulationResult, zone: string): string {
  const indent = ' '.repeat(41);
  const entries = [
    ...result.timeline.map((entry) => ({
      at: entry.at,
      text: line(
        entry.offset,
        entry.at,
        zone,
        entry.kind,
        entry.kind === 'message' ? `${entry.summary}\n${indent}${String(entry.subject ? `[${entry.subject}] ` : '')}${String(entry.body ?? '').replace(/\n/g, ' ⏎ ')}` : entry.summary,
      ),
    })),
    ...result.retries.map((retry) => ({
      at: retry.at,
      text: line(
        retry.offset,
        retry.at,
        zone,
        'retry',
        `${retry.robot} (${retry.item}) attempt ${retry.attempt} failed: ${retry.detail ?? 'no reason'}; tried again ${retry.retry_at ? DateTime.fromISO(retry.retry_at, { zone }).toFormat(TIME_FORMAT) : 'later'}`,
      ),
    })),
    ...result.requests.map((request) => ({
      at: request.at,
      text: line(request.offset, request.at, zone, 'webhook', `POST ${request.url} (not sent; answered ${request.answered} by the simulation) ${request.body.slice(0, 120)}`),
    })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  const summary =
    result.items.length > 1 || result.items.some((item) => item.deals.length > 0)
      ? [
          '',
          'Where they ended:',
          ...result.items.map((item) => {
            const deals = item.deals.map((deal) => `; deal #${deal.id} in ${deal.pipeline}/${deal.stage}, responsible ${deal.responsible ?? 'nobody'}`).join('');
            return `  ${item.kind} #${item.id}${item.name ? ` ${item.name}` : ''}${item.key ? ` (${item.key})` : ''}: ${item.stage}, responsible ${item.responsible ?? 'nobody'}${item.repeat_client ? ', repeat client' : ''}${deals}`;
          }),
        ]
      : [];
  const what = result.items.length > 1 ? `${result.items.length} items` : `${result.item.kind}`;
  return [`Simulated ${what} from ${result.start} (${zone}); nothing was sent, messages are outbox records.`, ...entries.map((entry) => entry.text), ...summary].join('\n');
}
