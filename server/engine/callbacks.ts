import Handlebars from 'handlebars';
import { IsNull, Not } from 'typeorm';
import twilio from 'twilio';
import { managerOf, teamMembers, teamOfPipeline } from '../../config/model';
import { parseDuration } from '../../config/duration';
import { itemAlertButtons } from '../channels/alert-buttons';
import { VOICE_BRIDGE_PATH, VOICE_STATUS_PATH, VoiceChannel } from '../channels/voice';
import { CallEntity, RobotRunEntity, TaskEntity, type CallRow, type CallStatus } from '../db/entities';
import { loadContext } from './context';
import type { Engine } from './engine';
import { OutcomeUnknownError, PermanentSendError, RetryableSendError } from './errors';
import { itemLink, loadItem, type Item, type ItemRef } from './items';

/**
 * Seed 003's hot-lead callback: call an agent, and when they pick up, whisper the lead's name
 * and bridge them to the lead. The robot run places the first call and finishes; Twilio's
 * signed status callbacks drive the rest (next agent on no-answer or busy, the manager and a
 * task when nobody answers). Every step is a conditional update on the call row, so a
 * repeated or late callback never places a second call.
 */
export interface CallbackSettings {
  /** Who is called, in order: `responsible`, `team`, or logins. */
  agents: string[];
  ringTimeoutSeconds: number;
  whisper: string;
  /** Told on Telegram when nobody answered: `manager`, `responsible`, or logins. */
  escalateTo: string[];
  taskDueIn: string;
}

export const DEFAULT_CALLBACK: CallbackSettings = {
  agents: ['responsible', 'team'],
  ringTimeoutSeconds: 20,
  whisper: 'Hot lead {{item.name}}. Connecting you now.',
  escalateTo: ['manager'],
  taskDueIn: '15m',
};

/** Call statuses after which the agent's line is free and the next step is ours to take. */
const MISSED: ReadonlySet<string> = new Set(['no-answer', 'busy', 'failed', 'canceled']);

function baseUrl(engine: Engine): string {
  return (engine.channels.webhooks.publicUrl ?? engine.config.source.public_url ?? 'http://localhost:3000').replace(/\/+$/, '');
}

export function itemUrl(engine: Engine, ref: ItemRef): string {
  return itemLink(engine.publicUrl, ref);
}

/** The agents to try, in order, each with a phone: responsible first, then the team. */
export function callbackAgents(engine: Engine, item: Item, wanted: string[]): string[] {
  const config = engine.config;
  const logins: string[] = [];
  for (const who of wanted) {
    if (who === 'responsible') {
      if (item.row.responsible) logins.push(item.row.responsible);
    } else if (who === 'team') {
      const team = teamOfPipeline(config, item.pipeline) ?? (item.row.responsible ? config.users.get(item.row.responsible)?.team : undefined);
      const spec = team ? config.teams.get(team) : undefined;
      if (team) logins.push(...teamMembers(config, team).filter((login) => spec?.members.includes(login) || login !== spec?.manager));
    } else {
      logins.push(who);
    }
  }
  return [...new Set(logins)].filter((login) => Boolean(config.users.get(login)?.phone));
}

/** The settings of the auto_callback robot a call belongs to, as the config now says. */
function settingsOf(engine: Engine, robotId: string | null): CallbackSettings {
  const robot = robotId ? (engine.config.robots.get(robotId)?.robot as Record<string, unknown> | undefined) : undefined;
  if (!robot) return DEFAULT_CALLBACK;
  return {
    agents: (robot.agents as string[] | undefined) ?? DEFAULT_CALLBACK.agents,
    ringTimeoutSeconds: (robot.ring_timeout as number | undefined) ?? DEFAULT_CALLBACK.ringTimeoutSeconds,
    whisper: (robot.whisper as string | undefined) ?? DEFAULT_CALLBACK.whisper,
    escalateTo: (robot.escalate_to as string[] | undefined) ?? DEFAULT_CALLBACK.escalateTo,
    taskDueIn: (robot.task_due_in as string | undefined) ?? DEFAULT_CALLBACK.taskDueIn,
  };
}

async function robotIdOfRun(engine: Engine, runId: number | null): Promise<string | null> {
  if (runId === null) return null;
  const run = await engine.store.manager.findOne(RobotRunEntity, { where: { id: runId }, select: ['id', 'robotId'] });
  return run?.robotId ?? null;
}

export type CallStart =
  | { kind: 'calling'; call: CallRow }
  | { kind: 'already'; call: CallRow }
  | { kind: 'recorded'; detail: string }
  | { kind: 'nobody'; detail: string };

/**
 * Places the call of attempt `attempt` to `agent`. The call row is written before Twilio is
 * asked, and only one row per (run, attempt) is ever acted on, so a retried run or a
 * repeated callback finds it and does not dial again.
 */
export async function placeCall(
  engine: Engine,
  item: Item,
  agent: string,
  options: { runId: number | null; attempt: number; ringTimeoutSeconds: number },
): Promise<CallStart> {
  const ref = { kind: item.kind, id: item.row.id };
  const agentPhone = engine.config.users.get(agent)?.phone ?? null;
  const voice = engine.channels.adapter('voice');
  if (!(voice instanceof VoiceChannel)) {
    // Without Twilio credentials the call is recorded in the outbox, like any other touch.
    const message = await engine.send({
      idempotencyKey: `call:${options.runId ?? 'now'}:${options.attempt}:${ref.kind}:${ref.id}:${agent}`,
      runId: options.runId,
      entity: ref,
      channel: 'voice',
      audience: 'user',
      recipient: agentPhone ?? agent,
      recipientLogin: agent,
      body: `Call ${agent} and bridge them to ${item.row.name ?? `${ref.kind} #${ref.id}`} (${item.row.phone})`,
      meta: { callback: true, attempt: options.attempt },
    });
    return { kind: 'recorded', detail: `no voice channel: the call to ${agent} is recorded (message #${message.id} ${message.status})` };
  }
  const now = engine.now();
  const claimed = await engine.store.transaction(async (manager) => {
    if (options.runId !== null) {
      const existing = await manager.findOne(CallEntity, { where: { runId: options.runId, attempt: options.attempt } });
      if (existing) return { fresh: false, call: existing };
    }
    const call = await manager.save(CallEntity, {
      entityType: ref.kind,
      entityId: ref.id,
      runId: options.runId,
      agentLogin: agent,
      agentPhone,
      clientPhone: item.row.phone,
      direction: 'outbound',
      attempt: options.attempt,
      providerSid: null,
      status: 'initiated',
      startedAt: now,
      answeredAt: null,
      endedAt: null,
      durationSeconds: null,
    } as unknown as CallRow);
    return { fresh: true, call };
  });
  if (!claimed.fresh) return { kind: 'already', call: claimed.call };
  const call = claimed.call;
  const base = baseUrl(engine);
  try {
    const sid = await voice.call({
      to: agentPhone as string,
      twimlUrl: `${base}${VOICE_BRIDGE_PATH}?call=${call.id}`,
      statusCallbackUrl: `${base}${VOICE_STATUS_PATH}?call=${call.id}`,
      ringTimeoutSeconds: options.ringTimeoutSeconds,
    });
    await engine.store.transaction((manager) => manager.update(CallEntity, { id: call.id }, { providerSid: sid }));
    await recordProgress(engine, call, 'requested', `calling ${agent} (${agentPhone}), attempt ${options.attempt}`);
    return { kind: 'calling', call: { ...call, providerSid: sid } };
  } catch (error) {
    if (error instanceof RetryableSendError && options.runId !== null && options.attempt === 1) {
      // The robot run retries with backoff; the row goes so that retry may dial.
      await engine.store.transaction((manager) => manager.delete(CallEntity, { id: call.id }));
      throw error;
    }
    const why = error instanceof PermanentSendError && error.providerMessage ? `${error.message}: ${error.providerMessage}` : (error as Error).message;
    // Unknown outcome: the agent's phone may be ringing; we do not dial them again, we move on.
    const status: CallStatus = 'failed';
    await engine.store.transaction((manager) => manager.update(CallEntity, { id: call.id, endedAt: IsNull() }, { status, endedAt: engine.now() }));
    await recordProgress(engine, call, 'failed', `the call to ${agent} could not be placed: ${why}`);
    if (error instanceof OutcomeUnknownError || error instanceof PermanentSendError || error instanceof RetryableSendError) {
      return nextStep(engine, { ...call, status, endedAt: engine.now() });
    }
    throw error;
  }
}

/** The robot's entry point: the first agent with a phone, or straight to the manager when there is none. */
export async function startCallback(engine: Engine, item: Item, runId: number, robotId: string): Promise<CallStart> {
  const settings = settingsOf(engine, robotId);
  const agents = callbackAgents(engine, item, settings.agents);
  if (agents.length === 0) {
    await escalate(engine, item, runId, settings, []);
    return { kind: 'nobody', detail: 'no agent with a phone to call; the manager was told and a task created' };
  }
  return placeCall(engine, item, agents[0], { runId, attempt: 1, ringTimeoutSeconds: settings.ringTimeoutSeconds });
}

/** "Call now" from a Telegram alert: the presser is called and bridged. */
export async function callNow(engine: Engine, item: Item, agent: string): Promise<CallStart> {
  const active = await engine.store.manager.findOne(CallEntity, { where: { entityType: item.kind, entityId: item.row.id, endedAt: IsNull() }, order: { id: 'DESC' } });
  if (active && engine.now() - active.startedAt < 10 * 60_000) return { kind: 'already', call: active };
  return placeCall(engine, item, agent, { runId: null, attempt: 1, ringTimeoutSeconds: DEFAULT_CALLBACK.ringTimeoutSeconds });
}

async function recordProgress(engine: Engine, call: CallRow, status: string, outcome: string): Promise<void> {
  await engine.recordEvent({
    type: 'call_progress',
    entity: { kind: call.entityType, id: call.entityId },
    actor: 'channel:voice',
    payload: { call_id: call.id, agent: call.agentLogin, attempt: call.attempt, status },
    outcome,
  });
}

/** Twilio's CallStatus posted to our status callback for call `callId`. */
export async function onCallStatus(engine: Engine, callId: number, status: string, params: Record<string, string>): Promise<string> {
  const call = await engine.store.manager.findOne(CallEntity, { where: { id: callId } });
  if (!call) return `no call ${callId}`;
  if (params.CallSid && call.providerSid && params.CallSid !== call.providerSid) return `call ${callId} is not ${params.CallSid}`;
  const now = engine.now();
  const who = call.agentLogin ?? call.agentPhone ?? 'the agent';
  if (status === 'initiated' || status === 'queued') {
    await recordProgress(engine, call, 'initiated', `Twilio is dialling ${who}`);
    return 'initiated';
  }
  if (status === 'ringing') {
    const changed = await engine.store.transaction((manager) => manager.update(CallEntity, { id: call.id, status: 'initiated' }, { status: 'ringing' }));
    if (changed.affected) await recordProgress(engine, call, 'ringing', `${who}'s phone is ringing`);
    return 'ringing';
  }
  if (status === 'in-progress' || status === 'answered') return answered(engine, call, now);
  if (status === 'completed') {
    if (call.answeredAt === null) await answered(engine, call, now);
    const seconds = Number(params.CallDuration);
    const durationSeconds = Number.isFinite(seconds) ? seconds : Math.round((now - (call.answeredAt ?? now)) / 1000);
    const changed = await engine.store.transaction((manager) =>
      manager.update(CallEntity, { id: call.id, endedAt: IsNull() }, { status: 'completed', endedAt: now, durationSeconds }),
    );
    if (changed.affected) await recordProgress(engine, call, 'completed', `call with ${who} completed after ${durationSeconds} s`);
    return 'completed';
  }
  if (MISSED.has(status)) {
    const changed = await engine.store.transaction((manager) =>
      manager.update(CallEntity, { id: call.id, endedAt: IsNull(), answeredAt: IsNull() }, { status: status as CallStatus, endedAt: now }),
    );
    if (!changed.affected) return `already ${call.status}`;
    const rang = Math.round((now - call.startedAt) / 1000);
    await recordProgress(engine, call, status, `${who}: ${status} after ${rang} s`);
    await nextStep(engine, { ...call, status: status as CallStatus, endedAt: now });
    return status;
  }
  return `ignored status ${status}`;
}

async function answered(engine: Engine, call: CallRow, now: number): Promise<string> {
  const changed = await engine.store.transaction((manager) =>
    manager.update(CallEntity, { id: call.id, answeredAt: IsNull(), endedAt: IsNull() }, { status: 'answered', answeredAt: now }),
  );
  if (!changed.affected) return 'answered';
  const who = call.agentLogin ?? call.agentPhone ?? 'the agent';
  await recordProgress(engine, call, 'answered', `${who} answered after ${Math.round((now - call.startedAt) / 1000)} s; bridging to the client`);
  await engine.ingest({
    type: 'call',
    item: { kind: call.entityType, id: call.entityId },
    actor: 'channel:voice',
    payload: { outcome: 'answered', agent: call.agentLogin, attempt: call.attempt, call_id: call.id },
  });
  return 'answered';
}

/** After a missed call: the next agent not yet called in this callback, else the manager and a task. */
async function nextStep(engine: Engine, missed: CallRow): Promise<CallStart> {
  const item = await loadItem(engine.store.manager, { kind: missed.entityType, id: missed.entityId });
  if (!item || missed.runId === null) return { kind: 'nobody', detail: `${missed.agentLogin} did not answer` };
  const settings = settingsOf(engine, await robotIdOfRun(engine, missed.runId));
  const tried = await engine.store.manager.find(CallEntity, { where: { runId: missed.runId }, order: { attempt: 'ASC' } });
  if (tried.some((call) => call.answeredAt !== null || (call.endedAt === null && call.id !== missed.id))) {
    return { kind: 'already', call: missed };
  }
  const triedAgents = new Set(tried.map((call) => call.agentLogin));
  const next = callbackAgents(engine, item, settings.agents).find((login) => !triedAgents.has(login));
  if (next) return placeCall(engine, item, next, { runId: missed.runId, attempt: missed.attempt + 1, ringTimeoutSeconds: settings.ringTimeoutSeconds });
  await escalate(engine, item, missed.runId, settings, tried);
  return { kind: 'nobody', detail: 'nobody answered' };
}

/** Nobody answered: the manager hears it on Telegram (with the alert buttons) and gets a task. */
async function escalate(engine: Engine, item: Item, runId: number, settings: CallbackSettings, tried: CallRow[]): Promise<void> {
  const ref = { kind: item.kind, id: item.row.id };
  const config = engine.config;
  const logins = new Set<string>();
  for (const who of settings.escalateTo) {
    if (who === 'manager') {
      const team = teamOfPipeline(config, item.pipeline);
      const manager = (item.row.responsible && managerOf(config, item.row.responsible)) || (team ? config.teams.get(team)?.manager : undefined);
      if (manager) logins.add(manager);
    } else if (who === 'responsible') {
      if (item.row.responsible) logins.add(item.row.responsible);
    } else {
      logins.add(who);
    }
  }
  const attempts = tried.map((call) => `${call.agentLogin} (${call.status})`).join(', ') || 'no agent with a phone';
  const name = item.row.name ?? `${ref.kind} #${ref.id}`;
  const text = `☎️ Nobody answered the callback for hot ${ref.kind} #${ref.id} ${name} (${item.row.phone ?? 'no phone'}). Tried: ${attempts}.`;
  const assignee = [...logins][0] ?? item.row.responsible ?? null;
  const dueAt = engine.now() + (parseDuration(settings.taskDueIn)?.toMillis() ?? 15 * 60_000);
  const task = await engine.store.transaction(async (manager) => {
    const existing = await manager.findOne(TaskEntity, { where: { runId, entityType: ref.kind, entityId: ref.id } });
    return existing ?? engine.createTask({ entityType: ref.kind, entityId: ref.id, assignee, title: `Call back ${name} (${item.row.phone ?? 'no phone'}): nobody answered the auto-callback`, dueAt, runId }, manager);
  });
  for (const login of logins) {
    const user = config.users.get(login);
    const chat = user?.telegram_chat_id;
    await engine.send({
      idempotencyKey: `callback:${runId}:escalate:${login}`,
      runId,
      entity: ref,
      channel: chat ? 'telegram' : 'outbox',
      audience: 'user',
      recipient: chat ?? login,
      recipientLogin: login,
      body: `${text} Task #${task.id}.`,
      meta: { callback: 'nobody_answered', task: task.id, buttons: itemAlertButtons(ref, itemUrl(engine, ref)) },
    });
  }
  await engine.ingest({ type: 'call', item: ref, actor: 'channel:voice', payload: { outcome: 'missed', attempts: tried.length, task_id: task.id } });
}

/** The TwiML an answering agent hears: a whisper naming the lead, then the lead's phone. */
export async function bridgeTwiml(engine: Engine, callId: number): Promise<string> {
  const response = new twilio.twiml.VoiceResponse();
  const call = await engine.store.manager.findOne(CallEntity, { where: { id: callId } });
  const item = call ? await loadItem(engine.store.manager, { kind: call.entityType, id: call.entityId }) : null;
  if (!call || !item) {
    response.say('This callback is no longer needed. Goodbye.');
    response.hangup();
    return response.toString();
  }
  const phone = item.row.phone ?? call.clientPhone;
  if (!phone) {
    response.say('The lead has no phone number. Goodbye.');
    response.hangup();
    return response.toString();
  }
  const settings = settingsOf(engine, await robotIdOfRun(engine, call.runId));
  const context = await loadContext(engine.store.manager, engine.config, item, engine.now());
  response.say(Handlebars.compile(settings.whisper, { noEscape: true })(context));
  const voice = engine.channels.adapter('voice');
  const dial = response.dial({ callerId: voice instanceof VoiceChannel ? voice.callerId : undefined, answerOnBridge: true });
  dial.number(phone);
  await recordProgress(engine, call, 'bridging', `bridging ${call.agentLogin ?? 'the agent'} to ${phone}`);
  return response.toString();
}

/**
 * A call Twilio never reported back on is treated as unanswered once its ring time (plus a
 * grace minute) is over, so a lost callback cannot stall the chain. The scheduler sweeps
 * with it every 15 seconds; it is idempotent.
 */
export async function expireUnansweredCalls(engine: Engine): Promise<number> {
  const now = engine.now();
  const open = await engine.store.manager.find(CallEntity, { where: { endedAt: IsNull(), answeredAt: IsNull(), providerSid: Not(IsNull()) }, take: 50 });
  let expired = 0;
  for (const call of open) {
    const settings = settingsOf(engine, await robotIdOfRun(engine, call.runId));
    if (now - call.startedAt < (settings.ringTimeoutSeconds + 60) * 1000) continue;
    await onCallStatus(engine, call.id, 'no-answer', {});
    expired++;
  }
  return expired;
}
