import { EventType } from './core/event-types';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import pino from 'pino';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseDuration } from '../config/duration';
import type { CompiledConfig } from '../config/model';
import { Duration } from '../config/schema';
import { ChannelRegistry } from './channels/channel';
import { OutboxChannel } from './channels/outbox';
import { openDatabase } from './db/data-source';
import { FakeClock } from './core/clock';
import { InvalidRequestError } from './core/errors';
import { fastForward } from './engine/fast-forward';
import { recordInboundMessage } from './inbound/replies';
import { ItemPatch, NewItemInput } from './core/inputs';
import { buildTimeline, type TimelineEntry } from './reports/timeline';
import { DealEntity } from './db/entities';
import { asItem } from './core/items';
import { Runtime } from './runtime';
import type { HttpPoster } from './engine/http-post';

/** A dry-run scenario: which item, where it starts, and what happens to it later. */
export const Scenario = z.strictObject({
  start: z.string().optional().describe('ISO time the item arrives; default: next Monday 09:00 in the config zone'),
  horizon: Duration.default('14d').describe('How far to run after the last event'),
  item: NewItemInput.extend({ kind: z.enum(['lead', 'deal']).default('lead'), pipeline: z.string().optional() }),
  events: z
    .array(
      z.strictObject({
        at: z.string().regex(/^\+/, { error: 'event times are offsets like +2d or +1h30m' }),
        move_to: z.string().optional(),
        reason: z.string().optional(),
        update: ItemPatch.optional(),
        reply: z.strictObject({ channel: z.enum(['email', 'sms', 'telegram']).default('sms'), text: z.string().default('Hello') }).optional().describe('The client replies'),
        event: z.strictObject({ type: EventType, payload: z.record(z.string(), z.unknown()).default({}) }).optional().describe('Any inbound event: page_visit, email_opened, call …'),
      }),
    )
    .default([]),
});
export type Scenario = z.infer<typeof Scenario>;

export interface SimulationResult {
  start: string;
  item: { kind: string; id: number };
  timeline: Array<TimelineEntry & { offset: string }>;
  /** What webhook robots would have POSTed: recorded, never sent. */
  requests: Array<{ offset: string; url: string; headers: Record<string, string>; body: string }>;
}

function offsetLabel(ms: number): string {
  const minutes = Math.round(ms / 60000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  return `+${days ? `${days}d` : ''}${hours ? `${hours}h` : ''}${rest || (!days && !hours) ? `${rest}m` : ''}`;
}

/** Runs the real engine on a fake clock against a throw-away SQLite file; nothing leaves the outbox. */
export async function simulate(config: CompiledConfig, scenarioInput: unknown): Promise<SimulationResult> {
  const parsed = Scenario.safeParse(scenarioInput);
  if (!parsed.success) throw new InvalidRequestError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  const scenario = parsed.data;
  const zone = config.source.timezone;
  const start = scenario.start
    ? DateTime.fromISO(scenario.start, { zone })
    : DateTime.now().setZone(zone).plus({ weeks: 1 }).startOf('week').set({ hour: 9 });
  if (!start.isValid) throw new InvalidRequestError(`start: "${scenario.start}" is not an ISO time`);
  const clock = new FakeClock(start.toMillis());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-simulate-'));
  const dataSource = await openDatabase({ sqlitePath: path.join(dir, 'simulate.sqlite') });
  const requests: SimulationResult['requests'] = [];
  // A dry run touches no network: the webhook robot's request is recorded and answered 200.
  const recordOnly: HttpPoster = async (url, request) => {
    requests.push({ offset: offsetLabel(clock.now() - start.toMillis()), url, headers: request.headers, body: request.body });
    return { status: 200, text: 'simulated: not sent' };
  };
  const runtime = await Runtime.start({
    dataSource,
    configFile: config.file,
    config,
    clock,
    channels: new ChannelRegistry(new OutboxChannel()),
    logger: pino({ level: 'silent' }),
    http: recordOnly,
  });
  try {
    const engine = runtime.engine;
    const { kind, ...input } = scenario.item;
    const item = await engine.createItem(kind, input, 'simulate');
    const ref = { kind, id: item.row.id };
    const events = scenario.events
      .map((event) => ({ ...event, atMs: start.toMillis() + (parseDuration(event.at.slice(1))?.toMillis() ?? 0) }))
      .sort((a, b) => a.atMs - b.atMs);
    for (const event of events) {
      await fastForward(engine, clock, event.atMs);
      if (event.update) await engine.updateItem(ref, event.update, 'simulate');
      if (event.reply) {
        const current = await engine.requireItem(ref);
        const from = event.reply.channel === 'email' ? current.row.email : current.row.phone;
        await recordInboundMessage(engine, { channel: event.reply.channel, from: from ?? 'client', body: event.reply.text, item: ref });
      }
      if (event.event) await engine.ingest({ type: event.event.type, item: ref, actor: 'simulate', payload: event.event.payload });
      if (event.move_to) {
        try {
          await engine.move(ref, event.move_to, { actor: 'simulate', reason: event.reason });
        } catch (error) {
          await engine.recordEvent({ type: 'simulate.move_refused', entity: ref, actor: 'simulate', outcome: (error as Error).message });
        }
      }
    }
    const last = events.length ? events[events.length - 1].atMs : start.toMillis();
    await fastForward(engine, clock, last + (parseDuration(scenario.horizon)?.toMillis() ?? 0));
    const current = await engine.requireItem(ref);
    const { timeline } = await buildTimeline(engine.store.manager, engine.queue, engine.config, current);
    // What the hand-off made happens on the deals it created: show those too.
    if (kind === 'lead') {
      const deals = await engine.store.manager.find(DealEntity, { where: { leadId: ref.id }, order: { id: 'ASC' } });
      for (const deal of deals) {
        const dealTimeline = await buildTimeline(engine.store.manager, engine.queue, engine.config, asItem('deal', deal));
        timeline.push(...dealTimeline.timeline.map((entry) => ({ ...entry, item: `deal:${deal.id}`, summary: `[deal #${deal.id}] ${entry.summary}` })));
      }
      timeline.sort((a, b) => a.at.localeCompare(b.at));
    }
    return {
      start: start.toISO() ?? '',
      item: ref,
      timeline: timeline.map((entry) => ({ ...entry, offset: offsetLabel(Date.parse(entry.at) - start.toMillis()) })),
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

export function formatSimulation(result: SimulationResult, zone: string): string {
  const lines = result.timeline.map((entry) => {
    const local = DateTime.fromISO(entry.at, { zone }).toFormat('ccc dd LLL HH:mm');
    const text = entry.kind === 'message' ? `${entry.summary}\n${' '.repeat(36)}${String(entry.subject ? `[${entry.subject}] ` : '')}${String(entry.body ?? '').replace(/\n/g, ' ⏎ ')}` : entry.summary;
    return `${entry.offset.padEnd(9)} ${local.padEnd(17)} ${entry.kind.padEnd(8)} ${text}`;
  });
  const requests = result.requests.map((request) => `${request.offset.padEnd(9)} ${'(not sent)'.padEnd(17)} webhook  POST ${request.url} ${request.body.slice(0, 120)}`);
  return [`Simulated ${result.item.kind} from ${result.start} (${zone}); nothing was sent, messages are outbox records.`, ...lines, ...requests].join('\n');
}
