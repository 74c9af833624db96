import { IsNull } from 'typeorm';
import { parseDuration } from '../../config/duration';
import { VOICE_BRIDGE_PATH, VOICE_STATUS_PATH, VoiceChannel } from '../channels/voice';
import { itemAlertButtons } from '../core/alert-buttons';
import { OutcomeUnknownError, PermanentSendError, RetryableSendError } from '../core/errors';
import { itemLink, type Item } from '../core/items';
import { resolveRecipients, taskAssignee } from '../core/recipients';
import { chooseOnDuty, wallClock, whenNobodyOnDuty } from '../core/duty';
import { NotNowError } from '../core/quiet-hours';
import { teamOfPipeline } from '../core/compiled-config';
import { CallEntity, type CallRow, type CallStatus } from '../db/entities';
import { loadItem } from '../records/item-rows';
import { insertOne } from '../db/hot-path';
import type { CallbackSettings, CallStart } from '../core/callback';
import { callbackSettingsOfRun, recordProgress, type VoiceDeps } from './voice-deps';
import { bridgeTwiml } from './bridge';

/**
 * The hot-lead callback: call an agent, and when they pick up, whisper the lead's name
 * and bridge them to the lead (bridge.ts). The robot run places the first call and finishes;
 * Twilio's signed status callbacks drive the rest (next agent on no-answer or busy, the manager
 * and a task when nobody answers). Every step is a conditional update on the call row, so a
 * repeated or late callback never places a second call.
 */

/** What a provider's status callback says of a call besides its status (Twilio's CallSid and CallDuration). */
export interface CallReport {
  CallSid?: string;
  CallDuration?: string;
}

/** Call statuses after which the agent's line is free and the next step is ours to take. */
const MISSED: ReadonlySet<string> = new Set(['no-answer', 'busy', 'failed', 'canceled']);

/** The agents to try, in order, each with a phone: responsible first, then the team's rotation. */
function callbackAgents(deps: VoiceDeps, item: Item, wanted: readonly string[]): string[] {
  const { logins } = resolveRecipients(deps.config.current, item, wanted, { rotation: true });
  return logins.filter((login) => Boolean(deps.config.current.users.get(login)?.phone));
}

/**
 * Of those agents, the ones on duty now (nobody is rung who left at 17:00 or is on
 * holiday). When none is, the robot's `when_nobody_on_duty`, else the pipeline team's: all of
 * them (`anyone`), the item's manager (`manager`), or the moment to try again (`wait`).
 */
function agentsOnDuty(deps: VoiceDeps, item: Item, settings: CallbackSettings): { agents: string[] } | { waitUntil: number } {
  const config = deps.config.current;
  const everyone = callbackAgents(deps, item, settings.agents);
  const fallback = whenNobodyOnDuty(config, teamOfPipeline(config, item.pipeline), settings.when_nobody_on_duty);
  const choice = chooseOnDuty(config, everyone, deps.clock.now(), fallback);
  if (choice.kind === 'among') return { agents: choice.logins };
  if (choice.kind === 'manager') return { agents: callbackAgents(deps, item, ['manager']) };
  return { waitUntil: choice.until };
}

/**
 * Places the call of attempt `attempt` to `agent`. The call row is written before Twilio is
 * asked, and only one row per (run, attempt) is ever acted on, so a retried run or a
 * repeated callback finds it and does not dial again.
 */
async function placeCall(deps: VoiceDeps, item: Item, agent: string, options: { runId: number | null; attempt: number; ringTimeoutSeconds: number }): Promise<CallStart> {
  const ref = { kind: item.kind, id: item.row.id };
  const agentPhone = deps.config.current.users.get(agent)?.phone ?? null;
  const voice = deps.channels.adapter('voice');
  if (!(voice instanceof VoiceChannel)) {
    // Without Twilio credentials the call is recorded in the outbox, like any other touch.
    const message = await deps.messaging.send({
      idempotencyKey: `call:${options.runId ?? 'now'}:${options.attempt}:${ref.kind}:${ref.id}:${agent}`,
      runId: options.runId,
      entity: ref,
      channel: 'voice',
      audience: 'user',
      recipient: agentPhone ?? agent,
      recipientLogin: agent,
      body: `Call ${agent} and bridge them to ${item.row.name ?? `${ref.kind} #${ref.id}`} (${item.row.phone})`,
      meta: { callback: true, attempt: options.attempt },
      // A call placed, not news for the agent's list: the call itself is the news.
      notice: null,
    });
    return { kind: 'recorded', detail: `no voice channel: the call to ${agent} is recorded (message #${message.id} ${message.status})` };
  }
  const now = deps.clock.now();
  const claimed = await deps.store.transaction(async (manager) => {
    if (options.runId !== null) {
      const existing = await manager.findOne(CallEntity, { where: { runId: options.runId, attempt: options.attempt } });
      if (existing) return { fresh: false, call: existing };
    }
    const call = await insertOne(manager, CallEntity, {
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
    });
    return { fresh: true, call };
  });
  if (!claimed.fresh) return { kind: 'already', call: claimed.call };
  const call = claimed.call;
  const base = deps.config.publicUrl;
  try {
    const sid = await voice.call({
      to: agentPhone as string,
      twimlUrl: `${base}${VOICE_BRIDGE_PATH}?call=${call.id}`,
      statusCallbackUrl: `${base}${VOICE_STATUS_PATH}?call=${call.id}`,
      ringTimeoutSeconds: options.ringTimeoutSeconds,
    });
    await deps.store.transaction((manager) => manager.update(CallEntity, { id: call.id }, { providerSid: sid }));
    await recordProgress(deps, call, 'requested', `calling ${agent} (${agentPhone}), attempt ${options.attempt}`);
    return { kind: 'calling', call: { ...call, providerSid: sid } };
  } catch (error) {
    if (error instanceof RetryableSendError && options.runId !== null && options.attempt === 1) {
      // The robot run retries with backoff; the row goes so that retry may dial.
      await deps.store.transaction((manager) => manager.delete(CallEntity, { id: call.id }));
      throw error;
    }
    const why = error instanceof PermanentSendError && error.providerMessage ? `${error.message}: ${error.providerMessage}` : (error as Error).message;
    // Unknown outcome: the agent's phone may be ringing; we do not dial them again, we move on.
    const status: CallStatus = 'failed';
    await deps.store.transaction((manager) => manager.update(CallEntity, { id: call.id, endedAt: IsNull() }, { status, endedAt: deps.clock.now() }));
    await recordProgress(deps, call, 'failed', `the call to ${agent} could not be placed: ${why}`);
    if (error instanceof OutcomeUnknownError || error instanceof PermanentSendError || error instanceof RetryableSendError) {
      return nextStep(deps, { ...call, status, endedAt: deps.clock.now() });
    }
    throw error;
  }
}

/** The robot's entry point: the first agent with a phone, or straight to the manager when there is none. */
export async function startCallback(deps: VoiceDeps, item: Item, runId: number, settings: CallbackSettings): Promise<CallStart> {
  const onDuty = agentsOnDuty(deps, item, settings);
  if ('waitUntil' in onDuty) {
    throw new NotNowError(`no agent on duty to call; waiting until ${wallClock(onDuty.waitUntil, deps.config.current.source.timezone)}`, onDuty.waitUntil);
  }
  const [firstAgent] = onDuty.agents;
  if (!firstAgent) {
    await escalate(deps, item, runId, settings, []);
    return { kind: 'nobody', detail: 'no agent with a phone to call; the manager was told and a task created' };
  }
  return placeCall(deps, item, firstAgent, { runId, attempt: 1, ringTimeoutSeconds: settings.ring_timeout });
}

/** "Call now" from a Telegram alert: the presser is called and bridged. */
export async function callNow(deps: VoiceDeps, item: Item, agent: string): Promise<CallStart> {
  const active = await deps.store.manager.findOne(CallEntity, { where: { entityType: item.kind, entityId: item.row.id, endedAt: IsNull() }, order: { id: 'DESC' } });
  if (active && deps.clock.now() - active.startedAt < 10 * 60_000) return { kind: 'already', call: active };
  return placeCall(deps, item, agent, { runId: null, attempt: 1, ringTimeoutSeconds: deps.callbackSettings.defaults.ring_timeout });
}

/** Twilio's CallStatus posted to our status callback for call `callId`. */
export async function onCallStatus(deps: VoiceDeps, callId: number, status: string, params: CallReport): Promise<string> {
  const call = await deps.store.manager.findOne(CallEntity, { where: { id: callId } });
  if (!call) return `no call ${callId}`;
  if (params.CallSid && call.providerSid && params.CallSid !== call.providerSid) return `call ${callId} is not ${params.CallSid}`;
  const now = deps.clock.now();
  const who = call.agentLogin ?? call.agentPhone ?? 'the agent';
  if (status === 'initiated' || status === 'queued') {
    await recordProgress(deps, call, 'initiated', `Twilio is dialling ${who}`);
    return 'initiated';
  }
  if (status === 'ringing') {
    const changed = await deps.store.transaction((manager) => manager.update(CallEntity, { id: call.id, status: 'initiated' }, { status: 'ringing' }));
    if (changed.affected) await recordProgress(deps, call, 'ringing', `${who}'s phone is ringing`);
    return 'ringing';
  }
  if (status === 'in-progress' || status === 'answered') return answered(deps, call, now);
  if (status === 'completed') {
    if (call.answeredAt === null) await answered(deps, call, now);
    const seconds = Number(params.CallDuration);
    const durationSeconds = Number.isFinite(seconds) ? seconds : Math.round((now - (call.answeredAt ?? now)) / 1000);
    const changed = await deps.store.transaction((manager) => manager.update(CallEntity, { id: call.id, endedAt: IsNull() }, { status: 'completed', endedAt: now, durationSeconds }));
    if (changed.affected) await recordProgress(deps, call, 'completed', `call with ${who} completed after ${durationSeconds} s`);
    return 'completed';
  }
  if (MISSED.has(status)) {
    // Twilio stops the ringing at the ring timeout: a no-answer found later (by the sweep that
    // gives up on a status that never came) rang that long, not until the sweep looked.
    const ringTimeoutMs = status === 'no-answer' ? (await callbackSettingsOfRun(deps, call.runId)).ring_timeout * 1000 : Number.POSITIVE_INFINITY;
    const endedAt = Math.min(now, call.startedAt + ringTimeoutMs);
    const changed = await deps.store.transaction((manager) => manager.update(CallEntity, { id: call.id, endedAt: IsNull(), answeredAt: IsNull() }, { status: status as CallStatus, endedAt }));
    if (!changed.affected) return `already ${call.status}`;
    const rang = Math.round((endedAt - call.startedAt) / 1000);
    await recordProgress(deps, call, status, `${who}: ${status} after ${rang} s${endedAt < now ? ' (the ring timeout)' : ''}`);
    await nextStep(deps, { ...call, status: status as CallStatus, endedAt });
    return status;
  }
  return `ignored status ${status}`;
}

async function answered(deps: VoiceDeps, call: CallRow, now: number): Promise<string> {
  const changed = await deps.store.transaction((manager) => manager.update(CallEntity, { id: call.id, answeredAt: IsNull(), endedAt: IsNull() }, { status: 'answered', answeredAt: now }));
  if (!changed.affected) return 'answered';
  const who = call.agentLogin ?? call.agentPhone ?? 'the agent';
  await recordProgress(deps, call, 'answered', `${who} answered after ${Math.round((now - call.startedAt) / 1000)} s; bridging to the client`);
  await deps.reportCall({
    type: 'call',
    item: { kind: call.entityType, id: call.entityId },
    actor: 'channel:voice',
    payload: { outcome: 'answered', agent: call.agentLogin, attempt: call.attempt, call_id: call.id },
  });
  return 'answered';
}

/** After a missed call: the next agent not yet called in this callback, else the manager and a task. */
async function nextStep(deps: VoiceDeps, missed: CallRow): Promise<CallStart> {
  const item = await loadItem(deps.store.manager, { kind: missed.entityType, id: missed.entityId });
  if (!item || missed.runId === null) return { kind: 'nobody', detail: `${missed.agentLogin} did not answer` };
  // The chain belongs to the stage entry that started it: once the lead has left "hot" (a reply
  // moved it on, someone took it further), no one else is dialled and no one is alerted.
  const entryId = await deps.queue.entryOf(missed.runId);
  if (entryId !== null && item.row.stageEntryId !== entryId) {
    await recordProgress(deps, missed, 'stopped', `callback chain stopped: the ${item.kind} left that stage (now in "${item.row.stage}")`);
    return { kind: 'nobody', detail: `the ${item.kind} left the stage; the callback chain stopped` };
  }
  const settings = await callbackSettingsOfRun(deps, missed.runId);
  const tried = await deps.store.manager.find(CallEntity, { where: { runId: missed.runId }, order: { attempt: 'ASC' } });
  if (tried.some((call) => call.answeredAt !== null || (call.endedAt === null && call.id !== missed.id))) {
    return { kind: 'already', call: missed };
  }
  const triedAgents = new Set(tried.map((call) => call.agentLogin));
  // Mid-chain there is no waiting: with nobody left on duty, the manager hears of it now.
  const onDuty = agentsOnDuty(deps, item, settings);
  const next = ('agents' in onDuty ? onDuty.agents : []).find((login) => !triedAgents.has(login));
  if (next) return placeCall(deps, item, next, { runId: missed.runId, attempt: missed.attempt + 1, ringTimeoutSeconds: settings.ring_timeout });
  await escalate(deps, item, missed.runId, settings, tried);
  return { kind: 'nobody', detail: 'nobody answered' };
}

/** Nobody answered: the manager hears it on Telegram (with the alert buttons) and gets a task. */
async function escalate(deps: VoiceDeps, item: Item, runId: number, settings: CallbackSettings, tried: CallRow[]): Promise<void> {
  const ref = { kind: item.kind, id: item.row.id };
  const config = deps.config.current;
  const logins = new Set(resolveRecipients(config, item, settings.escalate_to).logins);
  const attempts = tried.map((call) => `${call.agentLogin} (${call.status})`).join(', ') || 'no agent with a phone';
  const name = item.row.name ?? `${ref.kind} #${ref.id}`;
  const text = `☎️ Nobody answered the callback for hot ${ref.kind} #${ref.id} ${name} (${item.row.phone ?? 'no phone'}). Tried: ${attempts}.`;
  const assignee = taskAssignee(config, item, [...logins, ...(item.row.responsible ? [item.row.responsible] : [])]);
  const dueAt = deps.clock.now() + (parseDuration(settings.task_due_in)?.toMillis() ?? 15 * 60_000);
  const task = await deps.records.createTask({ item: ref, assignee, title: `Call back ${name} (${item.row.phone ?? 'no phone'}): nobody answered the auto-callback`, dueAt, runId });
  for (const login of logins) {
    const user = config.users.get(login);
    const chat = user?.telegram_chat_id;
    await deps.messaging.send({
      idempotencyKey: `callback:${runId}:escalate:${login}`,
      runId,
      entity: ref,
      channel: chat ? 'telegram' : 'outbox',
      audience: 'user',
      recipient: chat ?? login,
      recipientLogin: login,
      body: `${text} Task #${task.id}.`,
      meta: { callback: 'nobody_answered', task: task.id, buttons: itemAlertButtons(ref, itemLink(deps.config.publicUrl, ref)) },
      notice: 'escalation',
    });
  }
  await deps.reportCall({ type: 'call', item: ref, actor: 'channel:voice', payload: { outcome: 'missed', attempts: tried.length, task_id: task.id } });
}

/** The auto-callback call chain, as the robots, the Telegram buttons, the status webhooks and the sweep use it. */
export class CallChain {
  constructor(private readonly deps: VoiceDeps) {}

  startCallback(item: Item, runId: number, settings: CallbackSettings): Promise<CallStart> {
    return startCallback(this.deps, item, runId, settings);
  }

  callNow(item: Item, agent: string): Promise<CallStart> {
    return callNow(this.deps, item, agent);
  }

  onCallStatus(callId: number, status: string, params: CallReport): Promise<string> {
    return onCallStatus(this.deps, callId, status, params);
  }

  settingsOfRun(runId: number | null): Promise<CallbackSettings> {
    return callbackSettingsOfRun(this.deps, runId);
  }

  recordProgress(call: CallRow, status: string, outcome: string): Promise<void> {
    return recordProgress(this.deps, call, status, outcome);
  }

  /** The TwiML an answering agent hears. */
  bridgeTwiml(callId: number): Promise<string> {
    return bridgeTwiml(this.deps, callId);
  }
}
